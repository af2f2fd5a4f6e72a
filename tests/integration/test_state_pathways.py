"""Pathways into the State besides the army's cohorts: the steps per structure as plain rules, the
refusals (wrong pathway, a child, out of region, an analyst), the audit of every step, the
reclassification between corps, the defectors' "recruited", and the list page's queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from ddr.models import Category, Combatant, MedicalStatus, Pathway
from integration import rules, services
from integration.models import (
    Candidate,
    Cohort,
    Corps,
    Intake,
    Placement,
    PlacementStep,
    Reclassification,
    Step,
    Structure,
)
from integration.services import IntegrationRefused

from ..factories import CombatantFactory, UnitFactory, region

TODAY = timezone.localdate()
DAY = dt.date(2021, 1, 11)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def facts(**kw: Any) -> rules.PlacementFacts:
    return rules.PlacementFacts(**{"pathway": "recall", "category": "ex_mdsf", **kw})


# --- the rules, without a database ---------------------------------------------------------


def test_each_structure_has_its_own_order_of_steps() -> None:
    assert rules.next_steps("recall", "proposed") == {"file_verified", "not_retained"}
    assert rules.next_steps("territorial_police", "proposed") == {"fit", "not_retained"}
    assert rules.next_steps("recall", "reinstated") == frozenset()
    assert rules.is_final("recruitment", "recruited")
    assert not rules.is_final("recall", "reported")
    # A recall has no medical step; a police intake has no "reinstated".
    field, message = rules.step_refusal("recall", "proposed", "fit", facts(original_corps="army"))
    assert field == "to" and "does not follow" in message
    assert rules.step_refusal("territorial_police", "in_training", "reinstated", facts())[0] == "to"


def test_a_recall_needs_the_original_corps_and_the_former_service_number() -> None:
    assert rules.missing_needs("recall", "proposed", facts())[0] == (
        "original_corps",
        "A recall needs the person's original corps.",
    )
    assert [f for f, _m in rules.missing_needs("recall", "proposed", facts(original_corps="army"))] == [
        "former_service_number"
    ]
    assert (
        rules.missing_needs("recall", "proposed", facts(original_corps="army", former_service_number="A1"))
        == []
    )


def test_the_civil_service_takes_only_people_oriented_to_it() -> None:
    wrong = rules.PlacementFacts(pathway="integration_army", category="civilian_cadre")
    assert "takes only people oriented to it" in rules.pathway_refusal("civil_service", wrong)
    field, _message = rules.step_refusal("civil_service", "proposed", "file_verified", wrong)
    assert field == "person"
    right = rules.PlacementFacts(pathway="integration_civil", category="civilian_cadre")
    assert rules.step_refusal("civil_service", "proposed", "file_verified", right) == ("", "")
    # The appointment needs its post.
    assert rules.step_refusal("civil_service", "in_training", "appointed", right)[0] == "post"


def test_only_defectors_are_recruited_and_a_medical_step_needs_fitness() -> None:
    armed = rules.PlacementFacts(pathway="integration_army", category="combatant_armed")
    assert rules.pathway_refusal("recruitment", armed) == "Only defectors are recruited through this process."
    defector = rules.PlacementFacts(pathway="integration_army", category="defector")
    assert rules.step_refusal("recruitment", "proposed", "fit", defector)[0] == "medical_fit"
    fit = rules.PlacementFacts(pathway="integration_army", category="defector", medical_fit=True)
    assert rules.step_refusal("recruitment", "proposed", "fit", fit) == ("", "")
    # Leaving the process needs nothing but to be on the way.
    assert rules.step_refusal("recruitment", "proposed", "not_retained", armed) == ("", "")


# --- services ------------------------------------------------------------------------------


def _intake(structure: str = Structure.RECALL, code: str = "GAO", by: Any = None, **kw: Any) -> Intake:
    return services.intake_create(
        name=kw.pop("name", f"{structure} {code} {Intake.objects.count()}"),
        structure=structure,
        region=region(code),
        opened_on=DAY,
        by=by,
        **kw,
    )


def _ex_mdsf(code: str = "GAO", **kw: Any) -> Combatant:
    return CombatantFactory.create(
        region=region(code), category=Category.EX_MDSF, pathway=Pathway.RECALL, status="oriented", **kw
    )


def _recall(intake: Intake, person: Combatant, by: Any) -> Placement:
    return services.placement_add(
        intake=intake,
        person=person,
        by=by,
        on=DAY,
        original_corps=Corps.GENDARMERIE,
        former_service_number="g-1234",
    )


@pytest.mark.django_db
def test_recall_from_proposed_to_reinstated_with_every_step_dated_and_audited(
    commission_officer: Any,
) -> None:
    intake = _intake(by=commission_officer)
    person = _ex_mdsf()
    placement = _recall(intake, person, commission_officer)
    assert placement.corps == Corps.GENDARMERIE and placement.former_service_number == "G-1234"
    for k, to in enumerate([Step.FILE_VERIFIED, Step.REPORTED, Step.REINSTATED], start=1):
        placement = services.placement_advance(
            placement=placement, to=to, on=DAY + dt.timedelta(days=k), by=commission_officer, decided_by="CNI"
        )
    assert placement.status == Step.REINSTATED and placement.completed_on == DAY + dt.timedelta(days=3)
    steps = list(PlacementStep.objects.filter(placement=placement).values_list("status", "decided_by"))
    assert steps == [("proposed", ""), ("file_verified", "CNI"), ("reported", "CNI"), ("reinstated", "CNI")]
    history = list(placement.history.order_by("history_id"))
    assert [h.status for h in history] == ["proposed", "file_verified", "reported", "reinstated"]
    assert {h.history_user for h in history} == {commission_officer}
    assert history[-1].history_change_reason == "decided by CNI"
    # The person's case followed: in training on reporting, then integrated.
    person.refresh_from_db()
    assert person.status == Combatant.Status.INTEGRATED
    # Nothing follows the last step.
    with pytest.raises(IntegrationRefused):
        services.placement_advance(placement=placement, to=Step.NOT_RETAINED, on=TODAY, by=commission_officer)


@pytest.mark.django_db
def test_a_step_out_of_order_or_before_the_previous_one_is_refused(commission_officer: Any) -> None:
    placement = _recall(_intake(by=commission_officer), _ex_mdsf(), commission_officer)
    with pytest.raises(IntegrationRefused, match="does not follow it"):
        services.placement_advance(placement=placement, to=Step.REINSTATED, on=DAY, by=commission_officer)
    with pytest.raises(IntegrationRefused, match="before the previous one"):
        services.placement_advance(
            placement=placement, to=Step.FILE_VERIFIED, on=DAY - dt.timedelta(days=1), by=commission_officer
        )
    placement.refresh_from_db()
    assert placement.status == Step.PROPOSED and placement.steps.count() == 1


@pytest.mark.django_db
def test_a_person_of_another_pathway_is_refused_with_a_clear_error(commission_officer: Any) -> None:
    civil = _intake(Structure.CIVIL_SERVICE, by=commission_officer)
    armed = CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY, category=Category.CIVILIAN_CADRE)
    with pytest.raises(IntegrationRefused) as refused:
        services.placement_add(intake=civil, person=armed, by=commission_officer)
    assert refused.value.field == "person"
    assert "“Integration: armed forces”" in str(refused.value)
    assert not Placement.objects.exists()
    # A recall without the original corps is refused on that field.
    with pytest.raises(IntegrationRefused) as refused:
        services.placement_add(
            intake=_intake(by=commission_officer), person=_ex_mdsf(), by=commission_officer
        )
    assert refused.value.field == "original_corps"


@pytest.mark.django_db
def test_a_step_is_refused_once_the_persons_pathway_has_changed(commission_officer: Any) -> None:
    cadre = CombatantFactory.create(pathway=Pathway.INTEGRATION_CIVIL, category=Category.CIVILIAN_CADRE)
    placement = services.placement_add(
        intake=_intake(Structure.CIVIL_SERVICE, by=commission_officer), person=cadre, by=commission_officer
    )
    Combatant.objects.filter(pk=cadre.pk).update(pathway=Pathway.REINSERTION)
    with pytest.raises(IntegrationRefused, match="this process takes only people oriented to it"):
        services.placement_advance(
            placement=placement, to=Step.FILE_VERIFIED, on=TODAY, by=commission_officer
        )
    # Leaving the process stays possible.
    left = services.placement_advance(
        placement=placement, to=Step.NOT_RETAINED, on=TODAY, by=commission_officer
    )
    assert left.status == Step.NOT_RETAINED and left.completed_on is None


@pytest.mark.django_db
def test_a_child_is_never_placed(commission_officer: Any) -> None:
    child = CombatantFactory.create(
        category=Category.CHILD, pathway=Pathway.RECALL, birth_year=TODAY.year - 15
    )
    with pytest.raises(IntegrationRefused):
        _recall(_intake(by=commission_officer), child, commission_officer)
    assert not Placement.objects.exists()


@pytest.mark.django_db
def test_one_process_at_a_time(commission_officer: Any) -> None:
    person = _ex_mdsf()
    _recall(_intake(by=commission_officer), person, commission_officer)
    with pytest.raises(IntegrationRefused, match="already in"):
        _recall(_intake(by=commission_officer), person, commission_officer)


# --- reclassification ----------------------------------------------------------------------


def _reinstated(by: Any, code: str = "GAO") -> Placement:
    placement = _recall(_intake(code=code, by=by), _ex_mdsf(code), by)
    for k, to in enumerate([Step.FILE_VERIFIED, Step.REPORTED, Step.REINSTATED], start=1):
        placement = services.placement_advance(
            placement=placement, to=to, on=DAY + dt.timedelta(days=k), by=by
        )
    return placement


@pytest.mark.django_db
def test_reclassification_between_corps_is_audited_and_kept(commission_officer: Any) -> None:
    placement = _reinstated(commission_officer)
    moved = services.reclassify(
        person=placement.combatant,
        to_corps=Corps.NATIONAL_GUARD,
        on=DAY + dt.timedelta(days=60),
        reason="Décret 0874/P-RM : reclassement",
        decided_by="CNI",
        by=commission_officer,
    )
    assert (moved.from_corps, moved.to_corps, moved.placement) == (
        Corps.GENDARMERIE,
        Corps.NATIONAL_GUARD,
        placement,
    )
    placement.refresh_from_db()
    assert placement.corps == Corps.NATIONAL_GUARD
    assert placement.history.first().history_change_reason == "reclassified by CNI"
    assert moved.history.count() == 1
    # A second move starts from the corps the first one reached; the first stays.
    again = services.reclassify(
        person=placement.combatant,
        to_corps=Corps.ARMY,
        on=TODAY,
        reason="Besoin",
        decided_by="CNI",
        by=commission_officer,
    )
    assert again.from_corps == Corps.NATIONAL_GUARD
    assert Reclassification.objects.count() == 2


@pytest.mark.django_db
def test_reclassification_refusals(commission_officer: Any) -> None:
    placement = _recall(_intake(by=commission_officer), _ex_mdsf(), commission_officer)
    kwargs: dict[str, Any] = {"on": TODAY, "reason": "r", "decided_by": "CNI", "by": commission_officer}
    with pytest.raises(IntegrationRefused, match="serves in no corps yet"):
        services.reclassify(person=placement.combatant, to_corps=Corps.ARMY, **kwargs)
    done = _reinstated(commission_officer)
    with pytest.raises(IntegrationRefused, match="already serves in this corps"):
        services.reclassify(person=done.combatant, to_corps=Corps.GENDARMERIE, **kwargs)
    with pytest.raises(IntegrationRefused, match="needs its reason"):
        services.reclassify(person=done.combatant, to_corps=Corps.ARMY, **{**kwargs, "reason": " "})
    with pytest.raises(IntegrationRefused, match="Say which body"):
        services.reclassify(person=done.combatant, to_corps=Corps.ARMY, **{**kwargs, "decided_by": ""})
    assert not Reclassification.objects.exists()


# --- defectors are recruited ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_defector_is_recruited_not_integrated(commission_officer: Any) -> None:
    defector = CombatantFactory.create(
        category=Category.DEFECTOR, pathway=Pathway.INTEGRATION_ARMY, medical_status=MedicalStatus.FIT
    )
    intake = _intake(Structure.RECRUITMENT, code="MOP", by=commission_officer)
    assert intake.corps == Corps.ARMY
    placement = services.placement_add(intake=intake, person=defector, by=commission_officer, on=DAY)
    for k, to in enumerate([Step.FIT, Step.IN_TRAINING, Step.RECRUITED], start=1):
        placement = services.placement_advance(
            placement=placement, to=to, on=DAY + dt.timedelta(days=k), by=commission_officer
        )
    assert placement.get_status_display() == "Recruited into the armed forces"
    # Through an army cohort too, the audit says "recruited".
    other = CombatantFactory.create(
        category=Category.DEFECTOR, pathway=Pathway.INTEGRATION_ARMY, status="oriented"
    )
    unit = UnitFactory.create()
    cohort = services.cohort_create(name="C", region=region("GAO"), by=commission_officer, target_unit=unit)
    candidate = services.candidate_add(cohort=cohort, person=other, by=commission_officer)
    Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.TRAINED)
    Combatant.objects.filter(pk=other.pk).update(status="in_training")
    services.candidate_assign(candidate=candidate, unit=unit, on=TODAY, by=commission_officer)
    assert other.history.first().history_change_reason == f"recruited into {unit}"
    assert Cohort.objects.count() == 1


# --- screens, scope and the API ------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_counts_each_structure_step_in_constant_queries(
    commission_officer: Any, commission_client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        intake = _intake(Structure.RECALL if n % 2 else Structure.CIVIL_SERVICE, by=commission_officer)
        for _k in range(2):
            if intake.structure == Structure.RECALL:
                _recall(intake, _ex_mdsf(), commission_officer)
            else:
                services.placement_add(
                    intake=intake,
                    person=CombatantFactory.create(
                        pathway=Pathway.INTEGRATION_CIVIL, category=Category.CIVILIAN_CADRE
                    ),
                    by=commission_officer,
                )
    with django_assert_max_num_queries(14) as few:
        response = commission_client.get(reverse("integration:state-list"))
    assert response.status_code == 200
    for _n in range(6):
        _intake(Structure.TERRITORIAL_POLICE, by=commission_officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert commission_client.get(reverse("integration:state-list")).status_code == 200
    with translation.override("fr"):
        assert escape(str(Structure.RECALL.label)) in response.content.decode()  # the page is in French


@pytest.mark.django_db
def test_a_regional_officer_sees_only_their_region(
    commission_officer: Any, gao_client: Client, gao_officer: Any
) -> None:
    gao = _intake(by=commission_officer, name="Rappel Gao")
    kidal = _intake(code="KID", by=commission_officer, name="Rappel Kidal")
    kidal_person = _recall(kidal, _ex_mdsf("KID"), commission_officer)
    # A Kidal person proposed in Gao's intake: hidden from Gao's officer, in lists and counts.
    _recall(gao, _ex_mdsf("KID"), commission_officer)
    gao_person = _recall(gao, _ex_mdsf("GAO", given_name="Alhousseini"), commission_officer)
    page = gao_client.get(reverse("integration:state-list")).content.decode()
    assert "Rappel Gao" in page and "Rappel Kidal" not in page
    assert gao_client.get(reverse("integration:state-intake-detail", args=[kidal.pk])).status_code == 404
    detail = gao_client.get(reverse("integration:state-intake-detail", args=[gao.pk])).content.decode()
    assert gao_person.combatant.registration_number in detail
    assert kidal_person.combatant.registration_number not in detail
    step = reverse("integration:state-placement-step", args=[kidal_person.pk])
    assert (
        gao_client.post(
            step, {f"p{kidal_person.pk}-to": "file_verified", f"p{kidal_person.pk}-on": "2021-02-01"}
        ).status_code
        == 404
    )
    kidal_person.refresh_from_db()
    assert kidal_person.status == Step.PROPOSED
    # Their own: advanced through the form.
    response = gao_client.post(
        reverse("integration:state-placement-step", args=[gao_person.pk]),
        {
            f"p{gao_person.pk}-to": "file_verified",
            f"p{gao_person.pk}-on": "2021-02-01",
            f"p{gao_person.pk}-decided_by": "CNI",
        },
    )
    assert response.status_code == 302
    gao_person.refresh_from_db()
    assert gao_person.status == Step.FILE_VERIFIED
    assert gao_person.history.first().history_user == gao_officer


@pytest.mark.django_db
def test_a_childs_placement_never_appears(commission_officer: Any, commission_client: Client) -> None:
    intake = _intake(by=commission_officer)
    child = CombatantFactory.create(
        category=Category.CHILD, pathway=Pathway.RECALL, birth_year=TODAY.year - 15
    )
    hidden = Placement.objects.create(
        intake=intake, combatant=child, original_corps="army", former_service_number="X1"
    )
    page = commission_client.get(
        reverse("integration:state-intake-detail", args=[intake.pk])
    ).content.decode()
    assert child.registration_number not in page
    assert services.state_counts([intake], commission_officer) == {}
    assert (
        commission_client.post(reverse("integration:state-placement-step", args=[hidden.pk]), {}).status_code
        == 404
    )


@pytest.mark.django_db
def test_analysts_read_counts_never_names(commission_officer: Any, analyst_client: Client) -> None:
    intake = _intake(by=commission_officer, name="Rappel Gao")
    people = [_recall(intake, _ex_mdsf(), commission_officer) for _n in range(6)]
    services.placement_advance(placement=people[0], to=Step.FILE_VERIFIED, on=TODAY, by=commission_officer)
    assert analyst_client.get(reverse("integration:state-intake-detail", args=[intake.pk])).status_code == 403
    page = analyst_client.get(reverse("integration:state-list")).content.decode()
    assert people[1].combatant.registration_number not in page
    assert reverse("integration:state-intake-detail", args=[intake.pk]) not in page
    data = analyst_client.get(reverse("api-state-pathways")).json()
    # 5 proposed are shown; the single "file verified" is a small cell, left out.
    assert data == [{"structure": "recall", "step": "proposed", "count": 5}]
    assert not any("registration" in key or "name" in key for row in data for key in row)


@pytest.mark.django_db
def test_the_person_page_shows_the_placement(commission_officer: Any, commission_client: Client) -> None:
    placement = _reinstated(commission_officer)
    services.reclassify(
        person=placement.combatant,
        to_corps=Corps.ARMY,
        on=TODAY,
        reason="Besoin",
        decided_by="CNI",
        by=commission_officer,
    )
    commission_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the steps read in English here
    page = commission_client.get(reverse("ddr:person-detail", args=[placement.combatant_id])).content.decode()
    assert 'data-testid="person-placements"' in page
    assert placement.intake.name in page
    assert "Reinstated in the original corps" in page
    assert "Reclassified from National gendarmerie to Armed forces (FAMa)" in page


@pytest.mark.django_db
def test_the_intake_page_reads_in_constant_queries_and_a_step_names_its_decision(
    commission_officer: Any, commission_client: Client, django_assert_max_num_queries: Any
) -> None:
    from core.models import Decision

    decision = Decision.objects.create(
        body="nic", taken_on=DAY, title="Rappel des ex-MDSF", recorded_by=commission_officer
    )
    intake = _intake(by=commission_officer)
    people = [_recall(intake, _ex_mdsf(), commission_officer) for _n in range(2)]
    url = reverse("integration:state-intake-detail", args=[intake.pk])
    with django_assert_max_num_queries(40) as few:
        assert commission_client.get(url).status_code == 200
    people += [_recall(intake, _ex_mdsf(), commission_officer) for _n in range(4)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = commission_client.get(url).content.decode()
    assert all(p.combatant.registration_number in page for p in people)
    first = people[0]
    response = commission_client.post(
        reverse("integration:state-placement-step", args=[first.pk]),
        {
            f"p{first.pk}-to": "file_verified",
            f"p{first.pk}-on": "2021-02-01",
            f"p{first.pk}-decision": decision.pk,
        },
    )
    assert response.status_code == 302
    step = PlacementStep.objects.get(placement=first, status="file_verified")
    assert (step.decision, step.decided_by) == (decision, "CNI")  # the acronym in the page's language


@pytest.mark.django_db
def test_the_2019_rank_table_says_what_the_report_gives_and_what_it_does_not() -> None:
    from integration.models import RankTable

    table = RankTable.objects.get(effective_from=dt.date(2019, 10, 30))
    assert "0874/P-RM" in table.decree and "reclassement" in table.decree
    assert "aucun chiffre du rapport" in table.note
    deputy = [p for p in table.command_positions if "adjoint" in p["position"]]
    assert {p["structure"] for p in deputy} == {"Forces armées maliennes", "Garde nationale"}
    assert all(p["number"] is None and "Refusé" in p["outcome"] for p in deputy)
    assert table.rules.count() == 14  # the lines of 0003, kept: no line of the decree is in the report


def test_a_defector_in_the_forces_reads_recruited_and_the_funnel_says_both_words() -> None:
    from programme.dashboard import FUNNEL

    with translation.override("en"):
        defector = Combatant(status=Combatant.Status.INTEGRATED, category=Category.DEFECTOR)
        combatant = Combatant(status=Combatant.Status.INTEGRATED, category=Category.COMBATANT_ARMED)
        assert defector.get_status_display() == "Recruited into the armed forces"
        assert combatant.get_status_display() == "Integrated"
        assert "Integrated or recruited (defectors)" in [str(label) for label, _statuses in FUNNEL]


@pytest.mark.django_db
def test_the_analysts_api_adds_up_the_visible_cells_of_the_page_and_nothing_more(
    commission_officer: Any, analyst_client: Client
) -> None:
    """Two intakes of one structure: one of 6 people, one of 2. The API's figure is the sum of the
    cells the intakes' page shows (6), so no difference gives the small intake's 2 back."""
    big, small = _intake(by=commission_officer, name="Rappel Gao"), _intake(by=commission_officer, name="Rappel Kati")
    for _n in range(6):
        _recall(big, _ex_mdsf(), commission_officer)
    for _n in range(2):
        _recall(small, _ex_mdsf(), commission_officer)
    assert analyst_client.get(reverse("api-state-pathways")).json() == [
        {"structure": "recall", "step": "proposed", "count": 6}
    ]
