from __future__ import annotations

from celery import shared_task

from core.tasks import JobTask

from . import services


@shared_task(base=JobTask, job_from="ddr.ListImport")
def list_import_validate(import_id: int) -> None:
    services.list_import_validate(import_id=import_id)


@shared_task(base=JobTask, job_from="ddr.ListImport")
def list_import_commit(import_id: int) -> None:
    services.list_import_commit(import_id=import_id)  # idempotent: a committed import is left alone


@shared_task(base=JobTask, job_from="ddr.EligibilityRun")
def eligibility_recompute(run_id: int) -> None:
    from . import pathways

    pathways.eligibility_recompute(run_id=run_id)  # idempotent: a second run changes nothing


@shared_task(base=JobTask)
def duplicates_find(job_id: int, list_id: int | None = None) -> None:
    from . import dedup

    dedup.duplicates_find(job_id=job_id, list_id=list_id)  # idempotent: pairs are upserted
