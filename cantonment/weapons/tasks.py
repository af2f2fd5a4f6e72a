from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def stock_checks_weekly() -> int:
    """Every Monday: the week's 10% sample per storage location, and any six-monthly full check due."""
    from cantonment.weapons import services

    return services.stock_checks_generate()


