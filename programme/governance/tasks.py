from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def roadmaps_flag_overdue() -> int:
    from programme.governance import services

    return services.flag_overdue()
