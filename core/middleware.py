from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest
from rest_framework.views import APIView


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
