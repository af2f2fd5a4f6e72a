from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import ALL_ROLES, role_required

from .health import broker_ok, database_ok
from .models import Job
from .selectors import programme_summary


@role_required(*ALL_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"summary": programme_summary(request.user)})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db, db_detail = database_ok()
    broker, broker_detail = broker_ok()
    status = 200 if db and broker else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "degraded",
            "database": {"ok": db, "detail": db_detail},
            "broker": {"ok": broker, "detail": broker_detail},
        },
        status=status,
    )


@login_not_required
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Resolved per request: in production the static manifest exists only after collectstatic.
    return HttpResponseRedirect(static("favicon.svg"))


@role_required(*ALL_ROLES)
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by htmx every second until the job finishes. Only its owner sees it."""
    job = get_object_or_404(Job, pk=pk, created_by=request.user)
    return render(request, "core/_job_progress.html", {"job": job})
