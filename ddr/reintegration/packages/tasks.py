from __future__ import annotations

import datetime as dt

from celery import shared_task

from core.tasks import JobTask


@shared_task(base=JobTask)
def cohort_enrol(job_id: int, package_id: int, filters: dict[str, str], on: str) -> None:
    from ddr.reintegration.packages import services

    # Safe to run twice: those already enrolled are left out.
    services.cohort_enrol_run(
        job_id=job_id, package_id=package_id, filters=filters, on=dt.date.fromisoformat(on)
    )
