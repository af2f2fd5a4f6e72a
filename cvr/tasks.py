from __future__ import annotations

from celery import shared_task

from core.tasks import JobTask


@shared_task(acks_late=True)
def mix_refresh(project_ids: list[int] | None = None) -> int:
    """After every change of beneficiaries (those projects), and nightly (every project)."""
    from cvr import services

    return services.mix_refresh(project_ids)


@shared_task(acks_late=True)
def me_visits_daily() -> dict[str, int]:
    from cvr import services

    return services.me_visits_flag()


@shared_task(base=JobTask, job_from="cvr.BeneficiaryImport")
def beneficiaries_import(import_id: int) -> None:
    from cvr import imports

    imports.beneficiaries_import(import_id)  # idempotent: a finished import is left alone
