from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.permissions import ALL_ROLES, role_required
from core.audit import history_of

from .models import Site


@role_required(*ALL_ROLES)
def site_list(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.for_user(request.user).select_related("region", "proposed_by")
    return render(request, "cantonment/site_list.html", {"sites": sites})


@role_required(*ALL_ROLES)
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site.objects.for_user(request.user).select_related("region", "cercle"), pk=pk)
    return render(request, "cantonment/site_detail.html", {"site": site, "history": history_of(site)})
