"""Armed groups and coalitions, the lists they submit, and the list import: parse (read a file into
rows), services (validate, confirm), commit (write the rows set-based).
"""
