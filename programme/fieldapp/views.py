from __future__ import annotations

import hashlib
from functools import lru_cache

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import role_required
from programme.fieldapp.selectors import FIELD_WORK_ROLES, app_config, form_choices

# What the service worker keeps so that `/hors-ligne/` opens with no network: the page's own
# static files and those of the base template it extends.
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "offline/offline.css",
    "offline/app.js",
    "offline/crypto.js",
    "offline/store.js",
    "offline/sync.js",
    "offline/manifest.webmanifest",
    "offline/icon-192.png",
    "offline/icon-512.png",
    "favicon.svg",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/scroll-regions.js",
)


@lru_cache(maxsize=1)
def _shell_version() -> str:
    """Changes whenever a shell file changes, so browsers install the new worker and drop the old
    cache (in production the names carry their hash already; locally they do not)."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        path = finders.find(name)
        digest.update(name.encode())
        if isinstance(path, str):
            with open(path, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:16]


@role_required(*FIELD_WORK_ROLES)
@ensure_csrf_cookie  # the app posts to the sync API with the CSRF cookie, even from the cached page
@require_GET
def offline_app(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "programme/fieldapp/app.html", {"config": app_config(request.user), **form_choices()}
    )


@login_not_required  # the browser fetches and re-checks its worker on its own; it holds no data
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [reverse("programme:offline-app"), *(static(name) for name in SHELL_STATIC)]
    response = render(
        request,
        "programme/fieldapp/sw.js",
        {"shell": shell, "version": _shell_version(), "app_url": shell[0]},
        content_type="text/javascript; charset=utf-8",
    )
    # Served from the root so that its scope may be the whole site; it only answers for the shell.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # always re-checked, so a new version installs at once
    return response
