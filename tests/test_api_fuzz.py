"""Schema-based fuzzing of the whole API, in-process: whatever a client sends, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error

from accounts.models import Role
from config.wsgi import application

from .factories import CombatantFactory, UserFactory

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(SchemaGenerator().get_schema(public=True))))
schema.app = application


@pytest.fixture
def tokens(db: Any) -> Any:
    # Calls go through the real WSGI app; like Django's test client, keep the test's connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    CombatantFactory.create_batch(3)
    yield {
        role: AuthToken.objects.create(UserFactory.create(role=role))[1]
        for role in (Role.COMMISSION_OFFICER, Role.ANALYST)
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_never_answers_500(case: Any, tokens: dict[str, str]) -> None:
    for token in tokens.values():
        response = case.call_and_validate(
            headers={"Authorization": f"Token {token}"}, checks=[not_a_server_error]
        )
        if not case.path.startswith("/api/auth/"):  # those take HTTP Basic, not a token
            assert response.status_code != 401, "the fuzzer must reach the endpoints, not the login wall"
