from __future__ import annotations

from celery import shared_task

from core.tasks import JobTask
from ddr.reintegration.payments import services


@shared_task(base=JobTask, job_from="ddr.StatementImport")
def statement_import(import_id: int) -> None:
    services.statement_import(import_id=import_id)  # idempotent: an import already done is left alone
