from __future__ import annotations

from celery import shared_task

from core.tasks import JobTask


@shared_task(base=JobTask)
def dashboard_pdf(job_id: int, query: dict[str, str], language: str) -> None:
    from programme import report

    # Safe to run twice: a finished job is left alone, the file is written again whole.
    report.report_run(job_id=job_id, query=query, language=language)
