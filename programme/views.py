from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import ALL_ROLES, role_required
from core.errors import refusal_to
from core.exports import FORMATS, log_read, sections_export
from core.models import Job, Region
from core.suppression import for_analyst
from ddr.models import Sex
from ddr.registration.selectors import Scope
from programme import places, reintegration, report
from programme.apps import DASHBOARD_PDF
from programme.dashboard import charts as dashboard_charts
from programme.dashboard import figures as dashboard_figures
from programme.dashboard import grid as dashboard_grid
from programme.dashboard import pathways as dashboard_pathways
from programme.dashboard import read_filters
from programme.dashboard import sections as dashboard_sections
from programme.governance.selectors import roadmap_progress
from programme.selectors import programme_summary
from programme.work_queue import waiting_for


@role_required(*ALL_ROLES)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    work = None if for_analyst(request.user) else waiting_for(request.user)  # analysts read no cases
    return render(request, "programme/home.html", {"summary": programme_summary(request.user), "work": work})


@role_required(*ALL_ROLES)
def dashboard_map(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The dashboard map's figures (static/js/dashboard-map.js), with the page's filters and access."""
    filters, _unread = read_filters(request.GET)
    scope = Scope(request.user, **filters)
    return JsonResponse(places.map_data(scope, dashboard_pathways(scope)))


@role_required(*ALL_ROLES)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The programme on one page, for a commission president and a mission chief; also as PDF."""
    filters, _unread = read_filters(request.GET)  # the page ignores a date it cannot read
    # A period an analyst may not read is refused: a 400 that says why (core.middleware).
    board = dashboard_figures(request.user, **filters)
    if request.GET.get("export") in FORMATS:
        return sections_export(request, "tableau-de-bord", dashboard_sections(board))
    region_columns, pathway_rows = dashboard_grid(board.pathways)
    _, sex_rows = dashboard_grid(board.pathway_by_sex, [str(Sex.MALE.label), str(Sex.FEMALE.label)])
    movement_columns, movement_rows = dashboard_grid(board.pathway_by_movement)
    context = {
        "board": board,
        "region_columns": region_columns,
        "pathway_rows": pathway_rows,
        "sex_rows": sex_rows,
        "movement_columns": movement_columns,
        "movement_rows": movement_rows,
        "charts": dashboard_charts(board),
        "reintegration_charts": reintegration.charts(board.reintegration, suppressed=board.suppressed),
        "filters": filters,
        "regions": Region.objects.order_by("name"),
        "query": request.GET.urlencode(),
        "generated_at": timezone.now(),
        "tile_url": settings.MAP_TILE_URL,
        # The reader's latest PDFs: one asked for earlier is still here on coming back.
        "pdf_jobs": list(Job.objects.filter(kind=DASHBOARD_PDF, created_by=request.user).order_by("-pk")[:3]),
        # The roadmaps' progress and overdue actions (institutional, identify no one).
        "roadmaps": roadmap_progress(),
    }
    return render(request, "programme/dashboard.html", context)


@require_POST
@role_required(*ALL_ROLES)
def dashboard_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Queue the dashboard's PDF on the worker, with the page's filters. When it is ready within a
    second the file comes at once; otherwise the job's page shows its progress bar."""
    query = report.report_query(request.POST)
    with refusal_to(request):
        job = report.report_queue(by=request.user, query=query, language=request.LANGUAGE_CODE)
        for _tick in range(10):
            if Job.objects.filter(pk=job.pk, status=Job.Status.DONE).exists():
                return redirect("programme:dashboard-pdf-file", pk=job.pk)
            time.sleep(0.1)
        return redirect("programme:dashboard-pdf-job", pk=job.pk)
    return redirect(f"{reverse('programme:dashboard')}?{urlencode(query)}")


def _pdf_job(request: AuthenticatedHttpRequest, pk: int) -> Job:
    """A PDF job of this reader's own: nobody else's (404)."""
    return get_object_or_404(Job, pk=pk, kind=DASHBOARD_PDF, created_by=request.user)


@role_required(*ALL_ROLES)
def dashboard_pdf_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The PDF's progress; the page polls itself (htmx) until the file is ready."""
    job = _pdf_job(request, pk)
    partial = bool(request.headers.get("HX-Request"))
    template = "programme/_dashboard_pdf_status.html" if partial else "programme/dashboard_pdf_job.html"
    return render(request, template, {"job": job})


@role_required(*ALL_ROLES)
def dashboard_pdf_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The finished PDF, to its owner only; logged like the dashboard's other exports."""
    job = _pdf_job(request, pk)
    name = report.report_file(job.pk)
    if job.status != Job.Status.DONE or not default_storage.exists(name):
        raise Http404
    with default_storage.open(name, "rb") as file:
        data = file.read()
    log_read(request.user, "tableau-de-bord", "pdf", f"job={job.pk}", "", False, 1, data)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="tableau-de-bord.pdf"'
    return response
