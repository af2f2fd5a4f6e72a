"""Eligibility: versioned rule sets and the pathway each person is decided into (rules are pure;
services recompute set-based; selectors answer what-if and quota use).
"""
