"""Registration: the person (`Combatant`), identity documents, declared weapons, the registration
number, the derived name key and who may benefit.
"""
