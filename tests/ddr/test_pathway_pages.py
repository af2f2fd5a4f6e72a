"""Screening and rule-set screens: what staff do, and what each role is refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from ddr.eligibility import services as eligibility
from ddr.models import ChildReferral, Combatant, MedicalExam, RuleSet, VettingMatch, WatchlistEntry

from ..factories import CombatantFactory, RuleSetFactory, region

pytestmark = pytest.mark.django_db


def test_administrator_drafts_simulates_and_activates_a_rule_set(
    admin_client: Any, administrator: Any, eager_tasks: Any
) -> None:
    CombatantFactory.create_batch(3, medical_status="fit", vetting_status="clear", has_weapon=False)
    first = RuleSetFactory.create(
        status="active", effective_from=dt.date(2018, 1, 1), effective_to=dt.date(2019, 1, 1)
    )
    response = admin_client.post(reverse("ddr:ruleset-new"))
    draft = RuleSet.objects.get(status="draft")
    assert response["Location"] == reverse("ddr:ruleset-edit", args=[draft.pk])
    assert draft.version == first.version + 1 or draft.name != first.name
    form = admin_client.get(response["Location"]).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (dict, list))}
    data.update(
        {f"category_{c}": p for c, p in draft.category_pathways.items()},
        name="Accord 2019",
        effective_from="2019-01-01",
        integration_requires_weapon="",
        quota_integration_army="10000",
        regions_reinsertion="GAO=300, KID=300",
    )
    data = {k: v for k, v in data.items() if k != "integration_requires_weapon" or v}
    saved = admin_client.post(reverse("ddr:ruleset-edit", args=[draft.pk]), data)
    assert saved.status_code == 302, saved.context["form"].errors
    draft.refresh_from_db()
    assert not draft.integration_requires_weapon
    assert draft.quotas == {
        "integration_army": {"total": 10000},
        "reinsertion": {"regions": {"GAO": 300, "KID": 300}},
    }
    what_if = admin_client.get(reverse("ddr:ruleset-what-if", args=[draft.pk])).content.decode()
    assert "3 personnes sur 3 changeraient de parcours" in what_if
    unconfirmed = admin_client.post(reverse("ddr:ruleset-activate", args=[draft.pk]), follow=True)
    assert "cochez la confirmation" in unconfirmed.content.decode()
    assert not draft.runs.exists() and Combatant.objects.filter(pathway="integration_army").count() == 0
    with eager_tasks():
        activated = admin_client.post(reverse("ddr:ruleset-activate", args=[draft.pk]), {"confirm": "yes"})
    run = draft.runs.get()
    assert activated["Location"] == reverse("ddr:eligibility-run", args=[run.pk])
    page = admin_client.get(activated["Location"]).content.decode()
    assert "3 décisions modifiées" in page
    assert set(Combatant.objects.values_list("pathway", flat=True)) == {"integration_army"}


def test_a_bad_regional_quota_is_a_field_error_and_nothing_changes(admin_client: Any) -> None:
    draft = RuleSetFactory.create()
    data = {
        "name": draft.name,
        "version": 1,
        "effective_from": "2018-01-01",
        "min_age": 18,
        "integration_fallback": "reinsertion",
        "priority": "registration",
        "regions_reinsertion": "ATLANTIDE=3",
    }
    response = admin_client.post(reverse("ddr:ruleset-edit", args=[draft.pk]), data)
    assert response.status_code == 400 and "regions_reinsertion" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.quotas == {"integration_army": {"total": 10000}, "reinsertion": {"total": 16000}}


def test_only_administrators_change_rule_sets(
    commission_client: Any, gao_client: Any, analyst_client: Any
) -> None:
    draft = RuleSetFactory.create()
    assert commission_client.get(reverse("ddr:ruleset-detail", args=[draft.pk])).status_code == 200
    assert commission_client.post(reverse("ddr:ruleset-activate", args=[draft.pk])).status_code == 403
    assert commission_client.get(reverse("ddr:ruleset-what-if", args=[draft.pk])).status_code == 403
    assert gao_client.get(reverse("ddr:ruleset-list")).status_code == 403
    assert analyst_client.get(reverse("ddr:quota-use")).status_code == 403
    assert RuleSet.objects.get().status == "draft"


def test_an_active_rule_set_cannot_be_edited(admin_client: Any) -> None:
    active = RuleSetFactory.create(status="active")
    assert admin_client.get(reverse("ddr:ruleset-edit", args=[active.pk])).status_code == 404


def test_person_page_explains_the_decision_in_french(
    commission_client: Any, eager_tasks: Any, commission_officer: Any
) -> None:

    person = CombatantFactory.create(medical_status="unfit", vetting_status="clear")
    with eager_tasks():
        eligibility.ruleset_activate(ruleset=RuleSetFactory.create(), by=commission_officer)
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    assert "Médicalement inapte à l&#x27;intégration" in page and "Réinsertion socio-économique (DDR)" in page


def test_officer_records_medical_exams_and_a_contradiction_is_refused(gao_client: Any) -> None:
    person = CombatantFactory.create(region=region("GAO"))
    url = reverse("ddr:person-medical", args=[person.pk])
    exam = {"examined_on": "2019-03-01", "examiner": "Dr Maïga", "result": "fit", "final": "on"}
    assert gao_client.post(url, exam).status_code == 302
    page = gao_client.post(url, {**exam, "result": "unfit"}, follow=True).content.decode()
    assert "résultat final différent" in page
    person.refresh_from_db()
    assert person.medical_status == "fit" and MedicalExam.objects.count() == 1


def test_screening_another_regions_person_is_not_found(gao_client: Any) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    exam = {"examined_on": "2019-03-01", "examiner": "Dr X", "result": "unfit", "final": "on"}
    assert gao_client.post(reverse("ddr:person-medical", args=[kidal.pk]), exam).status_code == 404
    assert gao_client.post(reverse("ddr:person-age", args=[kidal.pk]), {}).status_code == 404
    assert not MedicalExam.objects.exists()


def test_age_form_separates_a_child_who_then_only_child_protection_sees(
    commission_client: Any, child_protection_client: Any
) -> None:
    person = CombatantFactory.create()
    data = {"assessed_on": "2019-03-02", "evidence": "Entretien, dentition", "assessed_age": "15"}
    response = commission_client.post(reverse("ddr:person-age", args=[person.pk]), data)
    assert response["Location"] == reverse("ddr:person-list")
    assert commission_client.get(reverse("ddr:person-detail", args=[person.pk])).status_code == 404
    referrals = child_protection_client.get(reverse("ddr:referral-list")).content.decode()
    assert person.family_name in referrals
    assert commission_client.get(reverse("ddr:referral-list")).status_code == 403
    assert ChildReferral.objects.get().combatant_id == person.pk


def test_cohort_status_change_moves_everyone_shown_or_nobody(commission_client: Any) -> None:
    cohort = CombatantFactory.create_batch(3, status="oriented", region=region("KID"))
    CombatantFactory.create(status="registered", region=region("GAO"))
    url = reverse("ddr:cohort-transition") + "?region=KID"
    move = {"to": "in_training", "reason": "Cohorte Kidal", "shown": "3", "confirm": "on"}
    # Unconfirmed, or confirmed for a list that has changed since: nobody moves.
    for stale in ({**move, "confirm": ""}, {**move, "shown": "2"}):
        refused = commission_client.post(url, stale, follow=True).content.decode()
        assert "Statut non modifié" in refused
        assert Combatant.objects.filter(status="in_training").count() == 0
    # The field's label, then its message, set apart ("label : message"), not glued.
    assert "Personnes affichées : la liste a changé : 3 personnes y figurent maintenant" in refused
    commission_client.post(url, move)
    assert Combatant.objects.filter(status="in_training").count() == 3
    # The whole register mixes statuses: only the exits are open to all of them.
    every = {"to": "integrated", "reason": "x", "shown": "4", "confirm": "on"}
    refused = commission_client.post(reverse("ddr:cohort-transition"), every, follow=True)
    assert "Sélectionnez un choix valide" in refused.content.decode()
    assert Combatant.objects.filter(status="integrated").count() == 0 and len(cohort) == 3


EXITS_OFFERED = ["referred", "excluded", "withdrawn", "deceased"]


def test_status_lists_offer_only_the_moves_the_table_allows(commission_client: Any) -> None:
    person = CombatantFactory.create(status="oriented", region=region("KID"))
    CombatantFactory.create(status="registered", region=region("KID"))
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    form = page[page.index('data-testid="transition-form"') :]
    offered = re.findall(r'<option value="(\w*)"', form[: form.index("</select>")])
    assert offered == ["", "cantoned", "demobilised", "reinserted", "in_training", *EXITS_OFFERED]
    chosen = re.findall(r'<option value="(\w*)" selected', form[: form.index("</select>")])
    assert chosen == [""]  # nothing is chosen for the officer
    # A cohort of registered and oriented people: only the moves both may make.
    listing = commission_client.get(reverse("ddr:person-list"), {"region": "KID"}).content.decode()
    form = listing[listing.index('data-testid="cohort-form"') :]
    assert re.findall(r'<option value="(\w*)"', form[: form.index("</select>")]) == ["", *EXITS_OFFERED]
    assert 'name="shown" value="2"' in form
    gone = CombatantFactory.create(status="deceased")
    page = commission_client.get(reverse("ddr:person-detail", args=[gone.pk])).content.decode()
    assert 'data-testid="transition-form"' not in page  # a closed case offers no move


def test_vetting_queue_review_and_refusals(
    commission_client: Any, gao_client: Any, admin_client: Any
) -> None:
    CombatantFactory.create(family_name="Ag Sidati", given_name="Mohamed", birth_year=1975)
    upload = "name;aliases;birth_year;movement;reason\nMohammed Ould Sidatti;;1976;;Exécutions\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin_client.post(reverse("ddr:watchlist-import"), {"file": SimpleUploadedFile("l.csv", upload.encode())})
    assert WatchlistEntry.objects.count() == 1
    commission_client.post(reverse("ddr:vetting-run"))
    match = VettingMatch.objects.get()
    assert gao_client.get(reverse("ddr:vetting-queue")).status_code == 403
    queue = commission_client.get(reverse("ddr:vetting-queue")).content.decode()
    assert "Ag Sidati" in queue
    decision = queue[queue.index('name="status"') : queue.index("</select>", queue.index('name="status"'))]
    assert re.findall(r'<option value="(\w*)"', decision) == ["", "cleared", "confirmed"]
    # "Cleared" is never the default on a possible war criminal.
    assert re.findall(r'<option value="(\w*)" selected', decision) == [""]
    unchosen = commission_client.post(reverse("ddr:vetting-review", args=[match.pk]), {"reason": "Photo"})
    assert unchosen.status_code == 302 and VettingMatch.objects.get().status == "pending"
    commission_client.post(
        reverse("ddr:vetting-review", args=[match.pk]), {"status": "confirmed", "reason": "Photo"}
    )
    assert Combatant.objects.get().vetting_status == "confirmed"


def test_a_bad_watch_list_file_imports_nothing_and_names_each_line(admin_client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = "name;aliases;birth_year;movement;reason\nA;;1976;;ok\n;;;;\nB;;3000;;x\nC;;;FLN;x\n"
    page = admin_client.post(
        reverse("ddr:watchlist-import"), {"file": SimpleUploadedFile("l.csv", bad.encode())}, follow=True
    ).content.decode()
    assert "ligne 4" in page and "ligne 5" in page and not WatchlistEntry.objects.exists()


def test_person_page_and_api_show_the_waiting_list_place(
    commission_client: Any, eager_tasks: Any, commission_officer: Any
) -> None:
    from ddr.eligibility import services as eligibility

    first, second = (
        CombatantFactory.create(medical_status="fit", vetting_status="clear", registered_at=dt.date(2019, 1, day))
        for day in (1, 2)
    )
    with eager_tasks():
        eligibility.ruleset_activate(
            ruleset=RuleSetFactory.create(quotas={"integration_army": {"total": 1}}), by=commission_officer
        )
    page = commission_client.get(reverse("ddr:person-detail", args=[second.pk])).content.decode()
    assert "liste d'attente, rang 1" in page
    people = {p["registration_number"]: p for p in commission_client.get("/api/people/").json()["results"]}
    assert people[second.registration_number]["waitlist_position"] == 1
    assert people[first.registration_number]["waitlist_position"] is None
