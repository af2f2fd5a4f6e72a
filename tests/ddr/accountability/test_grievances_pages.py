"""The grievance pages: list (filters, counts, no N+1), receiving one (French, errors on the
fields, nothing written), the steps from the detail page, and the demo on an empty register."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from ddr.accountability.grievances.models import Grievance

from ...factories import CombatantFactory, SiteFactory
from .grievance_fixtures import *  # noqa: F403
from .grievance_fixtures import receive

pytestmark = pytest.mark.django_db


def test_the_list_does_not_grow_queries_with_rows(
    commission_client: Client, commission_officer: User, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        person = CombatantFactory.create()
        receive(commission_officer, days_ago=i, complainant_kind="person", complainant_person=person)
    with django_assert_max_num_queries(12) as few:
        commission_client.get(reverse("ddr:grievance-list"))
    for i in range(20):
        receive(commission_officer, days_ago=i % 5, channel="hotline")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = commission_client.get(reverse("ddr:grievance-list"))
    assert response.status_code == 200


def test_the_list_filters_and_counts(commission_client: Client, commission_officer: User) -> None:
    receive(commission_officer, channel="hotline", days_ago=3)
    receive(commission_officer, channel="sms")
    from ddr.accountability.grievances import services

    services.grievances_flag_overdue()
    page = commission_client.get(reverse("ddr:grievance-list") + "?overdue=on").content.decode()
    assert page.count('data-testid="grievance-row"') == 1
    page = commission_client.get(reverse("ddr:grievance-list") + "?channel=sms").content.decode()
    assert page.count('data-testid="grievance-row"') == 1
    assert 'data-testid="grievance-figures"' in page


def test_receive_in_french_and_refuse_an_anonymous_contact(commission_client: Client) -> None:
    site = SiteFactory.create()
    form = {
        "received_on": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "channel": "sms",
        "complainant_kind": "anonymous",
        "contact_phone": "+223 76 00 00 00",
        "subject_kind": "site",
        "subject_site": site.pk,
        "category": "site_conditions",
        "urgency": "normal",
        "description": "Pas d'eau.",
    }
    response = commission_client.post(reverse("ddr:grievance-new"), form, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400 and Grievance.objects.count() == 0
    form["complainant_kind"] = "community"
    form["answer_by"] = "2001-01-01T00:00"
    response = commission_client.post(reverse("ddr:grievance-new"), form)
    assert response.status_code == 400 and Grievance.objects.count() == 0
    del form["answer_by"]
    response = commission_client.post(reverse("ddr:grievance-new"), form)
    assert response.status_code == 302
    g = Grievance.objects.get()
    assert response["Location"] == reverse("ddr:grievance-detail", args=[g.pk])


def test_steps_from_the_detail_page(
    commission_client: Client, commission_officer: User, administrator: User
) -> None:
    g = receive(commission_officer, days_ago=3)
    url = lambda action: reverse("ddr:grievance-action", args=[g.pk, action])  # noqa: E731
    assert commission_client.post(url("accuser"), {"acknowledge-note": "SMS"}).status_code == 302
    assert commission_client.post(url("attribuer"), {"assign-assignee": administrator.pk}).status_code == 302
    response = commission_client.post(url("repondre"), {"resolve-answer": "", "resolve-accepted": "yes"})
    assert response.status_code == 400
    assert (
        commission_client.post(
            url("repondre"), {"resolve-answer": "Fait.", "resolve-accepted": "yes"}
        ).status_code
        == 302
    )
    assert commission_client.post(url("inconnu")).status_code == 404
    g.refresh_from_db()
    assert g.status == "resolved" and g.assigned_to == administrator
    page = commission_client.get(reverse("ddr:grievance-detail", args=[g.pk])).content.decode()
    assert 'data-testid="form-reopen"' in page and 'data-testid="form-close"' in page


def test_the_demo_runs_on_an_empty_register(
    administrator: User, focal: User, commission_officer: User
) -> None:
    from core.models import Region
    from ddr.accountability.grievances import demo

    demo.seed(random.Random(1), {r.code: r for r in Region.objects.all()}, administrator)
    assert not Grievance.objects.filter(subject_kind="person").exists()


def test_the_demo_tells_the_report_s_disputes(
    administrator: User, focal: User, commission_officer: User
) -> None:
    from core.models import Region
    from ddr.accountability.grievances import demo
    from tests.factories import ProjectFactory

    for _ in range(12):
        CombatantFactory.create()
    SiteFactory.create()
    ProjectFactory.create()
    demo.seed(random.Random(1), {r.code: r for r in Region.objects.all()}, administrator)
    assert Grievance.objects.filter(category="sea", sensitive=True).count() == 1
    assert (
        Grievance.objects.filter(status="resolved").exists()
        or Grievance.objects.filter(status="closed").exists()
    )
    assert Grievance.objects.filter(acknowledge_overdue=True).exists()
    assert Grievance.objects.filter(category="rank").exists()
