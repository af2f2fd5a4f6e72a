"""Duplicates: the matcher (pure rules), the search that stores pairs, the review queue, merges and
their undo.
"""
