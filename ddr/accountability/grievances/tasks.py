from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def grievances_flag_overdue() -> dict[str, int]:
    """Every hour: flag the grievances not acknowledged or not answered in time, and clear the
    flags of steps since done (idempotent)."""
    from ddr.accountability.grievances import services

    return services.grievances_flag_overdue()
