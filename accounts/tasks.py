from __future__ import annotations

from celery import shared_task

from accounts.auth import tokens_purge_expired


@shared_task
def tokens_purge_expired_hourly() -> int:
    return tokens_purge_expired()
