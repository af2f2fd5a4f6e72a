from __future__ import annotations

from celery import shared_task

from core.tasks import JobTask
from ddr.lists import services


@shared_task(base=JobTask, job_from="ddr.ListImport")
def list_import_validate(import_id: int) -> None:
    services.list_import_validate(import_id=import_id)


@shared_task(base=JobTask, job_from="ddr.ListImport")
def list_import_commit(import_id: int) -> None:
    services.list_import_commit(import_id=import_id)  # idempotent: a committed import is left alone
