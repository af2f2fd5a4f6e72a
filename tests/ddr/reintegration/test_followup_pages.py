"""Follow-up screens: the list and its filters, recording from the list and from the person's page,
the dropout form, the rules' pages; and what each role is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ddr.models import Category, Combatant, Enrolment, FollowUp, ReintegrationRules
from ddr.reintegration.followup import services
from ddr.reintegration.packages.services import enrolment_create

from ...factories import CombatantFactory, PackageFactory, region

pytestmark = pytest.mark.django_db

ENROLLED = dt.date(2023, 1, 10)
FOUND = {
    "done_on": "2024-01-15",
    "mode": "visit",
    "status": "done",
    "activity_running": "yes",
    "income": "medium",
    "acceptance": "good",
    "security_incident": "no",
    "needs": "Un moulin",
}


def enrol(by: Any, *, region_code: str = "GAO", status: str = "reinserted", **person: Any) -> Enrolment:
    someone = CombatantFactory.create(status=status, region=region(region_code), **person)
    return enrolment_create(person=someone, package=PackageFactory.create(), on=ENROLLED, by=by)


@pytest.fixture
def gao(commission_officer: Any) -> Enrolment:
    enrolment = enrol(commission_officer)
    services.follow_ups_plan(on=ENROLLED)
    return enrolment


@pytest.fixture
def kidal(commission_officer: Any) -> Enrolment:
    enrolment = enrol(commission_officer, region_code="KID")
    services.follow_ups_plan(on=ENROLLED)
    return enrolment


def listed(client: Client, **params: str) -> set[int]:
    response = client.get(reverse("ddr:follow-up-list"), params)
    assert response.status_code == 200
    return {f.pk for f in response.context["page"]}


def test_the_list_filters_due_overdue_and_done_and_by_region(
    commission_client: Any, commission_officer: Any, gao: Enrolment, kidal: Enrolment
) -> None:
    services.follow_ups_flag_overdue(dt.date(2023, 5, 1))  # month 3 of both is late
    late = set(FollowUp.objects.filter(month=3).values_list("pk", flat=True))
    assert listed(commission_client, show="overdue") == late
    assert listed(commission_client) == set(FollowUp.objects.filter(month__gt=3).values_list("pk", flat=True))
    gao_only = set(FollowUp.objects.filter(enrolment=gao, month=3).values_list("pk", flat=True))
    assert listed(commission_client, show="overdue", region="GAO") == gao_only
    assert listed(commission_client, show="done") == set()
    page = commission_client.get(reverse("ddr:follow-up-list"), {"show": "overdue"}).content.decode()
    assert 'data-testid="overdue"' in page and gao.combatant.registration_number in page


def test_the_list_takes_the_same_queries_for_many_rows(
    commission_client: Any, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        enrol(commission_officer)
    services.follow_ups_plan(on=ENROLLED)
    with django_assert_max_num_queries(12):
        response = commission_client.get(reverse("ddr:follow-up-list"), {"show": "all"})
    assert len(response.context["page"]) == 18


def test_a_regional_officer_sees_their_region_only(gao_client: Any, gao: Enrolment, kidal: Enrolment) -> None:
    assert listed(gao_client, show="all") == set(gao.follow_ups.values_list("pk", flat=True))
    # The region filter cannot widen the scope.
    assert listed(gao_client, show="all", region="KID") == set(gao.follow_ups.values_list("pk", flat=True))
    other = kidal.follow_ups.get(month=3)
    assert gao_client.get(reverse("ddr:follow-up-record", args=[other.pk])).status_code == 404
    answer = gao_client.post(
        reverse("ddr:follow-up-record", args=[other.pk]), {**FOUND, "done_on": "2023-04-12"}
    )
    assert answer.status_code == 404
    other.refresh_from_db()
    assert other.status == "planned"
    drop = gao_client.post(
        reverse("ddr:enrolment-drop", args=[kidal.pk]), {"on": "2023-03-01", "reason": "Parti"}
    )
    assert drop.status_code == 404


def test_an_analyst_is_refused_every_follow_up_page(analyst_client: Any, gao: Enrolment) -> None:
    follow_up = gao.follow_ups.get(month=3)
    version = ReintegrationRules.objects.create(name="Accord", effective_from=ENROLLED)
    for url in (
        reverse("ddr:follow-up-list"),
        reverse("ddr:follow-up-record", args=[follow_up.pk]),
        reverse("ddr:reintegration-rules-list"),
        reverse("ddr:reintegration-rules-detail", args=[version.pk]),
    ):
        assert analyst_client.get(url).status_code == 403
    assert analyst_client.post(reverse("ddr:follow-up-plan")).status_code == 403
    assert analyst_client.post(reverse("ddr:follow-up-record", args=[follow_up.pk]), FOUND).status_code == 403
    assert analyst_client.post(reverse("ddr:reintegration-rules-new")).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.status == "planned"


def test_a_childs_follow_up_is_never_listed_for_other_roles(
    commission_client: Any, gao_client: Any, child_protection_client: Any, commission_officer: Any
) -> None:
    child = CombatantFactory.create(category=Category.CHILD, birth_year=2008, status="reinserted")
    # Never enrolled through the services (refused); a row made directly must stay hidden all the same.
    enrolment = Enrolment.objects.create(
        combatant=child, package=PackageFactory.create(), enrolled_on=ENROLLED, enrolled_by=commission_officer
    )
    services.follow_ups_plan(on=ENROLLED)
    hidden = enrolment.follow_ups.get(month=3)
    for client in (commission_client, gao_client):
        assert hidden.pk not in listed(client, show="all")
        assert client.get(reverse("ddr:follow-up-record", args=[hidden.pk])).status_code == 404
    assert child_protection_client.get(reverse("ddr:follow-up-list")).status_code == 403


def test_recording_from_the_person_page_makes_them_reintegrated(gao_client: Any, gao: Enrolment) -> None:
    person_page = reverse("ddr:person-detail", args=[gao.combatant_id])
    page = gao_client.get(person_page).content.decode()
    assert 'data-testid="person-follow-ups"' in page and reverse("ddr:enrolment-drop", args=[gao.pk]) in page
    follow_up = gao.follow_ups.get(month=12)
    form = gao_client.get(reverse("ddr:follow-up-record", args=[follow_up.pk]), {"next": person_page})
    assert form.status_code == 200 and form.context["next"] == person_page
    response = gao_client.post(
        reverse("ddr:follow-up-record", args=[follow_up.pk]),
        {**FOUND, "next": person_page},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302 and response["Location"] == person_page
    assert Combatant.objects.get(pk=gao.combatant_id).status == "reintegrated"
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.needs, follow_up.activity_running) == ("done", "Un moulin", True)
    page = gao_client.get(person_page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is now reintegrated" in page and 'data-testid="verdict-met"' in page


def test_a_follow_up_not_meeting_the_rules_says_why_on_the_page(gao_client: Any, gao: Enrolment) -> None:
    follow_up = gao.follow_ups.get(month=12)
    response = gao_client.post(
        reverse("ddr:follow-up-record", args=[follow_up.pk]),
        {**FOUND, "activity_running": "no"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    page = response.content.decode()
    assert "is not reintegrated yet: The activity was not running at the last follow-up." in page
    assert Combatant.objects.get(pk=gao.combatant_id).status == "reinserted"
    person = gao_client.get(reverse("ddr:person-detail", args=[gao.combatant_id]), HTTP_ACCEPT_LANGUAGE="en")
    assert "The activity was not running" in person.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"done_on": "2022-12-31"}, "done_on"),  # before the enrolment
        ({"done_on": "2099-01-01"}, "done_on"),  # in the future
        ({"acceptance": ""}, "acceptance"),  # a person met, a finding missing
        ({"mode": "pigeon"}, "mode"),
    ],
)
def test_a_bad_follow_up_is_a_field_error_and_nothing_changes(
    commission_client: Any, gao: Enrolment, data: dict[str, str], field: str
) -> None:
    follow_up = gao.follow_ups.get(month=3)
    response = commission_client.post(reverse("ddr:follow-up-record", args=[follow_up.pk]), {**FOUND, **data})
    assert response.status_code == 400 and field in response.context["form"].errors
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.done_on) == ("planned", None)


def test_a_second_recording_is_refused_with_a_clear_message(commission_client: Any, gao: Enrolment) -> None:
    follow_up = gao.follow_ups.get(month=3)
    url = reverse("ddr:follow-up-record", args=[follow_up.pk])
    assert commission_client.post(url, {**FOUND, "done_on": "2023-04-12"}).status_code == 302
    again = commission_client.post(url, {**FOUND, "done_on": "2023-04-20"}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "already recorded (on 12/04/2023)" in again.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_on == dt.date(2023, 4, 12)


def test_a_phone_follow_up_is_shown_as_remote(commission_client: Any, gao: Enrolment) -> None:
    follow_up = gao.follow_ups.get(month=3)
    commission_client.post(
        reverse("ddr:follow-up-record", args=[follow_up.pk]),
        {**FOUND, "done_on": "2023-04-12", "mode": "phone"},
    )
    follow_up.refresh_from_db()
    assert follow_up.mode == "phone"
    page = commission_client.get(reverse("ddr:follow-up-list"), {"show": "done"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "By phone (remote)" in page.content.decode()


def test_the_dropout_form_on_the_person_page(commission_client: Any, gao: Enrolment) -> None:
    url = reverse("ddr:enrolment-drop", args=[gao.pk])
    empty = commission_client.post(url, {"on": "2023-03-01", "reason": ""})
    assert empty.status_code == 302
    gao.refresh_from_db()
    assert gao.status == "active"
    commission_client.post(url, {"on": "2023-03-01", "reason": "Parti en exode"})
    gao.refresh_from_db()
    assert (gao.status, gao.dropout_reason) == ("dropped", "Parti en exode")
    page = commission_client.get(reverse("ddr:person-detail", args=[gao.combatant_id])).content.decode()
    assert "Parti en exode" in page and reverse("ddr:enrolment-drop", args=[gao.pk]) not in page


def test_plan_now_plans_the_officers_enrolments_only(gao_client: Any, commission_officer: Any) -> None:
    mine, other = enrol(commission_officer), enrol(commission_officer, region_code="KID")
    assert gao_client.post(reverse("ddr:follow-up-plan")).status_code == 302
    assert mine.follow_ups.count() == 3 and not other.follow_ups.exists()


# --- the rules' pages ----------------------------------------------------------------------


def test_a_commission_officer_drafts_edits_and_activates_rules(commission_client: Any) -> None:
    created = commission_client.post(reverse("ddr:reintegration-rules-new"))
    draft = ReintegrationRules.objects.get()
    assert created["Location"] == reverse("ddr:reintegration-rules-edit", args=[draft.pk])
    form = commission_client.get(created["Location"])
    assert 'value="3, 6, 12"' in form.content.decode()
    data = {
        "name": draft.name,
        "version": 1,
        "effective_from": "2021-01-01",
        "follow_up_months": "3, 6, 12, 24",
        "grace_days": 30,
        "min_months": 24,
        "activity_required": "on",
        "no_incident_required": "on",
    }
    saved = commission_client.post(created["Location"], data)
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert (draft.follow_up_months, draft.min_months, draft.acceptance_required) == (
        [3, 6, 12, 24],
        24,
        False,
    )
    detail = commission_client.get(reverse("ddr:reintegration-rules-detail", args=[draft.pk]))
    assert (
        len(detail.context["conditions"]) == 4 and 'data-testid="rules-activate"' in detail.content.decode()
    )
    commission_client.post(reverse("ddr:reintegration-rules-activate", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "active"
    # Active: no longer edited.
    assert commission_client.get(reverse("ddr:reintegration-rules-edit", args=[draft.pk])).status_code == 404


def test_bad_months_are_a_field_error_and_nothing_changes(admin_client: Any, administrator: Any) -> None:
    draft = services.reintegration_rules_draft_from(None, by=administrator)
    url = reverse("ddr:reintegration-rules-edit", args=[draft.pk])
    base = {
        "name": draft.name,
        "version": 1,
        "effective_from": "2021-01-01",
        "grace_days": 15,
        "min_months": 12,
    }
    for months in ("trois", "3, 6"):
        response = admin_client.post(url, {**base, "follow_up_months": months})
        assert response.status_code == 400 and "follow_up_months" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.follow_up_months == [3, 6, 12]


def test_regional_officers_read_the_rules_but_do_not_change_them(gao_client: Any, administrator: Any) -> None:
    draft = services.reintegration_rules_draft_from(None, by=administrator)
    assert gao_client.get(reverse("ddr:reintegration-rules-list")).status_code == 200
    detail = gao_client.get(reverse("ddr:reintegration-rules-detail", args=[draft.pk]))
    assert detail.status_code == 200 and 'data-testid="rules-activate"' not in detail.content.decode()
    assert gao_client.post(reverse("ddr:reintegration-rules-new")).status_code == 403
    assert gao_client.get(reverse("ddr:reintegration-rules-edit", args=[draft.pk])).status_code == 403
    assert gao_client.post(reverse("ddr:reintegration-rules-activate", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
