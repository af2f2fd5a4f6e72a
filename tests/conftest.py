from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role

from .factories import UserFactory, region

# Browser tests drive a live server from pytest's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def commission_officer(db: Any) -> Any:
    return UserFactory(username="commission", role=Role.COMMISSION_OFFICER)


@pytest.fixture
def gao_officer(db: Any) -> Any:
    return UserFactory(username="gao", role=Role.REGIONAL_OFFICER, region=region("GAO"))


@pytest.fixture
def analyst(db: Any) -> Any:
    return UserFactory(username="analyste", role=Role.ANALYST)


@pytest.fixture
def child_protection_officer(db: Any) -> Any:
    return UserFactory(username="protection", role=Role.CHILD_PROTECTION)


@pytest.fixture
def administrator(db: Any) -> Any:
    return UserFactory(username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def commission_client(commission_officer: Any) -> Client:
    return _client(commission_officer)


@pytest.fixture
def gao_client(gao_officer: Any) -> Client:
    return _client(gao_officer)


@pytest.fixture
def analyst_client(analyst: Any) -> Client:
    return _client(analyst)


@pytest.fixture
def child_protection_client(child_protection_officer: Any) -> Client:
    return _client(child_protection_officer)


@pytest.fixture
def admin_client(administrator: Any) -> Client:  # replaces pytest-django's superuser fixture
    return _client(administrator)
