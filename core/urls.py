"""The ground floor's pages (health, language, job progress) under `core`, and the router helper
every app's API uses."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path
from django.views.i18n import JavaScriptCatalog, set_language
from rest_framework.routers import SimpleRouter

from core import api, views

app_name = "core"


def routes(*viewsets: tuple[str, Any, str]) -> list[URLPattern | URLResolver]:
    """The URLs of an app's viewsets: (prefix, viewset, basename), as DRF's router writes them."""
    router = SimpleRouter()
    for prefix, viewset, basename in viewsets:
        router.register(prefix, viewset, basename=basename)
    return list(router.urls)


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("langue/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("taches/<int:pk>/", views.job_progress, name="job-progress"),
]

api_urlpatterns = routes(("regions", api.RegionViewSet, "api-region"))
