from __future__ import annotations

from celery import shared_task

from core.tasks import JobTask


@shared_task(base=JobTask)
def duplicates_find(job_id: int, list_id: int | None = None) -> None:
    from ddr.duplicates import services

    services.duplicates_find(job_id=job_id, list_id=list_id)  # idempotent: pairs are upserted
