from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def duplicates_find(job_id: int, list_id: int | None = None) -> None:
    from ddr.duplicates import services

    services.duplicates_find(job_id=job_id, list_id=list_id)  # idempotent: pairs are upserted


