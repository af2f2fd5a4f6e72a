"""Background jobs: one Job API (start / advance / finish / fail) and one Celery base task that fails
its job on any error, retries database errors and stops at a time limit. A task that dies must
end its job "failed" and its page must say so and stop polling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from core.models import Job, task_time_limits
from core.tasks import jobs_expire_stale
from cvr import imports
from cvr import tasks as cvr_tasks
from cvr.models import BeneficiaryImport, Project
from ddr.duplicates import services as duplicates
from ddr.duplicates import tasks as duplicates_tasks
from ddr.eligibility import services as eligibility
from ddr.eligibility import tasks as eligibility_tasks
from ddr.lists import services as lists
from ddr.lists import tasks as lists_tasks
from ddr.lists.parse import check_list_file
from ddr.models import EligibilityRun, ListImport

from .ddr.test_list_import import V1, start
from .factories import ProjectFactory, RuleSetFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def raising(exc: BaseException) -> Callable[..., Any]:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return broken


def failing_once(real: Callable[..., Any], calls: list[int]) -> Callable[..., Any]:
    """`real`, after a first call that loses the database connection."""

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    return flaky


def assert_page_says_failed(client: Client, job: Job) -> None:
    """The progress partial the pages poll: failed, with its reason, and no more polling."""
    page = client.get(reverse("core:job-progress", args=[job.pk])).content.decode()
    assert 'data-status="failed"' in page and str(Job.Status.FAILED.label) in page
    assert job.message and escape(job.message) in page  # as the page writes it (apostrophes escaped)
    assert "hx-trigger" not in page and "every" not in page


# --- the Job API ----------------------------------------------------------------------------


def test_a_finished_job_is_never_overwritten_by_a_late_task(commission_officer: Any) -> None:
    job = Job.objects.create(kind="test", created_by=commission_officer)
    assert job.start(total=10) and job.status == Job.Status.RUNNING
    job.advance(4)
    assert job.fail("first reason")
    late = Job.objects.get(pk=job.pk)
    assert not late.start() and not late.finish(done=10) and not late.fail("second reason")
    late.advance(9)
    job.refresh_from_db()
    assert (job.status, job.done, job.message) == (Job.Status.FAILED, 4, "first reason")
    assert job.finished_at and job.updated_at


def test_a_duplicate_task_leaves_a_failed_job_alone(commission_officer: Any) -> None:
    job = duplicates.duplicates_queue(by=commission_officer)
    job.fail("killed")
    assert duplicates.duplicates_find(job_id=job.pk) == 0
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, "killed")


# --- (a) any error: the job fails and its page says so ------------------------------------------


def test_a_failing_recompute_ends_its_job_failed_and_its_pages_stop_polling(
    commission_officer: Any, commission_client: Client, monkeypatch: Any
) -> None:
    run = eligibility.recompute_queue(ruleset=RuleSetFactory.create(), by=commission_officer)
    monkeypatch.setattr(eligibility, "eligibility_recompute", raising(RuntimeError("boom")))
    result = eligibility_tasks.eligibility_recompute.apply(args=(run.pk,))
    assert result.failed()
    job = Job.objects.get(pk=run.job_id)
    assert job.status == Job.Status.FAILED and job.finished_at and "boom" not in job.message
    assert_page_says_failed(commission_client, job)
    page = commission_client.get(reverse("ddr:eligibility-run", args=[run.pk]), HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert 'data-testid="run-failed"' in html and "hx-trigger" not in html


def test_a_failing_duplicate_search_ends_its_job_failed_and_its_page_stops_polling(
    commission_officer: Any, commission_client: Client, monkeypatch: Any
) -> None:
    job = duplicates.duplicates_queue(by=commission_officer)
    monkeypatch.setattr(duplicates, "duplicates_find", raising(RuntimeError("boom")))
    assert duplicates_tasks.duplicates_find.apply(args=(job.pk,)).failed()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at
    assert_page_says_failed(commission_client, job)
    queue = commission_client.get(reverse("ddr:duplicate-queue")).content.decode()
    assert 'data-status="failed"' in queue and "hx-trigger" not in queue


def beneficiary_import(project: Project, user: User) -> BeneficiaryImport:
    job = Job.objects.create(kind="cvr-beneficiaries", created_by=user)
    record = BeneficiaryImport.objects.create(job=job, project=project, filename="b.csv", created_by=user)
    record.file.save("b.csv", ContentFile(b"type;nom;sexe;tranche d'\xc3\xa2ge\n"), save=True)
    return record


def test_a_failing_beneficiary_import_ends_its_job_failed_and_its_pages_stop_polling(
    commission_officer: Any, commission_client: Client, monkeypatch: Any
) -> None:
    record = beneficiary_import(ProjectFactory.create(region=region("GAO")), commission_officer)
    monkeypatch.setattr(imports, "beneficiaries_import", raising(RuntimeError("boom")))
    assert cvr_tasks.beneficiaries_import.apply(args=(record.pk,)).failed()
    record.refresh_from_db()
    assert record.job.status == Job.Status.FAILED and record.job.finished_at
    assert_page_says_failed(commission_client, record.job)
    # The import's own page, still "queued" (its task died before it started), stops too.
    page = commission_client.get(
        reverse("cvr:import-detail", args=[record.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="job-failed"' in page and record.job.message in page
    assert "hx-trigger" not in page


# --- (b) killed at the time limit ----------------------------------------------------------------


def test_a_recompute_stopped_at_its_time_limit_ends_failed_saying_so(
    commission_officer: Any, commission_client: Client, monkeypatch: Any
) -> None:
    run = eligibility.recompute_queue(ruleset=RuleSetFactory.create(), by=commission_officer)
    monkeypatch.setattr(eligibility, "_decide_batch", raising(SoftTimeLimitExceeded()))
    assert eligibility_tasks.eligibility_recompute.apply(args=(run.pk,)).failed()
    run.refresh_from_db()
    job = run.job
    assert job.status == Job.Status.FAILED and not run.finished_at
    assert str(task_time_limits()[0] // 60) in job.message
    assert_page_says_failed(commission_client, job)


def test_a_list_check_stopped_at_its_time_limit_fails_the_import_and_deletes_the_file(
    commission_officer: Any, commission_client: Client, monkeypatch: Any
) -> None:
    record = start(commission_officer, V1)
    stored = Path(record.file.path)
    monkeypatch.setattr(lists, "check_list_file", raising(SoftTimeLimitExceeded()))
    assert lists_tasks.list_import_validate.apply(args=(record.pk,)).failed()
    record.refresh_from_db()
    assert record.status == ListImport.Status.FAILED and record.message == record.job.message
    assert record.job.status == Job.Status.FAILED and str(task_time_limits()[0] // 60) in record.message
    assert not stored.exists()
    page = commission_client.get(reverse("ddr:import-detail", args=[record.pk]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in page.content.decode()


def test_the_job_tasks_carry_the_time_limit(settings: Any) -> None:
    soft, hard = task_time_limits()
    assert soft == settings.DDR_TASK_TIME_LIMIT and hard > soft
    for task in (
        lists_tasks.list_import_validate,
        lists_tasks.list_import_commit,
        eligibility_tasks.eligibility_recompute,
        duplicates_tasks.duplicates_find,
        cvr_tasks.beneficiaries_import,
    ):
        assert (task.soft_time_limit, task.time_limit) == (soft, hard), task.name


def test_a_job_whose_task_was_killed_is_marked_failed_by_the_sweep(
    commission_officer: Any, commission_client: Client
) -> None:
    killed = duplicates.duplicates_queue(by=commission_officer)
    killed.start()
    alive = duplicates.duplicates_queue(by=commission_officer)
    alive.start()
    waiting = duplicates.duplicates_queue(by=commission_officer)  # no worker yet: not dead
    silent_since = timezone.now() - dt.timedelta(seconds=task_time_limits()[1] + 1)
    Job.objects.filter(pk=killed.pk).update(updated_at=silent_since)
    Job.objects.filter(pk=waiting.pk).update(created_at=silent_since)
    assert jobs_expire_stale.apply().get() == 1
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {killed.pk: "failed", alive.pk: "running", waiting.pk: "queued"}
    killed.refresh_from_db()
    assert_page_says_failed(commission_client, killed)


# --- (c) a lost database connection is retried ------------------------------------------------------


def test_a_duplicate_search_that_loses_the_database_once_is_retried_and_finishes(
    commission_officer: Any, monkeypatch: Any
) -> None:
    job = duplicates.duplicates_queue(by=commission_officer)
    calls: list[int] = []
    monkeypatch.setattr(duplicates, "duplicates_find", failing_once(duplicates.duplicates_find, calls))
    result = duplicates_tasks.duplicates_find.apply(args=(job.pk,))
    assert result.successful() and len(calls) == 2
    job.refresh_from_db()
    assert (job.status, job.done) == (Job.Status.DONE, 100)  # a failed job would have stayed failed


def test_a_list_check_that_loses_the_database_once_is_retried_and_keeps_its_file(
    commission_officer: Any, monkeypatch: Any
) -> None:
    record = start(commission_officer, V1)
    calls: list[int] = []
    monkeypatch.setattr(lists, "check_list_file", failing_once(check_list_file, calls))
    assert lists_tasks.list_import_validate.apply(args=(record.pk,)).successful() and len(calls) == 2
    record.refresh_from_db()
    assert record.status == ListImport.Status.READY and record.file
    assert record.job.status == Job.Status.DONE


def test_a_database_that_stays_down_fails_the_job_once_the_retries_are_spent(
    commission_officer: Any, monkeypatch: Any
) -> None:
    run = eligibility.recompute_queue(ruleset=RuleSetFactory.create(), by=commission_officer)
    calls: list[int] = []

    def down(**kwargs: Any) -> EligibilityRun:
        calls.append(1)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(eligibility, "eligibility_recompute", down)
    assert eligibility_tasks.eligibility_recompute.apply(args=(run.pk,)).failed()
    assert len(calls) == 1 + eligibility_tasks.eligibility_recompute.max_retries
    run.job.refresh_from_db()
    assert run.job.status == Job.Status.FAILED
