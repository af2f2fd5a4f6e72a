"""API sign-in: an expiring token for HTTP Basic credentials (knox, stored hashed), and its revocation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import IsAuthenticated

from accounts.auth import TokenAuthentication


class TokenSerializer(serializers.Serializer):
    expiry = serializers.DateTimeField()
    token = serializers.CharField()


@extend_schema(request=None, responses=TokenSerializer)
class TokenLoginView(knox_views.LoginView):
    """POST with HTTP Basic credentials: returns an expiring token (knox, stored hashed)."""

    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request: Any, format: Any = None) -> Any:
        # django-axes logs the sign-in with a hash of the session, creating one when there is none:
        # a token client got a session cookie and a session row for nothing. One made here is dropped.
        had_session = request.session.session_key is not None
        response = super().post(request, format)
        if not had_session and request.session.session_key is not None:
            request.session.flush()
        return response


@extend_schema(request=None, responses={204: None})
class TokenLogoutView(knox_views.LogoutView):
    """POST with the token: revokes it."""

    authentication_classes = [TokenAuthentication]  # ours (knox's, one query): one scheme in the schema
