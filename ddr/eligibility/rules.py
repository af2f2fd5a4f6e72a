"""Eligibility: a rule set decides each person's pathway, and says why.

One ordered list of branches (`branches()`) is the single source of the rules. It compiles to a
plain Python decision for one person (`decide()`, testable without a database, used to explain
a decision) and to a SQL CASE (`pathway_case()`), so that a million people are decided by a
single UPDATE. The first branch whose condition holds decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from ddr.registration.models import Category, MedicalStatus, Pathway, VettingStatus

# A person's recorded choice (ddr.reintegration.profiles.models.ChoiceOption.CIVILIAN_LIFE).
CIVILIAN_LIFE = "civilian_life"
INTEGRATION = frozenset({Pathway.INTEGRATION_ARMY, Pathway.INTEGRATION_SECURITY, Pathway.INTEGRATION_CIVIL})

# Reason codes are stored; their text is translated when shown.
REASONS: dict[str, Any] = {
    "under_age": _("Under the minimum age: separated and referred to child protection."),
    "vetting_confirmed": _("Confirmed match on the vetting watch-list (HRDDP)."),
    "vetting_missing": _("Vetting not done or a possible match is under review."),
    "age_not_verified": _("Age not yet verified."),
    "medical_missing": _("Medical examination missing or re-examination requested."),
    "medical_unfit": _("Medically unfit for integration: directed to reinsertion."),
    "no_weapon": _("No weapon declared: integration requires one."),
    "chose_civilian_life": _("Chose civilian life: oriented to socio-economic reinsertion."),
    "category_rule": _("Pathway of the person's category."),
    "category_not_eligible": _("The person's category has no pathway in this rule set."),
    "appeal_overturned": _("Pathway given by the decision on an appeal."),
}


@dataclass(frozen=True)
class Rules:
    """The parameters of a rule set, as plain values (see `RuleSet` for their meaning)."""

    name: str = "rules"
    min_age: int = 18
    integration_requires_weapon: bool = True
    medical_fitness_required: bool = True
    vetting_required: bool = True
    age_verification_required: bool = False
    civilian_choice_respected: bool = True
    category_pathways: dict[str, str] = field(default_factory=dict)
    integration_fallback: str = Pathway.REINSERTION

    @classmethod
    def of(cls, ruleset: Any) -> Rules:
        return cls(
            name=str(ruleset),
            min_age=ruleset.min_age,
            integration_requires_weapon=ruleset.integration_requires_weapon,
            medical_fitness_required=ruleset.medical_fitness_required,
            vetting_required=ruleset.vetting_required,
            age_verification_required=ruleset.age_verification_required,
            civilian_choice_respected=ruleset.civilian_choice_respected,
            category_pathways=dict(ruleset.category_pathways),
            integration_fallback=ruleset.integration_fallback,
        )


# --- conditions: each one is both a Python test and a Django Q ---------------------------


@dataclass(frozen=True)
class Is:
    """`field` equals one of `values` (None never matches, as NULL in SQL)."""

    field: str
    values: tuple[Any, ...]

    def test(self, person: Any) -> bool:
        value = getattr(person, self.field)
        return value is not None and value in self.values

    def q(self) -> Q:
        if len(self.values) == 1:
            return Q(**{self.field: self.values[0]})
        return Q(**{f"{self.field}__in": self.values})


@dataclass(frozen=True)
class Above:
    """`field` > `bound` (None never matches)."""

    field: str
    bound: int

    def test(self, person: Any) -> bool:
        value = getattr(person, self.field)
        return value is not None and value > self.bound

    def q(self) -> Q:
        return Q(**{f"{self.field}__gt": self.bound})


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Is | Above | AllOf, ...]

    def test(self, person: Any) -> bool:
        return any(p.test(person) for p in self.parts)

    def q(self) -> Q:
        result = Q()
        for p in self.parts:
            result |= p.q()
        return result


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Is | Above | AnyOf, ...]

    def test(self, person: Any) -> bool:
        return all(p.test(person) for p in self.parts)

    def q(self) -> Q:
        result = Q()
        for p in self.parts:
            result &= p.q()
        return result


Condition = Is | Above | AnyOf | AllOf


@dataclass(frozen=True)
class Branch:
    when: Condition
    pathway: str
    reason: str


@dataclass(frozen=True)
class Decision:
    pathway: str
    reason: str
    ruleset: str

    @property
    def explanation(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


def branches(rules: Rules, on: dt.date) -> list[Branch]:
    """The rules in the order they apply. `on` fixes ages (by year of birth)."""
    result = [
        Branch(
            AnyOf((Is("category", (Category.CHILD,)), Above("birth_year", on.year - rules.min_age))),
            Pathway.CHILD_REFERRAL,
            "under_age",
        ),
        Branch(Is("vetting_status", (VettingStatus.CONFIRMED,)), Pathway.EXCLUDED, "vetting_confirmed"),
    ]
    if rules.vetting_required:
        missing = (VettingStatus.NOT_VETTED, VettingStatus.PENDING)
        result.append(Branch(Is("vetting_status", missing), Pathway.PENDING, "vetting_missing"))
    if rules.age_verification_required:
        result.append(Branch(Is("age_verified", (False,)), Pathway.PENDING, "age_not_verified"))
    by_pathway: dict[str, list[str]] = {}
    for category, pathway in rules.category_pathways.items():
        by_pathway.setdefault(pathway, []).append(category)
    for pathway, categories in by_pathway.items():
        of_category = Is("category", tuple(sorted(categories)))
        if pathway in INTEGRATION:
            if rules.civilian_choice_respected:
                civilian = Is("choice", (CIVILIAN_LIFE,))
                chose = Branch(AllOf((of_category, civilian)), Pathway.REINSERTION, "chose_civilian_life")
                result.append(chose)
            if rules.medical_fitness_required:
                not_decided = Is("medical_status", (MedicalStatus.NOT_EXAMINED, MedicalStatus.REEXAMINATION))
                result.append(Branch(AllOf((of_category, not_decided)), Pathway.PENDING, "medical_missing"))
                unfit = Is("medical_status", (MedicalStatus.UNFIT,))
                result.append(
                    Branch(AllOf((of_category, unfit)), rules.integration_fallback, "medical_unfit")
                )
            if rules.integration_requires_weapon:
                unarmed = Is("has_weapon", (False,))
                result.append(Branch(AllOf((of_category, unarmed)), rules.integration_fallback, "no_weapon"))
        result.append(Branch(of_category, pathway, "category_rule"))
    return result


FALLBACK = (Pathway.EXCLUDED, "category_not_eligible")


def decide(person: Any, rules: Rules, on: dt.date) -> Decision:
    """One person's pathway. `person` is anything with the Combatant's screening attributes."""
    for branch in branches(rules, on):
        if branch.when.test(person):
            return Decision(branch.pathway, branch.reason, rules.name)
    return Decision(*FALLBACK, rules.name)


def pathway_case(rules: Rules, on: dt.date) -> tuple[Case, Case]:
    """The same decision as SQL: (pathway, reason) CASE expressions over ddr_combatant."""
    rule_list: Sequence[Branch] = branches(rules, on)
    pathway = Case(
        *[When(b.when.q(), then=Value(str(b.pathway))) for b in rule_list],
        default=Value(str(FALLBACK[0])),
        output_field=CharField(),
    )
    reason = Case(
        *[When(b.when.q(), then=Value(b.reason)) for b in rule_list],
        default=Value(FALLBACK[1]),
        output_field=CharField(),
    )
    return pathway, reason
