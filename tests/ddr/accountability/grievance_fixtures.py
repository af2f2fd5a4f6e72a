"""Shared fixtures and makers of the grievance tests (imported by each test module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from ddr.accountability.grievances import services
from ddr.accountability.grievances.models import Grievance

from ...factories import CombatantFactory, SiteFactory, UserFactory, region


def receive(by: User, days_ago: float = 0, **kwargs: Any) -> Grievance:
    values: dict[str, Any] = {
        "received_on": timezone.now() - dt.timedelta(days=days_ago),
        "channel": "sms",
        "complainant_kind": "community",
        "subject_kind": "site",
        "category": "site_conditions",
        "description": "Pas d'eau sur le site depuis trois jours.",
    }
    values.update(kwargs)
    if values["subject_kind"] == "site" and "subject_site" not in values:
        values["subject_site"] = SiteFactory.create(region=region("GAO"))
    return services.grievance_receive(by=by, **values)


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def focal(db: Any) -> User:
    return UserFactory.create(
        username="focal", first_name="Mariam", last_name="Diarra", role=Role.FOCAL_POINT
    )


@pytest.fixture
def focal_client(focal: User) -> Client:
    return client_of(focal)


@pytest.fixture
def kidal_officer(db: Any) -> User:
    return UserFactory.create(username="kidal", role=Role.REGIONAL_OFFICER, region=region("KID"))


@pytest.fixture
def person(db: Any) -> Any:
    return CombatantFactory.create(given_name="Aminata", family_name="Walet Intalla", sex="F")


@pytest.fixture
def child(db: Any) -> Any:
    return CombatantFactory.create(
        given_name="Moussa", family_name="Ag Enfant", category="child", birth_year=2010
    )


__all__ = ["child", "client_of", "focal", "focal_client", "kidal_officer", "person", "receive"]
