"""The Celery base of every task that carries a Job (JobTask), and the tasks of the core itself."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.db import OperationalError
from django.utils.translation import gettext as _

from core.errors import Refused
from core.models import Job, task_time_limits

log = logging.getLogger(__name__)


def failure_message(exc: BaseException, unexpected: str | None = None) -> str:
    """What the page says when a job's work raised `exc`: a refusal's own message (written for
    the reader), else never the exception itself (it may hold names or SQL; the log has it), only
    whether the work ran out of time, or else `unexpected`."""
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        return _("Stopped: the work took longer than its time limit (%(minutes)s minutes).") % {
            "minutes": task_time_limits()[0] // 60
        }
    return unexpected or _("Unexpected error. The administrators have the details.")


class JobTask(Task):  # type: ignore[type-arg]
    """Base of every task that works for a Job: `@shared_task(base=JobTask)`. The task's first
    argument is the job's id, or, with `job_from="app_label.Model"`, the id of a record of that
    model whose `job` it is (a list import, an eligibility run).

    - Whatever the task raises ends its job "failed" with a short reason the page shows (and then
      stops polling); the traceback goes to the log and the worker sees the exception.
    - A database OperationalError (a restart, a failover, a deadlock) is retried with backoff; the
      job fails only when the retries are spent. Services are idempotent, so a retry is safe.
    - The task runs at most DDR_TASK_TIME_LIMIT seconds: then SoftTimeLimitExceeded interrupts the
      work and the job fails saying so; the worker kills it a minute later if it is still there
      (its job is then failed by `jobs_expire_stale`).

    Failure is marked in `on_failure`, which the worker calls once the task has finally failed (not
    between retries). `apply()` calls it too; `.delay()` under CELERY_TASK_EAGER_PROPAGATES does not
    (the exception goes straight to the caller)."""

    job_from: str | None = None
    acks_late = True
    autoretry_for = (OperationalError,)
    max_retries = 3
    retry_backoff = 5
    retry_backoff_max = 120
    soft_time_limit, time_limit = task_time_limits()

    def job_id(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
        """The id of the job this call works for, from the call's first argument."""
        bound = inspect.signature(self.run).bind_partial(*args, **kwargs)
        key = next(iter(bound.arguments.values()), None)
        if key is None or self.job_from is None:
            return key
        model = apps.get_model(self.job_from)
        job_id: int | None = model._default_manager.filter(pk=key).values_list("job_id", flat=True).first()
        return job_id

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: ExceptionInfo,
    ) -> None:
        try:
            job_id = self.job_id(args, kwargs)
            if job_id is not None and Job(pk=job_id).fail(failure_message(exc)):
                log.error("job %s failed in %s[%s]", job_id, self.name, task_id, exc_info=exc)
        except Exception:  # the database may be what failed: the worker still logs the task's error
            log.exception("the job of %s[%s] could not be marked failed", self.name, task_id)


@shared_task(base=JobTask)
def worker_check(job_id: int) -> None:
    """Proves a worker consumes the configured broker: marks the job done (idempotent)."""
    Job(pk=job_id).finish(done=1, total=1)


@shared_task(acks_late=True)
def jobs_expire_stale() -> int:
    """Every ten minutes: a running job whose task was killed (the hard time limit, a lost worker)
    is marked failed, so no page waits for it for ever."""
    return Job.objects.expire_stale()


@contextmanager
def job_failure(job_id: int, on_failure: Callable[[str], None] | None = None) -> Iterator[None]:
    """For a service that keeps a record of its own beside the job (an import): whatever escapes
    the work inside marks that record (`on_failure`) and then the job "failed" with a reason the
    page shows, and is raised again for the worker's log. A database OperationalError is left to
    the task, which retries it (JobTask); the job fails when its retries are spent."""
    try:
        yield
    except OperationalError:
        raise
    except Exception as exc:
        log.exception("job %s failed", job_id)
        message = failure_message(
            exc, _("Unexpected error; nothing was saved. The administrators have the details.")
        )
        try:
            if on_failure is not None:
                on_failure(message)  # the record first: the page stops polling when the job ends
        finally:
            Job(pk=job_id).fail(message)
        raise
