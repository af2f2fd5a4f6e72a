from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import ALL_ROLES, role_required

from .models import Unit


@role_required(*ALL_ROLES)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.for_user(request.user).select_related("region")
    return render(request, "integration/unit_list.html", {"units": units})
