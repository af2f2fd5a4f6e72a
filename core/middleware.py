from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from rest_framework.views import APIView

from core.errors import Refused
from core.health import health_report
from core.pdf import PdfUnavailable

Handler = Callable[[HttpRequest], HttpResponse]

HEALTHZ_PATH = "/healthz"
API_PREFIX = "/api/"
# Session keys: when the user signed in, and when we last saw them (seconds since the epoch).
SESSION_STARTED = "ddr_session_started"
SESSION_LAST_SEEN = "ddr_session_last_seen"
# The last-seen time is written at most once a minute, not on every request (each write is a
# session row update); the idle timeout is that much coarser.
LAST_SEEN_RESOLUTION = 60


class HealthCheckMiddleware:
    """Answers /healthz before the HTTPS redirect and the Host check, which come after it.

    The compose health check calls http://127.0.0.1:8000/healthz from inside the container: plain
    HTTP and a Host that is not (and need not be) in ALLOWED_HOSTS. The answer builds no URL from the
    Host, sets no cookie and says only whether the database and the broker answer, so it is safe to
    give it to any caller; every other path still goes through both checks.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTHZ_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response = health_report()
        add_never_cache_headers(response)
        return response


def start_session_clock(request: HttpRequest, **kwargs: Any) -> None:
    """On signing in (user_logged_in): the absolute lifetime counts from now."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return  # an API token was issued (knox sends the signal too): no session to time
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Signs a user out after DDR_SESSION_IDLE_MINUTES without a request, or DDR_SESSION_MAX_HOURS
    after signing in, whichever comes first. The next page then asks to sign in again.

    Only sessions: an API token has its own lifetime (REST_KNOX's TOKEN_TTL).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = time.time()
        started = session.get(SESSION_STARTED)
        last_seen = session.get(SESSION_LAST_SEEN)
        if started is None or last_seen is None:  # a session from before this rule: count from now
            session[SESSION_STARTED] = started or now
            session[SESSION_LAST_SEEN] = now
        elif (
            now - last_seen > settings.DDR_SESSION_IDLE_MINUTES * 60
            or now - started > settings.DDR_SESSION_MAX_HOURS * 3600
        ):
            logout(request)
            messages.info(request, _("Your session has ended. Please sign in again."))
        elif now - last_seen >= LAST_SEEN_RESOLUTION:
            session[SESSION_LAST_SEEN] = now


class NoStoreMiddleware:
    """Nothing a signed-in user reads, and nothing from the API, is kept by a browser or a proxy.

    Person pages, exports and API answers would otherwise stay in the browser's cache (and its back
    button) on a shared computer after signing out. Static files never reach this middleware
    (WhiteNoise answers them first), so they stay cacheable.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: DRF sets request.user for a token too.
        if request.path_info.startswith(API_PREFIX) or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is refused with a 400, before any view.

    PostgreSQL cannot hold NUL in text, so a filter carrying one would reach the database as an
    error (a 500) on any page or endpoint that filters; no real user ever types one.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, vs in query.lists() for v in vs):
            return HttpResponseBadRequest(
                _("A NUL character is not allowed in an address."), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user, except views marked `@login_not_required`.

    API views are left to DRF: they authenticate tokens too and answer 401/403 in JSON
    instead of redirecting to the login page.
    """

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        cls = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        if isinstance(cls, type) and issubclass(cls, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RefusalMiddleware:
    """A refusal (`core.errors.Refused`) that no view turned into a form error or a message is
    still an answer, never a 500: after a POST from a page of this site, its message on that page
    again; otherwise a 400 that says it (a page read with a period an analyst may not read).
    A PDF the server cannot make (no Pango) is a 503 that says why, for every page that prints.
    The API answers its own refusals (`core.api.exception_handler`)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PdfUnavailable):
            return HttpResponse(str(exception), status=503, content_type="text/plain")
        if not isinstance(exception, Refused):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, str(exception))
            return HttpResponseRedirect(back)
        return HttpResponseBadRequest(str(exception), content_type="text/plain; charset=utf-8")


refusals = logging.getLogger("ddr.refusals")
# What other layers answer (a refusal's message, a 503 without Pango, Django's 400s).
EXPECTED = (Refused, PdfUnavailable, BadRequest, SuspiciousOperation, MultiPartParserError)


class ErrorPagesMiddleware:
    """Our own "not found" and "access denied" pages, in the user's language, in the quick start
    too: under DEBUG Django would show its technical 404 (every URL pattern of the application) to
    an officer who follows a link outside their region. A refusal is one line of log (who, what),
    not a traceback; the API answers its own (DRF). In the quick start an unexpected error is our
    500 page as well, its traceback logged."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No view matched the address: under DEBUG the response is Django's technical page.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            refusals.warning("Refused %s %s to %s", request.method, request.path, request.user)
            return render(request, "403.html", status=403)
        if settings.DEBUG and not isinstance(exception, EXPECTED):
            logging.getLogger("django.request").error(
                "Internal Server Error: %s", request.path, exc_info=exception
            )
            return render(request, "500.html", status=500)
        return None
