"""An open appeal on a merge or a pathway holds the person's payments: the batch leaves them out and
says how many, a hand-over in kind is refused; decided, they are paid again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from ddr.duplicates import services as duplicates
from ddr.models import Combatant, DuplicatePair, Entitlement, PaymentLine, card_token_for
from ddr.reintegration.payments import services as payments
from ddr.reintegration.payments.services import DistributionRefused, PaymentRefused

from ...factories import CombatantFactory
from ..reintegration.payments_setup import DUE_BY, approver, enrolled, prepared
from .appeals_setup import K, decider, filed, scheduled, uphold

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def merged_into(person: Combatant, by: Any) -> Any:
    """A later record of `person` merged into theirs (they keep their record and enrolment)."""
    twin = CombatantFactory.create(
        given_name=person.given_name,
        family_name=person.family_name,
        status=person.status,
        pathway=person.pathway,
    )
    pair = DuplicatePair.objects.create(first=person, second=twin, score=0.97, agreed=[], differed=[])
    return duplicates.pair_merge(pair=pair, by=by)


def due_cash_of(people: list[Combatant]) -> int:
    return Entitlement.objects.filter(
        combatant__in=people, state="due", component__delivery="cash", due_on__lte=DUE_BY
    ).count()


def test_a_batch_leaves_out_people_under_a_merge_or_pathway_appeal_and_counts_them(
    commission_officer: Any,
) -> None:
    contested_merge, contested_pathway, free = enrolled(commission_officer, 3)
    merge = merged_into(contested_merge, commission_officer)
    merge_appeal = filed(K.MERGE, merge.pk, commission_officer)
    filed(K.ELIGIBILITY, contested_pathway.pk, commission_officer)
    held = due_cash_of([contested_merge, contested_pathway])
    assert held >= 2
    batch = prepared(commission_officer)
    paid = set(PaymentLine.objects.filter(batch=batch).values_list("combatant_id", flat=True))
    assert paid == {free.pk}
    assert batch.criteria["held_by_appeal"] == held
    # Upheld: the merge stands and its person is paid in the next batch.
    payments.batch_cancel(batch=batch, by=commission_officer)
    boss = decider()
    uphold(scheduled(merge_appeal, boss), boss)
    again = prepared(commission_officer)
    paid = set(PaymentLine.objects.filter(batch=again).values_list("combatant_id", flat=True))
    assert paid == {free.pk, contested_merge.pk}
    assert again.criteria["held_by_appeal"] == due_cash_of([contested_pathway])


def test_a_batch_of_only_held_people_is_refused_saying_why(commission_officer: Any) -> None:
    (person,) = enrolled(commission_officer, 1)
    filed(K.ELIGIBILITY, person.pk, commission_officer)
    with pytest.raises(PaymentRefused, match="held by open appeals"):
        prepared(commission_officer)


def test_other_appeals_do_not_hold_payments(commission_officer: Any) -> None:
    from .appeals_setup import medical

    (person,) = enrolled(commission_officer, 1)
    filed(K.MEDICAL, medical(approver(), person=person, result="fit").pk, commission_officer)
    batch = prepared(commission_officer)
    assert batch.line_count == 1 and batch.criteria["held_by_appeal"] == 0


def test_a_hand_over_in_kind_is_refused_under_an_open_appeal(commission_officer: Any) -> None:
    (person,) = enrolled(commission_officer, 1)
    filed(K.ELIGIBILITY, person.pk, commission_officer)
    toolkit = Entitlement.objects.get(combatant=person, component__delivery="in_kind")
    with pytest.raises(DistributionRefused, match="open appeal") as refused:
        payments.distribution_record(
            token=card_token_for(person.pk),
            entitlement=toolkit,
            place="Site de Gao",
            confirmation="thumbprint",
            on=DUE_BY,
            by=commission_officer,
        )
    assert refused.value.field == "token"
    assert Entitlement.objects.get(pk=toolkit.pk).state == "due"
