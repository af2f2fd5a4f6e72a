from __future__ import annotations

from django.db import connection
from django.http import JsonResponse

from config.celery import app as celery_app


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:  # any failure is the answer we report
        return False, type(exc).__name__


def broker_ok() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            # The scheme only: the URL may carry a password.
            return True, str(celery_app.conf.broker_url).split(":", 1)[0]
    except Exception as exc:  # any failure is the answer we report
        return False, type(exc).__name__


def health_report() -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise; what failed, never a secret."""
    db, db_detail = database_ok()
    broker, broker_detail = broker_ok()
    status = 200 if db and broker else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "degraded",
            "database": {"ok": db, "detail": db_detail},
            "broker": {"ok": broker, "detail": broker_detail},
        },
        status=status,
    )
