from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from config.celery import app as celery_app
from core.models import Job
from core.tasks import worker_check

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_consumes_tasks_from_the_configured_broker(tmp_path: Path) -> None:
    """Starts `celery worker` as `make run` does, against the test database and the broker."""
    job = Job.objects.create(kind="worker_check", total=1)
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    queue = f"test-{uuid.uuid4().hex[:8]}"  # no other worker on this machine can take it
    worker_check.apply_async(args=[job.pk], queue=queue)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == Job.Status.DONE:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert job.status == Job.Status.DONE, output
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
