from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Job

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def worker_check(job_id: int) -> None:
    """Proves a worker consumes the configured broker: marks the job done (idempotent)."""
    Job.objects.filter(pk=job_id).exclude(status=Job.Status.DONE).update(
        status=Job.Status.DONE, done=1, total=1, finished_at=timezone.now()
    )


@contextmanager
def job_failure(job_id: int, on_failure: Callable[[str], None] | None = None) -> Iterator[None]:
    """Whatever escapes the work inside ends its job "failed" with a reason the page shows, so
    no page waits for ever on a job that died; `on_failure` marks the caller's own record.
    The exception is raised again for the worker's log."""
    try:
        yield
    except Exception:
        log.exception("job %s failed", job_id)
        message = _("Unexpected error; nothing was saved. The administrators have the details.")
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, message=message, finished_at=timezone.now()
        )
        if on_failure is not None:
            on_failure(message)
        raise
