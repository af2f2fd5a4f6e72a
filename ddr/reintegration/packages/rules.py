"""Who may be enrolled in a package: one rule, as a Python test for one person (with the reason)
and as a query condition for a whole cohort."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from core.dates import shown_date
from core.masterdata import Problem
from ddr.registration.benefit import (
    BAR_MESSAGES,
    CHILD,
    DECEASED,
    EXCLUDED,
    MERGED,
    bar_conditions,
    benefit_bar,
    may_benefit_q,
)
from ddr.registration.models import Sex

IN_OPEN_PAIR, NOT_IN_FORCE, PATHWAY, CATEGORY, WOMEN_ONLY, ALREADY = (
    "open_pair",
    "not_in_force",
    "pathway",
    "category",
    "women_only",
    "already",
)

MESSAGES: dict[str, Any] = {
    **BAR_MESSAGES,
    IN_OPEN_PAIR: _("%(who)s is in a pair of probable duplicates still to review: decide it first."),
    NOT_IN_FORCE: _("%(package)s is not in force on %(on)s."),
    PATHWAY: _("%(who)s is oriented to “%(pathway)s”, which %(package)s does not serve."),
    CATEGORY: _("%(who)s is “%(category)s”, a category %(package)s does not serve."),
    WOMEN_ONLY: _("%(package)s is for women only."),
    ALREADY: _("%(who)s is already enrolled in %(package)s."),
}


NO_COMPONENT = _("%(package)s has no component yet: nobody can be enrolled in it.")

# The same reasons counted over a cohort: "12 left out: men (the package is for women only)".
COUNTED: dict[str, Any] = {
    CHILD: _("Children (referred to child protection)"),
    MERGED: _("Duplicates merged into another record"),
    EXCLUDED: _("Excluded from the programme"),
    DECEASED: _("Recorded as deceased"),
    IN_OPEN_PAIR: _("In a pair of probable duplicates still to review"),
    PATHWAY: _("Oriented to a pathway the package does not serve"),
    CATEGORY: _("In a category the package does not serve"),
    WOMEN_ONLY: _("Men (the package is for women only)"),
    ALREADY: _("Already enrolled in this package"),
}


def in_force(package: Any, on: dt.date) -> bool:
    return package.effective_from <= on and (package.effective_to is None or on < package.effective_to)


def package_bar(person: Any, package: Any, on: dt.date, *, in_open_pair: bool, enrolled: bool) -> str:
    """Why `person` may not be enrolled in `package` on `on` ('' when they may)."""
    if bar := benefit_bar(person):
        return bar
    if in_open_pair:
        return IN_OPEN_PAIR
    if not in_force(package, on):
        return NOT_IN_FORCE
    if package.pathways and person.pathway not in package.pathways:
        return PATHWAY
    if package.categories and person.category not in package.categories:
        return CATEGORY
    if package.women_only and person.sex != Sex.FEMALE:
        return WOMEN_ONLY
    if enrolled:
        return ALREADY
    return ""


def person_refusal(person: Any, *, in_open_pair: bool) -> str:
    """Why `person` may be enrolled in no package at all, as the sentence ('' when they may be in some)."""
    bar = benefit_bar(person) or (IN_OPEN_PAIR if in_open_pair else "")
    return str(MESSAGES[bar]) % {"who": person.registration_number} if bar else ""


def package_refusal(person: Any, package: Any, on: dt.date, *, in_open_pair: bool, enrolled: bool) -> str:
    """`package_bar` as the sentence shown to the officer ('' when the person may be enrolled)."""
    bar = package_bar(person, package, on, in_open_pair=in_open_pair, enrolled=enrolled)
    if not bar:
        return ""
    return str(MESSAGES[bar]) % {
        "who": person.registration_number,
        "package": str(package),
        "on": shown_date(on),
        "pathway": person.get_pathway_display(),
        "category": person.get_category_display(),
    }


def open_pair_q() -> Q:
    """People in a pair of probable duplicates still open, as a condition on people."""
    from ddr.duplicates.models import DuplicatePair

    open_pairs = DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN)
    return Q(Exists(open_pairs.filter(first=OuterRef("pk")))) | Q(
        Exists(open_pairs.filter(second=OuterRef("pk")))
    )


def may_enrol_q(package: Any) -> Q:
    """`package_bar` (except the date) as a condition on people: the cohort that may be enrolled."""
    condition = may_benefit_q() & ~open_pair_q()
    if package.pathways:
        condition &= Q(pathway__in=package.pathways)
    if package.categories:
        condition &= Q(category__in=package.categories)
    if package.women_only:
        condition &= Q(sex=Sex.FEMALE)
    return condition & ~enrolled_q(package)


def enrolled_q(package: Any) -> Q:
    """People enrolled in a version of `package` (one enrolment per package, whatever its version)."""
    from ddr.reintegration.packages.models import Enrolment

    return Q(Exists(Enrolment.objects.filter(combatant=OuterRef("pk"), package__code=package.code)))


def package_bar_case(package: Any) -> Case:
    """`package_bar` (except the date) as an expression over people: each person's reason, '' for
    those who may be enrolled; the same order, so a cohort's counts say what the single refusal says."""
    whens = [When(condition, then=Value(reason)) for reason, condition in bar_conditions()]
    whens.append(When(open_pair_q(), then=Value(IN_OPEN_PAIR)))
    if package.pathways:
        whens.append(When(~Q(pathway__in=package.pathways), then=Value(PATHWAY)))
    if package.categories:
        whens.append(When(~Q(category__in=package.categories), then=Value(CATEGORY)))
    if package.women_only:
        whens.append(When(~Q(sex=Sex.FEMALE), then=Value(WOMEN_ONLY)))
    whens.append(When(enrolled_q(package), then=Value(ALREADY)))
    return Case(*whens, default=Value(""), output_field=CharField())


def envelope_problem(envelope_xof: int | None) -> Problem | None:
    """A funding source's envelope is an amount committed: never below zero."""
    if envelope_xof is not None and envelope_xof < 0:
        return Problem("envelope_xof", str(_("An envelope cannot be negative.")))
    return None
