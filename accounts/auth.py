"""API token authentication: knox's, with one query per request instead of two."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):  # type: ignore[misc]
    """knox reads every token of the user at each request, to delete the expired ones: a second
    query on every API call. Here a request checks its own token's expiry only; the others are
    deleted every hour (`accounts.tasks.tokens_purge_expired_hourly`)."""

    def _cleanup_token(self, auth_token: Any) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):  # type: ignore[no-untyped-call]
    """The schema documents it as knox's token (drf-spectacular knows knox's class by its name)."""

    target_class = "accounts.auth.TokenAuthentication"


def tokens_purge_expired() -> int:
    """Delete every expired token (a signed-out client's, or one never used again)."""
    deleted: int = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()[0]
    return deleted
