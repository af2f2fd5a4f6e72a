"""The home page's people figures come from the register tally the database keeps; for every role
they equal the register counted person by person, within the same few queries."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from accounts.models import Role, User
from core.querysets import person_scope_q
from ddr.models import Category, Combatant, Sex
from programme.selectors import programme_summary
from tests.factories import CombatantFactory, UserFactory, region


@pytest.fixture
def register(db: Any) -> None:
    for code in ("GAO", "KID", "MOP"):
        CombatantFactory.create_batch(2, region=region(code))
        CombatantFactory.create(region=region(code), sex=Sex.FEMALE, has_weapon=False,
                                category=Category.WOMAN_ASSOCIATED)
    CombatantFactory.create(region=region("GAO"), category=Category.EX_MDSF, has_weapon=False)
    CombatantFactory.create(region=region("KID"), category=Category.CHILD, has_weapon=False)
    CombatantFactory.create(region=region("GAO"), category=Category.CHILD, has_weapon=False)
    merged = CombatantFactory.create(region=region("GAO"), sex=Sex.FEMALE)
    Combatant.objects.filter(pk=merged.pk).update(status=Combatant.Status.MERGED)


def counted(user: User) -> dict[str, Any]:
    """The figures counted over the register itself, as the summary counted them before the tally."""
    visible = Combatant.objects.for_user(user).exclude(status=Combatant.Status.MERGED)
    adults = visible.none() if user.role == Role.CHILD_PROTECTION else visible
    children = Combatant.objects.filter(category=Category.CHILD).exclude(status=Combatant.Status.MERGED)
    if person_scope_q(user) is None:
        children = children.none()
    elif user.role == Role.REGIONAL_OFFICER:
        children = children.filter(region=user.region_id)
    return {
        "people": adults.count(),
        "women": adults.filter(sex=Sex.FEMALE).count(),
        "with_weapon": adults.filter(has_weapon=True).count(),
        "by_region": Counter(dict(Counter(adults.values_list("region__name", flat=True)))),
        "by_category": Counter(adults.values_list("category", flat=True)),
        "children_referred": children.count(),
    }


ROLES = [
    (Role.COMMISSION_OFFICER, None),
    (Role.ADMINISTRATOR, None),
    (Role.REGIONAL_OFFICER, "GAO"),
    (Role.REGIONAL_OFFICER, "KID"),
    (Role.CHILD_PROTECTION, None),
    (Role.FOCAL_POINT, None),
]


@pytest.mark.parametrize(("role", "code"), ROLES)
def test_home_figures_from_the_tally_equal_the_register_counted(
    register: None, role: str, code: str | None, django_assert_max_num_queries: Any
) -> None:
    user = UserFactory.create(role=role, region=region(code) if code else None)
    expected = counted(user)
    with django_assert_max_num_queries(8):  # tally, categories, children, sites, stays, units, projects
        summary = programme_summary(user)
    labels = dict(Category.choices)
    assert summary.people == expected["people"]
    assert summary.women == expected["women"]
    assert summary.with_weapon == expected["with_weapon"]
    assert Counter(dict(summary.by_region)) == expected["by_region"]
    assert dict(summary.by_category) == {str(labels[c]): n for c, n in expected["by_category"].items()}
    assert summary.children_referred == expected["children_referred"]
    assert [n for _, n in summary.by_region] == sorted((n for _, n in summary.by_region), reverse=True)


def test_regional_officer_reads_only_their_region(register: None) -> None:
    gao = UserFactory.create(role=Role.REGIONAL_OFFICER, region=region("GAO"))
    summary = programme_summary(gao)
    assert [name for name, _ in summary.by_region] == [region("GAO").name]
    assert summary.people == 4  # two combatants, a woman, an ex-MDSF: the merged record and children apart
    assert summary.children_referred == 1


def test_child_protection_and_focal_point_count_no_adult(register: None) -> None:
    protection = UserFactory.create(role=Role.CHILD_PROTECTION)
    focal = UserFactory.create(role=Role.FOCAL_POINT)
    assert (programme_summary(protection).people, programme_summary(protection).children_referred) == (0, 2)
    assert (programme_summary(focal).people, programme_summary(focal).children_referred) == (0, 0)


def test_a_scope_the_tally_cannot_answer_is_counted(register: None, monkeypatch: Any) -> None:
    from django.db.models import Q

    from programme import selectors

    commission = UserFactory.create(role=Role.COMMISSION_OFFICER)
    monkeypatch.setattr(selectors, "_tally_scope", lambda user: Q(pk=0))  # never the reader's scope
    summary = programme_summary(commission)
    assert summary.people == counted(commission)["people"]
    assert Counter(dict(summary.by_region)) == counted(commission)["by_region"]
