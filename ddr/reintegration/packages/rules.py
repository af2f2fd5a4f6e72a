"""Who may be enrolled in a package: one rule, as a Python test for one person (with the reason)
and as a query condition for a whole cohort."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ddr.registration.benefit import BAR_MESSAGES, benefit_bar, may_benefit_q
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


def package_refusal(person: Any, package: Any, on: dt.date, *, in_open_pair: bool, enrolled: bool) -> str:
    """`package_bar` as the sentence shown to the officer ('' when the person may be enrolled)."""
    bar = package_bar(person, package, on, in_open_pair=in_open_pair, enrolled=enrolled)
    if not bar:
        return ""
    return str(MESSAGES[bar]) % {
        "who": person.registration_number,
        "package": str(package),
        "on": on.strftime("%d/%m/%Y"),
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
    from ddr.reintegration.packages.models import Enrolment

    condition = may_benefit_q() & ~open_pair_q()
    if package.pathways:
        condition &= Q(pathway__in=package.pathways)
    if package.categories:
        condition &= Q(category__in=package.categories)
    if package.women_only:
        condition &= Q(sex=Sex.FEMALE)
    enrolled = Enrolment.objects.filter(combatant=OuterRef("pk"), package__code=package.code)
    return condition & ~Q(Exists(enrolled))
