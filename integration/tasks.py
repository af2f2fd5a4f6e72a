from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def compliance_daily() -> int:
    """Every morning (and on demand): the one-third rule measured in every unit, kept as history."""
    from integration import services

    return services.compliance_record()
