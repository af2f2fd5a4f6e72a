from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import ALL_ROLES, role_required
from core.health import health_report
from core.models import Job


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
def job_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Polled by htmx every second until the job finishes. Only its owner sees it."""
    job = get_object_or_404(Job, pk=pk, created_by=request.user)
    return render(request, "core/_job_progress.html", {"job": job})


