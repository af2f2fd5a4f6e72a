"""Weapons and ammunition handed in: receipts, storage, custody chain, disposal, stock checks and
reconciliation.
"""
