"""Hand-overs in kind on the card's QR token: once, to someone who may benefit, never before the
enrolment; and the "paid twice" list after a merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from ddr.duplicates.services import pair_merge
from ddr.models import Combatant, Distribution, DuplicatePair, Enrolment, Entitlement, card_token_for
from ddr.reintegration.payments import selectors, services
from ddr.reintegration.payments.services import DistributionRefused

from ...factories import region
from .payments_setup import ENROLLED_ON, all_paid, approver, enrolled, exported, statement_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English here (French is the default), in French where it says so."""
    with translation.override("en"):
        yield


ON = dt.date(2024, 2, 15)


def toolkit(person: Combatant) -> Entitlement:
    return Entitlement.objects.get(combatant=person, component__delivery="in_kind")


def hand_over(
    person: Combatant, by: Any, entitlement: Entitlement | None = None, **kwargs: Any
) -> Distribution:
    options: dict[str, Any] = {
        "token": card_token_for(person.pk),
        "entitlement": entitlement or toolkit(person),
        "place": "Site de Gao",
        "confirmation": "thumbprint",
        "on": ON,
        "by": by,
    }
    return services.distribution_record(**{**options, **kwargs})


def test_the_card_token_finds_the_person_in_scope(commission_officer: Any, gao_officer: Any) -> None:
    gao, kidal = enrolled(commission_officer, 1, region=region("GAO")) + enrolled(
        commission_officer, 1, region=region("KID")
    )
    assert selectors.person_for_token(card_token_for(gao.pk).lower() + " ", gao_officer) == gao
    assert selectors.person_for_token(card_token_for(kidal.pk), gao_officer) is None
    assert selectors.person_for_token("DDR-NOTATOKEN", commission_officer) is None


def test_a_hand_over_delivers_the_entitlement(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    distribution = hand_over(person, commission_officer)
    entitlement = toolkit(person)
    assert (entitlement.state, entitlement.settled_on) == ("delivered", ON)
    assert (distribution.combatant, distribution.handed_over_by, distribution.place) == (
        person,
        commission_officer,
        "Site de Gao",
    )
    assert Distribution.history.filter(history_user=commission_officer).count() == 1


def test_already_handed_over_is_refused(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    hand_over(person, commission_officer)
    with pytest.raises(DistributionRefused, match="Already handed over on 15/02/2024"):
        hand_over(person, commission_officer)
    assert Distribution.objects.count() == 1


def test_the_database_refuses_a_second_distribution(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    first = hand_over(person, commission_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Distribution.objects.create(
            entitlement=first.entitlement,
            combatant=person,
            handed_over_on=ON,
            place="ailleurs",
            confirmation="signature",
            handed_over_by=commission_officer,
        )


def test_a_merged_persons_card_is_refused(commission_officer: Any) -> None:
    kept, absorbed = enrolled(commission_officer, 2)
    Combatant.objects.filter(pk=absorbed.pk).update(status=Combatant.Status.MERGED, merged_into=kept)
    with pytest.raises(
        DistributionRefused, match=f"merged into another record.*card of {kept.registration_number}"
    ):
        hand_over(absorbed, commission_officer)
    assert toolkit(absorbed).state == "due"


def test_an_excluded_persons_card_is_refused(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    Combatant.objects.filter(pk=person.pk).update(vetting_status="confirmed")
    with pytest.raises(DistributionRefused, match="excluded"):
        hand_over(person, commission_officer)


def test_a_childs_card_is_refused(child_protection_officer: Any, commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    Combatant.objects.filter(pk=person.pk).update(category="child")
    with pytest.raises(DistributionRefused, match="No card"):  # staff never see a child
        hand_over(person, commission_officer)
    with pytest.raises(DistributionRefused, match="is a child"):
        hand_over(person, child_protection_officer)


def test_a_cash_entitlement_or_someone_elses_is_refused(commission_officer: Any) -> None:
    person, other = enrolled(commission_officer, 2)
    cash = Entitlement.objects.filter(combatant=person, component__delivery="cash").first()
    with pytest.raises(DistributionRefused, match="not given in kind"):
        hand_over(person, commission_officer, entitlement=cash)
    with pytest.raises(DistributionRefused, match="not the card holder's"):
        hand_over(person, commission_officer, entitlement=toolkit(other))


def test_a_hand_over_before_the_enrolment_or_in_the_future_is_refused(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    with pytest.raises(DistributionRefused, match="before the enrolment"):
        hand_over(person, commission_officer, on=ENROLLED_ON - dt.timedelta(days=1))
    with pytest.raises(DistributionRefused, match="future"):
        hand_over(person, commission_officer, on=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(DistributionRefused, match="site or event"):
        hand_over(person, commission_officer, place=" ")
    assert not Distribution.objects.exists()


def test_a_dropped_enrolment_hands_nothing_over(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    Enrolment.objects.filter(combatant=person).update(status="dropped")
    with pytest.raises(DistributionRefused, match="no longer active"):
        hand_over(person, commission_officer)


def test_another_regions_card_is_not_found(commission_officer: Any, gao_officer: Any) -> None:
    person = enrolled(commission_officer, 1, region=region("KID"))[0]
    with pytest.raises(DistributionRefused, match="No card"):
        hand_over(person, gao_officer)


# --- paid twice -----------------------------------------------------------------------------------


def merge(first: Combatant, second: Combatant, by: Any) -> None:
    low, high = sorted([first, second], key=lambda p: p.pk)
    pair = DuplicatePair.objects.create(first=low, second=high, score=0.97)
    pair_merge(pair=pair, by=by)


def test_entitlements_paid_to_two_records_of_one_person_are_listed(
    commission_officer: Any, eager_tasks: Any
) -> None:
    kept, absorbed, alone = enrolled(commission_officer, 3)
    checker = approver()
    batch = exported(commission_officer, checker)
    with eager_tasks():
        services.statement_import_start(
            batch=batch, data=statement_csv(all_paid(batch)), filename="r.csv", by=checker
        )
    hand_over(kept, commission_officer)
    hand_over(absorbed, commission_officer)
    assert not selectors.paid_twice(commission_officer).exists()
    merge(kept, absorbed, commission_officer)
    twice = list(selectors.paid_twice(commission_officer))
    assert {e.combatant_id for e in twice} == {kept.pk, absorbed.pk}
    assert len(twice) == 4  # the first tranche and the toolkit, each settled on both records
    assert {e.person_id for e in twice} == {kept.pk}  # type: ignore[attr-defined]
    rows = selectors.recovery_rows(selectors.paid_twice(commission_officer))
    assert [r["first"] for r in rows] == [True, False, True, False]
    assert {r["how"] for r in rows} >= {"Site de Gao"}
    assert alone.pk not in {e.combatant_id for e in twice}


def test_an_undone_merge_is_not_listed(commission_officer: Any) -> None:
    from ddr.duplicates.services import merge_undo
    from ddr.models import Merge

    kept, absorbed = enrolled(commission_officer, 2)
    hand_over(kept, commission_officer)
    hand_over(absorbed, commission_officer)
    merge(kept, absorbed, commission_officer)
    assert selectors.paid_twice(commission_officer).count() == 2
    merge_undo(merge=Merge.objects.get(), by=commission_officer)
    assert not selectors.paid_twice(commission_officer).exists()
