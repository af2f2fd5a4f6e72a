from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def eligibility_recompute(run_id: int) -> None:
    from ddr.eligibility import services

    services.eligibility_recompute(run_id=run_id)  # idempotent: a second run changes nothing


