"""Eligibility: a rule set decides each person's pathway, and says why.

One ordered list of branches (`branches()`) is the single source of the rules. It compiles to a
plain Python decision for one person (`decide()`, testable without a database, used to explain
a decision) and to a SQL CASE (`pathway_case()`), so that a million people are decided by a
single UPDATE. The first branch whose condition holds decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from ddr.registration.models import Category, MedicalStatus, Pathway, VettingStatus

# A person's recorded choice (ddr.reintegration.profiles.models.ChoiceOption.CIVILIAN_LIFE).
CIVILIAN_LIFE = "civilian_life"
INTEGRATION = frozenset({Pathway.INTEGRATION_ARMY, Pathway.INTEGRATION_SECURITY, Pathway.INTEGRATION_CIVIL})
# The pathways into a structure of the State: each may ask its own requirements of a person.
STATE_PATHWAYS = (
    Pathway.INTEGRATION_ARMY,
    Pathway.INTEGRATION_SECURITY,
    Pathway.INTEGRATION_CIVIL,
    Pathway.RECALL,
)

# Reason codes are stored; their text is translated when shown.
REASONS: dict[str, Any] = {
    "under_age": _("Under the minimum age: separated and referred to child protection."),
    "vetting_confirmed": _("Confirmed match on the vetting watch-list (HRDDP)."),
    "vetting_missing": _("Vetting not done or a possible match is under review."),
    "age_not_verified": _("Age not yet verified."),
    "medical_missing": _("Medical examination missing or re-examination requested."),
    "medical_unfit": _("Medically unfit for integration: directed to reinsertion."),
    "no_weapon": _("No weapon declared: integration requires one."),
    "over_age": _(
        "Over the maximum age of the pathway: directed to the pathway when integration is refused."
    ),
    "under_pathway_age": _(
        "Under the minimum age of the pathway: directed to the pathway when integration is refused."
    ),
    "chose_civilian_life": _("Chose civilian life: oriented to socio-economic reinsertion."),
    "category_rule": _("Pathway of the person's category."),
    "category_not_eligible": _("The person's category has no pathway in this rule set."),
    "appeal_overturned": _("Pathway given by the decision on an appeal."),
}


@dataclass(frozen=True)
class Requirements:
    """What one pathway asks of a person. None: as the rule set's general fields say (weapon and
    medical fitness for the integration pathways only, vetting and age verification for all)."""

    weapon: bool | None = None
    medical: bool | None = None
    vetting: bool | None = None
    age_verification: bool | None = None
    min_age: int | None = None
    max_age: int | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Requirements:
        """From a rule set's stored line; a value of the wrong type counts as not given."""
        data = data or {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            kind = int if f.name.endswith("_age") else bool
            if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
                values[f.name] = value
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """The values given, as a rule set stores them."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


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
    # pathway -> its own requirements; a pathway absent, or a value not given, follows the fields above
    pathway_requirements: dict[str, Requirements] = field(default_factory=dict)

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
            pathway_requirements={
                pathway: Requirements.of(line)
                for pathway, line in (getattr(ruleset, "pathway_requirements", None) or {}).items()
                if pathway in STATE_PATHWAYS and isinstance(line, Mapping)
            },
        )

    def requirements(self, pathway: str) -> Requirements:
        """What `pathway` asks, every value given: its own line, else the rule set's general fields."""
        line = self.pathway_requirements.get(pathway, Requirements())
        integration = pathway in INTEGRATION

        def given(value: bool | None, default: bool) -> bool:
            return default if value is None else value

        return Requirements(
            weapon=given(line.weapon, integration and self.integration_requires_weapon),
            medical=given(line.medical, integration and self.medical_fitness_required),
            vetting=given(line.vetting, self.vetting_required),
            age_verification=given(line.age_verification, self.age_verification_required),
            min_age=line.min_age,
            max_age=line.max_age,
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
class Below:
    """`field` < `bound` (None never matches)."""

    field: str
    bound: int

    def test(self, person: Any) -> bool:
        value = getattr(person, self.field)
        return value is not None and value < self.bound

    def q(self) -> Q:
        return Q(**{f"{self.field}__lt": self.bound})


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Is | Above | Below | AllOf, ...]

    def test(self, person: Any) -> bool:
        return any(p.test(person) for p in self.parts)

    def q(self) -> Q:
        result = Q()
        for p in self.parts:
            result |= p.q()
        return result


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Is | Above | Below | AnyOf | AllOf, ...]

    def test(self, person: Any) -> bool:
        return all(p.test(person) for p in self.parts)

    def q(self) -> Q:
        result = Q()
        for p in self.parts:
            result &= p.q()
        return result


Condition = Is | Above | Below | AnyOf | AllOf


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


def _of_categories_requiring(rules: Rules, requirement: str, condition: Condition) -> Condition | None:
    """`condition` for the people whose pathway asks `requirement` (a category without a pathway
    follows the general field). None: nobody's pathway asks it."""
    asking = tuple(
        c
        for c in Category.values
        if getattr(rules.requirements(rules.category_pathways.get(c, "")), requirement)
    )
    if len(asking) == len(Category.values):
        return condition  # everyone, as a rule set without per-pathway requirements says
    return AllOf((Is("category", asking), condition)) if asking else None


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
    missing = Is("vetting_status", (VettingStatus.NOT_VETTED, VettingStatus.PENDING))
    if unvetted := _of_categories_requiring(rules, "vetting", missing):
        result.append(Branch(unvetted, Pathway.PENDING, "vetting_missing"))
    if unverified := _of_categories_requiring(rules, "age_verification", Is("age_verified", (False,))):
        result.append(Branch(unverified, Pathway.PENDING, "age_not_verified"))
    by_pathway: dict[str, list[str]] = {}
    for category, pathway in rules.category_pathways.items():
        by_pathway.setdefault(pathway, []).append(category)
    fallback = rules.integration_fallback
    for pathway, categories in by_pathway.items():
        of_category = Is("category", tuple(sorted(categories)))
        needs = rules.requirements(pathway)
        if pathway in INTEGRATION and rules.civilian_choice_respected:
            civilian = Is("choice", (CIVILIAN_LIFE,))
            result.append(Branch(AllOf((of_category, civilian)), Pathway.REINSERTION, "chose_civilian_life"))
        # Ages before the medical examination: nobody waits for one on a pathway closed to them.
        if needs.min_age is not None and needs.min_age > rules.min_age:
            young = Above("birth_year", on.year - needs.min_age)
            result.append(Branch(AllOf((of_category, young)), fallback, "under_pathway_age"))
        if needs.max_age is not None:
            old = Below("birth_year", on.year - needs.max_age)
            result.append(Branch(AllOf((of_category, old)), fallback, "over_age"))
        if needs.medical:
            not_decided = Is("medical_status", (MedicalStatus.NOT_EXAMINED, MedicalStatus.REEXAMINATION))
            result.append(Branch(AllOf((of_category, not_decided)), Pathway.PENDING, "medical_missing"))
            unfit = Is("medical_status", (MedicalStatus.UNFIT,))
            result.append(Branch(AllOf((of_category, unfit)), fallback, "medical_unfit"))
        if needs.weapon:
            unarmed = Is("has_weapon", (False,))
            result.append(Branch(AllOf((of_category, unarmed)), fallback, "no_weapon"))
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
