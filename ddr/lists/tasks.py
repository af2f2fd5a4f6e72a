from __future__ import annotations

from celery import shared_task

from ddr.lists import services


@shared_task(acks_late=True)
def list_import_validate(import_id: int) -> None:
    services.list_import_validate(import_id=import_id)


@shared_task(acks_late=True)
def list_import_commit(import_id: int) -> None:
    services.list_import_commit(import_id=import_id)  # idempotent: a committed import is left alone




