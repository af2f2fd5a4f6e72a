from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import ALL_ROLES, role_required

from .models import Project


@role_required(*ALL_ROLES)
def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.for_user(request.user).select_related("region", "partner")
    return render(request, "cvr/project_list.html", {"projects": projects})
