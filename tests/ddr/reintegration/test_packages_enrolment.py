"""Enrolment of one person: each refusal says why and changes nothing; an enrolment plans one
entitlement per component; a dropout cancels what was still due; settling the entitlements
delivers the enrolment and makes the person "reinserted"."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from ddr.duplicates.models import DuplicatePair
from ddr.models import (
    Category,
    Combatant,
    Enrolment,
    Entitlement,
    Package,
    Pathway,
    Phase,
    Sex,
    VettingStatus,
)
from ddr.reintegration.packages import rules, services
from ddr.reintegration.packages.services import EnrolmentRefused

from ...factories import CombatantFactory, PackageFactory

pytestmark = pytest.mark.django_db

S = Combatant.Status
ON = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Messages in English (pages included: French is the default), whatever the catalogue holds."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _oriented(**facts: Any) -> Combatant:
    person: Combatant = CombatantFactory.create(
        **{
            "status": S.ORIENTED,
            "pathway": Pathway.REINSERTION,
            "vetting_status": VettingStatus.CLEAR,
            **facts,
        }
    )
    return person


def _nothing_written() -> None:
    assert not Enrolment.objects.exists()
    assert not Entitlement.objects.exists()
    assert not Enrolment.history.exists()


def _refused(person: Combatant, package: Package, by: Any, on: dt.date = ON) -> str:
    with pytest.raises(EnrolmentRefused) as refused:
        services.enrolment_create(person=person, package=package, on=on, by=by)
    return str(refused.value)


def test_enrolment_plans_one_entitlement_per_component_with_its_date(commission_officer: Any) -> None:
    person = _oriented()
    package = PackageFactory.create()
    enrolment = services.enrolment_create(person=person, package=package, on=ON, by=commission_officer)
    planned = list(
        enrolment.entitlements.order_by("component__position").values_list("amount_xof", "due_on", "state")
    )
    assert planned == [
        (75_000, ON, "due"),
        (75_000, ON + dt.timedelta(days=90), "due"),
        (250_000, ON + dt.timedelta(days=30), "due"),
    ]
    assert set(enrolment.entitlements.values_list("combatant_id", flat=True)) == {person.pk}
    assert enrolment.history.get().history_user == commission_officer
    assert Entitlement.history.filter(history_type="+").count() == 3


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"category": Category.CHILD, "status": S.REFERRED}, "is a child: referred to child protection"),
        ({"status": S.MERGED}, "is a duplicate merged into another record"),
        ({"status": S.EXCLUDED}, "is excluded from the programme"),
        ({"vetting_status": VettingStatus.CONFIRMED}, "is excluded from the programme"),
        ({"pathway": Pathway.EXCLUDED}, "is excluded from the programme"),
        ({"status": S.DECEASED}, "is recorded as deceased"),
    ],
    ids=["child", "merged", "excluded", "vetting", "excluded pathway", "deceased"],
)
def test_a_person_who_may_not_benefit_is_refused_and_nothing_changes(
    facts: dict[str, Any], message: str, commission_officer: Any
) -> None:
    person = _oriented(**facts)
    refusal = _refused(person, PackageFactory.create(), commission_officer)
    assert person.registration_number in refusal and message in refusal
    _nothing_written()


def test_a_person_in_an_open_duplicate_pair_is_refused(commission_officer: Any) -> None:
    person, other = _oriented(), _oriented()
    first, second = sorted([person, other], key=lambda p: p.pk)
    pair = DuplicatePair.objects.create(first=first, second=second, score=0.9)
    refusal = _refused(person, PackageFactory.create(), commission_officer)
    assert "pair of probable duplicates still to review" in refusal
    _nothing_written()
    pair.status = DuplicatePair.Status.DIFFERENT  # decided: no longer a bar
    pair.save()
    services.enrolment_create(person=person, package=Package.objects.get(), on=ON, by=commission_officer)


def test_a_package_not_in_force_is_refused(commission_officer: Any) -> None:
    package = PackageFactory.create(effective_from=dt.date(2026, 1, 1), effective_to=dt.date(2026, 3, 1))
    refusal = _refused(_oriented(), package, commission_officer)
    assert refusal == f"{package} is not in force on 02 Mar 2026."
    assert _refused(_oriented(), package, commission_officer, on=dt.date(2025, 12, 31)).endswith(
        "31 Dec 2025."
    )
    _nothing_written()


def test_a_pathway_the_package_does_not_serve_is_refused(commission_officer: Any) -> None:
    package = PackageFactory.create(pathways=[Pathway.COMMUNITY])
    person = _oriented(pathway=Pathway.INTEGRATION_ARMY)
    refusal = _refused(person, package, commission_officer)
    assert (
        refusal
        == f"{person.registration_number} is oriented to “Integration: armed forces”, which {package} does not serve."
    )
    _nothing_written()


def test_a_category_the_package_does_not_serve_is_refused(commission_officer: Any) -> None:
    package = PackageFactory.create(categories=[Category.COMBATANT_UNARMED])
    refusal = _refused(_oriented(), package, commission_officer)
    assert "a category" in refusal and "does not serve" in refusal
    _nothing_written()


def test_a_women_only_package_refuses_a_man(commission_officer: Any) -> None:
    package = PackageFactory.create(women_only=True, categories=[Category.WOMAN_ASSOCIATED])
    man = _oriented(category=Category.WOMAN_ASSOCIATED, sex=Sex.MALE)
    assert _refused(man, package, commission_officer) == f"{package} is for women only."
    _nothing_written()
    woman = _oriented(category=Category.WOMAN_ASSOCIATED, sex=Sex.FEMALE)
    services.enrolment_create(person=woman, package=package, on=ON, by=commission_officer)


def test_enrolled_twice_is_refused_whatever_the_version(commission_officer: Any) -> None:
    person = _oriented()
    package = PackageFactory.create()
    services.enrolment_create(person=person, package=package, on=ON, by=commission_officer)
    refusal = _refused(person, package, commission_officer)
    assert refusal == f"{person.registration_number} is already enrolled in {package}."
    newer = services.package_new_version(source=package, by=commission_officer)
    later = newer.effective_from + dt.timedelta(days=1)
    assert "is already enrolled" in _refused(person, newer, commission_officer, on=later)
    assert Enrolment.objects.count() == 1 and Entitlement.objects.count() == 3


def test_a_package_without_components_takes_nobody(commission_officer: Any) -> None:
    package = PackageFactory.create(components=False)
    assert "has no component yet" in _refused(_oriented(), package, commission_officer)
    _nothing_written()


def test_the_refusal_order_matches_the_query_form() -> None:
    """The rule for one person and its CASE over a cohort give the same reason (checked in the
    cohort tests against the database); here the order on plain values."""
    package = SimpleNamespace(
        code="p", effective_from=dt.date(2020, 1, 1), effective_to=None, pathways=["community"], categories=[],
        women_only=True,
    )  # fmt: skip
    person = SimpleNamespace(
        category=Category.COMBATANT_ARMED, status=S.ORIENTED, merged_into_id=None, vetting_status="",
        pathway=Pathway.REINSERTION, sex=Sex.MALE,
    )  # fmt: skip
    assert rules.package_bar(person, package, ON, in_open_pair=True, enrolled=True) == rules.IN_OPEN_PAIR
    assert rules.package_bar(person, package, ON, in_open_pair=False, enrolled=True) == rules.PATHWAY
    person.pathway = "community"
    assert rules.package_bar(person, package, ON, in_open_pair=False, enrolled=True) == rules.WOMEN_ONLY
    person.sex = Sex.FEMALE
    assert rules.package_bar(person, package, ON, in_open_pair=False, enrolled=True) == rules.ALREADY
    assert rules.package_bar(person, package, ON, in_open_pair=False, enrolled=False) == ""


def test_a_dropout_cancels_what_is_still_due(commission_officer: Any) -> None:
    enrolment = services.enrolment_create(
        person=_oriented(), package=PackageFactory.create(), on=ON, by=commission_officer
    )
    first = enrolment.entitlements.get(due_on=ON)
    first.state, first.settled_on = Entitlement.State.PAID, ON
    first.save()
    with pytest.raises(EnrolmentRefused, match="Say why"):
        services.enrolment_drop(enrolment=enrolment, on=ON, reason=" ", by=commission_officer)
    with pytest.raises(EnrolmentRefused, match="before the enrolment"):
        services.enrolment_drop(
            enrolment=enrolment, on=ON - dt.timedelta(days=1), reason="Parti", by=commission_officer
        )
    assert set(enrolment.entitlements.values_list("state", flat=True)) == {"paid", "due"}
    services.enrolment_drop(enrolment=enrolment, on=ON, reason="Parti au Niger", by=commission_officer)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.dropout_reason) == (Enrolment.Status.DROPPED, "Parti au Niger")
    assert sorted(enrolment.entitlements.values_list("state", flat=True)) == [
        "cancelled",
        "cancelled",
        "paid",
    ]


def test_settling_every_entitlement_delivers_the_enrolment_and_reinserts_the_person(
    commission_officer: Any,
) -> None:
    person = _oriented()
    short = services.enrolment_create(
        person=person, package=PackageFactory.create(), on=ON, by=commission_officer
    )
    cantoned = _oriented(status=S.CANTONED)  # their case does not allow "reinserted" yet: kept
    other = services.enrolment_create(person=cantoned, package=short.package, on=ON, by=commission_officer)
    Entitlement.objects.filter(enrolment=short).exclude(due_on=ON).update(state=Entitlement.State.PAID)
    assert services.enrolments_settle(enrolment_ids=[short.pk], by=commission_officer) == (0, 0)
    Entitlement.objects.update(state=Entitlement.State.DELIVERED)
    assert services.enrolments_settle(enrolment_ids=[short.pk, other.pk], by=commission_officer) == (2, 1)
    person.refresh_from_db()
    cantoned.refresh_from_db()
    assert (person.status, cantoned.status) == (S.REINSERTED, S.CANTONED)
    assert set(Enrolment.objects.values_list("status", flat=True)) == {Enrolment.Status.COMPLETED}


def test_a_long_term_package_does_not_make_the_person_reinserted(commission_officer: Any) -> None:
    person = _oriented()
    package = PackageFactory.create(phase=Phase.REINTEGRATION)
    enrolment = services.enrolment_create(person=person, package=package, on=ON, by=commission_officer)
    Entitlement.objects.update(state=Entitlement.State.PAID)
    assert services.enrolments_settle(enrolment_ids=[enrolment.pk], by=commission_officer) == (1, 0)
    person.refresh_from_db()
    assert person.status == S.ORIENTED
