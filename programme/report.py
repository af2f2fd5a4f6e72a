"""The dashboard as a PDF a director can hand to a donor: a cover (title, period, region, date, who
printed it, the figures at a glance), the charts, the map of Mali's regions, then every table in
an annex. Laid out by WeasyPrint on the worker as a Job (core.models.Job): the page shows its
progress bar and its owner downloads the file when it is done, now or on coming back.

Access is the dashboard's own: the figures are read as the person who asked for the PDF (a
regional officer's cover their region only, an analyst's only suppressed aggregates), and the file
is theirs alone. The dashboard is aggregates: no person is named in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.charts import figure
from core.models import Job, Region
from core.pdf import html_to_document
from ddr.registration.selectors import Scope
from programme import dashboard, places, reintegration
from programme.apps import DASHBOARD_PDF

STEPS = 4  # the figures, the charts and map, the layout, the file
KEPT = 5  # a person's latest PDFs kept on the server; older files are removed
FILTERS = ("region", "from", "to")


def report_file(job_id: int) -> str:
    """Where a job's PDF is kept: in the media storage, which the web server does not serve."""
    return f"reports/dashboard-{job_id}.pdf"


def report_query(params: Any) -> dict[str, str]:
    """The dashboard's filters from a request, as the job keeps them."""
    return {name: str(params.get(name, ""))[:16] for name in FILTERS if params.get(name)}


def report_queue(*, by: User, query: dict[str, str], language: str) -> Job:
    """Queue the PDF of the dashboard as `by` sees it with these filters. A period an analyst may
    not read is refused here, before anything is queued (core.suppression.PeriodRefused)."""
    from programme import tasks

    filters, _unread = dashboard.read_filters(query)
    Scope(by, **filters)  # refuses what the page would refuse
    with transaction.atomic():
        job = Job.objects.create(kind=DASHBOARD_PDF, created_by=by, total=STEPS)
        transaction.on_commit(lambda: tasks.dashboard_pdf.delay(job.pk, query, language))
    return job


def _cell(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return figure(value)


def _region_name(scope: Scope) -> str:
    region_id = scope.region_id if scope.region_id is not None else scope.user.region_id
    if region_id is None or not (scope.region_id is not None or scope.user.is_regional):
        return _("All regions")
    return Region.objects.filter(pk=region_id).values_list("name", flat=True).first() or "—"


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if not start and not end:
        return _("The whole programme, to date")
    return _("Registered from %(start)s to %(end)s") % {
        "start": start.strftime("%d/%m/%Y") if start else "…",
        "end": end.strftime("%d/%m/%Y") if end else "…",
    }


def report_context(user: User, query: dict[str, str], job: Job | None = None) -> dict[str, Any]:
    """Everything the PDF shows, read as `user` reads the dashboard; advances `job` as it goes."""
    filters, _unread = dashboard.read_filters(query)
    scope = Scope(user, **filters)
    board = dashboard.figures(user, **filters)
    if job:
        job.advance(1, message=_("Figures read"))
    charts = dashboard.charts(board)
    context = {
        "board": board,
        "charts": charts,
        "reintegration_charts": reintegration.charts(board.reintegration, suppressed=board.suppressed),
        "map": places.static_map(scope, board.pathways),
        "annex": [
            (key, title, header, [[_cell(c) for c in row] for row in rows])
            for key, title, header, rows in dashboard.sections(board)
        ],
        "region": _region_name(scope),
        "period": _period(filters["start"], filters["end"]),
        "generated_at": timezone.localtime(),
        "printed_by": user.get_full_name() or user.get_username(),
        "role": user.get_role_display(),
        "at_a_glance": _at_a_glance(board),
    }
    if job:
        job.advance(2, message=_("Charts and map drawn"))
    return context


def _at_a_glance(board: dashboard.Dashboard) -> list[tuple[str, str]]:
    """The cover's few figures: the register, the pathways' ends, the sites, CVR."""
    hidden = board.suppressed

    def said(n: int) -> str:
        return _("hidden") if hidden and not n else figure(n)

    funnel = [n for _step, n in board.funnel]
    return [
        (_("People from pre-registration to reintegration"), said(sum(funnel))),
        (_("Integrated"), said(funnel[-2])),  # the funnel's last two steps
        (_("Reintegrated"), said(funnel[-1])),
        (_("People on cantonment sites"), said(board.sites["present"])),
        (_("CVR projects"), figure(board.cvr["projects"])),
        (_("CVR beneficiaries"), said(board.cvr["beneficiaries"])),
    ]


def report_run(*, job_id: int, query: dict[str, str], language: str) -> Job:
    """The PDF, step by step (the job's bar moves), kept under `report_file`. Safe to run twice."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    if user is None or not user.is_active:
        job.fail(_("The person who asked for this PDF can no longer sign in."))
        return job
    if not job.start(total=STEPS):
        return job  # finished meanwhile (a task delivered twice, a job already failed)
    with translation.override(language):
        context = report_context(user, query, job)
        document = html_to_document(render_to_string("programme/dashboard_report.html", context))
        job.advance(3, message=_("Pages laid out"))
        name = report_file(job.pk)
        default_storage.delete(name)  # a second run writes the file whole again
        default_storage.save(name, ContentFile(document.write_pdf()))
        pages = len(document.pages)
        message = _("%(n)s pages, ready to download.") % {"n": pages}
    _forget_older(user, job.pk)
    job.finish(message, done=STEPS)
    return job


def _forget_older(user: User, latest: int) -> None:
    """Only a person's latest few PDFs stay on the server: the figures of an old one are stale."""
    mine = Job.objects.filter(kind=DASHBOARD_PDF, created_by=user).order_by("-pk")
    for pk in list(mine.values_list("pk", flat=True)[KEPT:]):
        if pk != latest:
            default_storage.delete(report_file(pk))
