from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import ALL_ROLES, role_required
from core.exports import FORMATS, sections_export
from core.models import Region
from ddr.models import Sex
from programme import reintegration
from programme.dashboard import figures as dashboard_figures
from programme.dashboard import grid as dashboard_grid
from programme.dashboard import read_filters
from programme.dashboard import sections as dashboard_sections
from programme.selectors import programme_summary


@role_required(*ALL_ROLES)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "programme/home.html", {"summary": programme_summary(request.user)})


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
        "funnel_max": max([n or 0 for _label, n in board.funnel] + [1]),
        "reintegration_charts": reintegration.charts(board.reintegration),
        "filters": filters,
        "regions": Region.objects.order_by("name"),
        "query": request.GET.urlencode(),
        "generated_at": timezone.now(),
        "tile_url": settings.MAP_TILE_URL,
    }
    if request.GET.get("format") == "pdf":
        from core.pdf import html_to_pdf  # no Pango: a 503 (core.middleware)

        pdf = html_to_pdf(render_to_string("programme/dashboard_print.html", context, request=request))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="tableau-de-bord.pdf"'
        return response
    return render(request, "programme/dashboard.html", context)
