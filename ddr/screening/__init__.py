"""Screening: age assessment and child separation, medical exams, vetting against the watch-list,
flagged documents.
"""
