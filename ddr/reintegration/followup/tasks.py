from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def follow_ups_daily() -> dict[str, int]:
    """Every morning: plan the follow-ups of new enrolments, flag the visits overdue (idempotent)."""
    from ddr.reintegration.followup import services

    return services.follow_ups_daily()
