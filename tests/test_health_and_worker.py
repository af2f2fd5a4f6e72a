from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from config.celery import app as celery_app
from core.models import Job
from core.tasks import worker_check


@pytest.mark.django_db
def test_healthz_reports_database_and_broker() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True, "detail": connection.vendor}
    assert body["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(monkeypatch: Any) -> None:
    monkeypatch.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_a_real_worker_consumes_tasks_from_the_configured_broker(celery_worker_process: Any) -> None:
    """A `celery worker` process, as `make run` starts it, takes a task from the broker and does it."""
    job = Job.objects.create(kind="worker_check", total=1)
    worker_check.delay(job.pk)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and job.status != Job.Status.DONE:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.finished_at is not None


@pytest.mark.django_db
def test_job_progress_is_visible_only_to_its_owner(
    commission_client: Any, commission_officer: Any, gao_client: Any
) -> None:
    job = Job.objects.create(
        kind="import", total=200, done=50, status=Job.Status.RUNNING, created_by=commission_officer
    )
    page = commission_client.get(f"/taches/{job.pk}/").content.decode()
    assert 'value="25"' in page and "hx-get" in page  # still polling
    assert gao_client.get(f"/taches/{job.pk}/").status_code == 404
    job.status, job.done = Job.Status.DONE, 200
    job.save()
    assert "hx-get" not in commission_client.get(f"/taches/{job.pk}/").content.decode()
