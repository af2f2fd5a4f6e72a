"""`next` is followed only to this site: the application is no redirector to another."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_worker(monkeypatch: Any) -> None:
    from integration import tasks

    monkeypatch.setattr(tasks.compliance_daily, "delay", lambda *a, **k: None)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "https:/evil.example", "\\\\evil.example"]
)
def test_the_one_third_check_refuses_to_redirect_off_site(commission_client: Client, target: str) -> None:
    response = commission_client.post(reverse("integration:compliance-now"), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("integration:unit-list")


def test_the_one_third_check_goes_back_to_a_page_of_this_site(commission_client: Client) -> None:
    response = commission_client.post(reverse("integration:compliance-now"), {"next": "/unites/?page=2"})
    assert response["Location"] == "/unites/?page=2"


def test_a_units_compliance_history_names_the_parties_and_what_deviated(commission_client: Any) -> None:
    import datetime as dt

    from integration.models import ComplianceCheck

    from ..factories import UnitFactory

    unit = UnitFactory.create()
    ComplianceCheck.objects.create(
        unit=unit, day=dt.date(2026, 11, 2), deviations=["strength:fama", "command:cma"], compliant=False
    )
    page = commission_client.get(reverse("integration:unit-detail", args=[unit.pk])).content.decode()
    history = page[page.index('data-testid="compliance-history"') :]
    assert "Forces armées maliennes (FAMa) : effectif" in history and "CMA : postes de commandement" in history
    assert "strength:fama" not in history and ">non<" in history
