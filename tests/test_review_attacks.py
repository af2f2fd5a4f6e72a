"""What an attacker tried after issue 15's fixes, as every role: each test is one way in that was
still open (a child's name in the export log, a session for a token, ...), now refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from core.models import ExportLog
from ddr.models import Category

from .factories import CombatantFactory, UserFactory

pytestmark = pytest.mark.django_db

CHILD_NAME = "Zoubeirou"  # in no reference data
PURPOSE = "Remise de l'enfant à l'UNICEF, Gao"


def _admin_pages_of_the_export_log(admin_client: Client) -> str:
    log = ExportLog.objects.get()
    pages = [
        admin_client.get(reverse("admin:core_exportlog_changelist")),
        admin_client.get(reverse("admin:core_exportlog_change", args=[log.pk])),
    ]
    assert all(page.status_code == 200 for page in pages)
    return "".join(page.content.decode() for page in pages)


def test_export_log_hides_what_child_protection_searched_from_the_administrator(
    child_protection_client: Client, admin_client: Client
) -> None:
    CombatantFactory(given_name=CHILD_NAME, category=Category.CHILD)
    export = child_protection_client.get(
        reverse("referral-list"), {"q": CHILD_NAME, "export": "csv", "purpose": f"{PURPOSE} {CHILD_NAME}"}
    )
    assert export.status_code == 200
    assert CHILD_NAME in ExportLog.objects.get().filters  # kept in the log itself
    pages = _admin_pages_of_the_export_log(admin_client)
    assert CHILD_NAME not in pages
    assert "referral" in pages or "enfants" in pages  # the row is there: what was read, by whom


def test_export_log_stays_hidden_after_the_officer_changes_role(
    child_protection_officer: Any, child_protection_client: Client, admin_client: Client
) -> None:
    child_protection_client.get(reverse("person-list"), {"q": CHILD_NAME, "export": "csv", "purpose": PURPOSE})
    child_protection_officer.role = Role.COMMISSION_OFFICER
    child_protection_officer.save()
    assert CHILD_NAME not in _admin_pages_of_the_export_log(admin_client)


def test_export_log_masks_the_words_of_any_search(commission_client: Client, admin_client: Client) -> None:
    commission_client.get(
        reverse("person-list"), {"q": CHILD_NAME, "region": "GAO", "export": "csv", "purpose": PURPOSE}
    )
    pages = _admin_pages_of_the_export_log(admin_client)
    assert CHILD_NAME not in pages
    assert "region=GAO" in pages and PURPOSE.replace("'", "&#x27;") in pages  # the rest stays readable


def test_token_login_opens_no_session() -> None:
    UserFactory(username="jeton", role=Role.COMMISSION_OFFICER)
    basic = base64.b64encode(b"jeton:Sahel-pass-2024").decode()
    response = Client().post(reverse("api-token-login"), HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200 and response.json()["token"]
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
