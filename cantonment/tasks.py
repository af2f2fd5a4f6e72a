from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def stays_daily() -> dict[str, int]:
    """Every morning: flag overstays and stays ending within 7 days; record each site's headcount."""
    from . import stays

    flags = stays.stays_flag()
    return {**flags, "headcounts": stays.headcount_record()}


@shared_task(acks_late=True)
def stock_checks_weekly() -> int:
    """Every Monday: the week's 10% sample per storage location, and any six-monthly full check due."""
    from . import wam

    return wam.stock_checks_generate()
