"""Appeals in the browser: the person's tab and timeline, the list's page, the appeals list and
an appeal's page with its hearing and decision; who may see and do what; constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from ddr.accountability.appeals.models import Appeal
from ddr.models import Category, MedicalExam

from ...factories import CombatantFactory, UserFactory, region
from .appeals_setup import TODAY, K, a_list, decider, filed, medical, overturn, scheduled

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_person_tab_offers_their_decisions_and_files_an_appeal(
    commission_client: Any, commission_officer: Any
) -> None:
    exam = medical(commission_officer)
    person = exam.combatant
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk]), **EN).content.decode()
    assert 'data-testid="appeal-form"' in page and f'value="medical:{exam.pk}"' in page
    response = commission_client.post(
        reverse("ddr:appeal-person-new", args=[person.pk]),
        {"decision": f"medical:{exam.pk}", "grounds": "Blessure guérie", "filed_on": TODAY().isoformat()},
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "ddr:appeal-detail", args=[appeal.pk]
    )
    # Under an open appeal, the decision is no longer offered; the appeal shows in the tab and timeline.
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk]), **EN).content.decode()
    assert f'value="medical:{exam.pk}"' not in page
    assert 'data-testid="person-appeal-rows"' in page
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "Appeal (Medical result)" in timeline and "Unfit" in timeline


def test_the_timeline_shows_the_outcome(commission_client: Any, commission_officer: Any) -> None:
    exam = medical(commission_officer)
    boss = decider()
    overturn(scheduled(filed(K.MEDICAL, exam.pk, commission_officer), boss), boss, new_value="fit")
    page = commission_client.get(
        reverse("ddr:person-detail", args=[exam.combatant_id]), **EN
    ).content.decode()
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "Decision overturned: Fit" in timeline and "Contre-expertise" in timeline


def test_a_decision_not_offered_is_refused_on_the_person_page(
    commission_client: Any, commission_officer: Any
) -> None:
    person = CombatantFactory.create()
    other = medical(commission_officer)
    response = commission_client.post(
        reverse("ddr:appeal-person-new", args=[person.pk]),
        {"decision": f"medical:{other.pk}", "grounds": "x", "filed_on": TODAY().isoformat()},
    )
    assert response.status_code == 302 and not Appeal.objects.exists()


def test_the_appeal_page_schedules_and_decides_with_errors_on_the_form(
    commission_officer: Any, admin_client: Any, administrator: Any
) -> None:
    exam = medical(administrator)  # the administrator made the decision
    appeal = filed(K.MEDICAL, exam.pk, commission_officer)
    url = reverse("ddr:appeal-detail", args=[appeal.pk])
    early = admin_client.post(
        reverse("ddr:appeal-schedule", args=[appeal.pk]),
        {"hearing_on": "2000-01-01", "deciding_body": "Comité"},
        **EN,
    )
    assert early.status_code == 400 and "before the appeal was filed" in early.content.decode()
    admin_client.post(
        reverse("ddr:appeal-schedule", args=[appeal.pk]),
        {"hearing_on": TODAY().isoformat(), "deciding_body": "Comité des recours"},
    )
    decide = {
        "outcome": "overturned",
        "decided_on": TODAY().isoformat(),
        "reasons": "Contre-expertise",
        "new_value": "fit",
    }
    refused = admin_client.post(reverse("ddr:appeal-decide", args=[appeal.pk]), decide, **EN)
    assert refused.status_code == 400 and "another person must decide" in refused.content.decode()
    assert MedicalExam.objects.count() == 1
    done = client_of(commission_officer).post(reverse("ddr:appeal-decide", args=[appeal.pk]), decide)
    assert done.status_code == 302
    page = admin_client.get(url, **EN).content.decode()
    assert 'data-status="overturned"' in page and "Fit" in page
    assert MedicalExam.objects.filter(result="fit").count() == 1


def test_a_regional_officer_files_in_their_region_only_and_does_not_decide(
    gao_officer: Any, commission_officer: Any
) -> None:
    gao = client_of(gao_officer)
    mine = filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    kidal_person = CombatantFactory.create(region=region("KID"))
    theirs = filed(K.MEDICAL, medical(commission_officer, person=kidal_person).pk, commission_officer)
    assert gao.get(reverse("ddr:appeal-detail", args=[mine.pk])).status_code == 200
    assert gao.get(reverse("ddr:appeal-detail", args=[theirs.pk])).status_code == 404
    listed = gao.get(reverse("ddr:appeal-list")).content.decode()
    assert reverse("ddr:appeal-detail", args=[mine.pk]) in listed
    assert reverse("ddr:appeal-detail", args=[theirs.pk]) not in listed
    schedule = {"hearing_on": TODAY().isoformat(), "deciding_body": "Comité"}
    assert gao.post(reverse("ddr:appeal-schedule", args=[mine.pk]), schedule).status_code == 403
    kidal_exam = MedicalExam.objects.get(combatant=kidal_person)
    response = gao.post(
        reverse("ddr:appeal-person-new", args=[kidal_person.pk]),
        {"decision": f"medical:{kidal_exam.pk}", "grounds": "x", "filed_on": TODAY().isoformat()},
    )
    assert response.status_code == 404


def test_a_childs_appeals_are_child_protections_only(
    commission_client: Any, child_protection_client: Any, commission_officer: Any
) -> None:
    child = CombatantFactory.create(category=Category.CHILD, birth_year=TODAY().year - 16)
    appeal = filed(
        K.MEDICAL,
        medical(commission_officer, person=child).pk,
        UserFactory.create(role=Role.CHILD_PROTECTION),
    )
    url = reverse("ddr:appeal-detail", args=[appeal.pk])
    assert commission_client.get(url).status_code == 404
    assert child_protection_client.get(url).status_code == 200
    assert "appeal-detail" not in commission_client.get(reverse("ddr:appeal-list")).content.decode()


def test_analysts_and_focal_points_see_no_appeal(analyst_client: Any, commission_officer: Any) -> None:
    appeal = filed(K.MEDICAL, medical(commission_officer).pk, commission_officer)
    focal = client_of(UserFactory.create(role=Role.FOCAL_POINT))
    for client in (analyst_client, focal):
        assert client.get(reverse("ddr:appeal-list")).status_code == 403
        assert client.get(reverse("ddr:appeal-detail", args=[appeal.pk])).status_code == 403
    assert not Appeal.objects.for_user(UserFactory.create(role=Role.ANALYST)).exists()


def test_the_list_page_shows_its_appeals_and_files_one_for_the_movement(
    commission_client: Any, commission_officer: Any, gao_officer: Any
) -> None:
    submitted = a_list(commission_officer)
    url = reverse("ddr:list-detail", args=[submitted.pk])
    assert 'data-testid="list-appeal-form"' in commission_client.get(url).content.decode()
    response = commission_client.post(
        reverse("ddr:appeal-list-new", args=[submitted.pk]),
        {"grounds": "Les effectifs sont justes.", "filed_on": TODAY().isoformat(), "deciding_body": ""},
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.movement == submitted.movement
    page = commission_client.get(url).content.decode()
    assert (
        reverse("ddr:appeal-detail", args=[appeal.pk]) in page
        and 'data-testid="list-appeal-form"' not in page
    )
    # The list's status is frozen: changing it by hand says why, changes nothing.
    changed = commission_client.post(
        reverse("ddr:list-status", args=[submitted.pk]), {"status": "accepted"}, follow=True
    )
    assert "appeal" in changed.content.decode() or "recours" in changed.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "received"
    # A list's appeal is national.
    gao = client_of(gao_officer)
    assert gao.get(reverse("ddr:appeal-detail", args=[appeal.pk])).status_code == 404
    assert gao.post(reverse("ddr:appeal-list-new", args=[submitted.pk]), {}).status_code == 403


def test_the_appeals_list_filters_by_status_kind_and_region_in_constant_queries(
    commission_client: Any, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    boss = decider()
    for n in range(6):
        person = CombatantFactory.create(region=region("KID" if n % 2 else "GAO"))
        appeal = filed(K.MEDICAL, medical(commission_officer, person=person).pk, commission_officer)
        if n < 2:
            scheduled(appeal, boss)
    filed(K.LIST_STATUS, a_list(commission_officer).pk, commission_officer)
    url = reverse("ddr:appeal-list")
    with django_assert_max_num_queries(8):
        page = commission_client.get(url).content.decode()
    assert page.count('data-testid="appeal-status"') == 7
    assert (
        commission_client.get(url, {"status": "scheduled"})
        .content.decode()
        .count('data-testid="appeal-status"')
        == 2
    )
    assert (
        commission_client.get(url, {"kind": "list_status"})
        .content.decode()
        .count('data-testid="appeal-status"')
        == 1
    )
    gao = region("GAO").pk
    assert (
        commission_client.get(url, {"region": gao}).content.decode().count('data-testid="appeal-status"') == 3
    )


def test_the_person_page_costs_the_same_with_many_appeals(
    commission_client: Any, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    person = CombatantFactory.create()
    url = reverse("ddr:person-detail", args=[person.pk])
    with django_assert_max_num_queries(40) as few:
        commission_client.get(url)
    for _ in range(4):
        filed(K.MEDICAL, medical(commission_officer, person=person).pk, commission_officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        commission_client.get(url)


def test_the_decision_on_an_appeal_points_to_the_register_and_the_register_counts_it(
    commission_officer: Any, administrator: Any, analyst_client: Any
) -> None:
    from core.models import Decision

    ruling = Decision.objects.create(
        body="cnddr", taken_on=TODAY(), title="Recours médicaux, session 3", recorded_by=administrator
    )
    appeal = filed(K.MEDICAL, medical(administrator).pk, commission_officer)
    client_of(administrator).post(
        reverse("ddr:appeal-schedule", args=[appeal.pk]),
        {"hearing_on": TODAY().isoformat(), "deciding_body": "Comité des recours"},
    )
    decided = client_of(commission_officer).post(
        reverse("ddr:appeal-decide", args=[appeal.pk]),
        {
            "outcome": "upheld",
            "decided_on": TODAY().isoformat(),
            "reasons": "Examen confirmé",
            "ruling": ruling.pk,
        },
    )
    assert decided.status_code == 302
    appeal.refresh_from_db()
    assert appeal.ruling == ruling and appeal.history.latest().ruling_id == ruling.pk
    page = client_of(commission_officer).get(reverse("ddr:appeal-detail", args=[appeal.pk])).content.decode()
    assert (
        'data-testid="appeal-ruling"' in page
        and reverse("programme:decision-detail", args=[ruling.pk]) in page
    )
    # The register's page counts the appeal and names no one, even to an analyst.
    register = analyst_client.get(reverse("programme:decision-detail", args=[ruling.pk])).content.decode()
    assert str(appeal.combatant.family_name) not in register and f"Appeal {appeal.pk}" not in register
