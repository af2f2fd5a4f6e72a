from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import ALL_ROLES, role_required
from ddr.models import Sex

from .dashboard import figures as dashboard_figures
from .dashboard import grid as dashboard_grid
from .dashboard import read_filters
from .dashboard import sections as dashboard_sections
from .exports import FORMATS, sections_export
from .health import health_report
from .models import Job, Region
from .selectors import programme_summary
from .suppression import PeriodRefused


@role_required(*ALL_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"summary": programme_summary(request.user)})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    # Answered by core.middleware.HealthCheckMiddleware before this view is reached; kept for reverse().
    return health_report()


@login_not_required
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Resolved per request: in production the static manifest exists only after collectstatic.
    return HttpResponseRedirect(static("favicon.svg"))


@role_required(*ALL_ROLES)
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by htmx every second until the job finishes. Only its owner sees it."""
    job = get_object_or_404(Job, pk=pk, created_by=request.user)
    return render(request, "core/_job_progress.html", {"job": job})


@role_required(*ALL_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The programme on one page, for a commission president and a mission chief; also as PDF."""
    filters, _unread = read_filters(request.GET)  # the page ignores a date it cannot read
    try:
        board = dashboard_figures(request.user, **filters)
    except PeriodRefused as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
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
        "funnel_max": max([n or 0 for _label, n in board.funnel] + [1]),
        "filters": filters,
        "regions": Region.objects.order_by("name"),
        "query": request.GET.urlencode(),
        "generated_at": timezone.now(),
        "tile_url": settings.MAP_TILE_URL,
    }
    if request.GET.get("format") == "pdf":
        from cantonment.pdf import PdfUnavailable, html_to_pdf

        try:
            pdf = html_to_pdf(render_to_string("core/dashboard_print.html", context, request=request))
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="tableau-de-bord.pdf"'
        return response
    return render(request, "core/dashboard.html", context)
