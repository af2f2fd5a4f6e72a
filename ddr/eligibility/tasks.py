from __future__ import annotations

from celery import shared_task

from core.tasks import JobTask


@shared_task(base=JobTask, job_from="ddr.EligibilityRun")
def eligibility_recompute(run_id: int) -> None:
    from ddr.eligibility import services

    services.eligibility_recompute(run_id=run_id)  # idempotent: a second run changes nothing
