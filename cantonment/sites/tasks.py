from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def stays_daily() -> dict[str, int]:
    """Every morning: flag overstays and stays ending within 7 days; record each site's headcount."""
    from cantonment.sites import services

    flags = services.stays_flag()
    return {**flags, "headcounts": services.headcount_record()}
