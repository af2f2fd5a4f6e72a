"""Reads of the catalogue, of a person's enrolments and what they may be enrolled in, of a
cohort before it is enrolled, and of the budget: each a constant number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.permissions import REINTEGRATION_ROLES, has_role
from ddr.duplicates.models import DuplicatePair
from ddr.registration.models import Category, Combatant, Pathway
from ddr.reintegration.packages import rules
from ddr.reintegration.packages.forms import CohortFilterForm, DropForm, EnrolForm
from ddr.reintegration.packages.models import Component, Enrolment, Entitlement, FundingSource, Package

State = Entitlement.State
OPEN_STATES = (State.DUE, State.IN_BATCH)
SETTLED_STATES = (State.PAID, State.DELIVERED)


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gt": on})
    )


def who_may_receive(package: Package) -> list[str]:
    """The package's public, as labels: pathways, categories, women only (nothing: everyone)."""
    pathways, categories = dict(Pathway.choices), dict(Category.choices)
    labels = [str(pathways.get(p, p)) for p in package.pathways]
    labels += [str(categories.get(c, c)) for c in package.categories]
    if package.women_only:
        labels.append(str(_("Women only")))
    return labels


# --- the catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    package: Package
    served: list[str]
    in_force: bool
    enrolled: int


@dataclass
class CatalogueEntry:
    code: str
    versions: list[Version] = field(default_factory=list)


def catalogue(packages: QuerySet[Package], on: dt.date) -> list[CatalogueEntry]:
    """Each package code with its versions (newest first), their components and how many people
    each version enrolled: three queries whatever the size of the catalogue."""
    rows = (
        packages.select_related("funding_source")
        .prefetch_related(
            Prefetch(
                "components", queryset=Component.objects.select_related("trade").order_by("position", "id")
            )
        )
        .annotate(enrolled=Count("enrolments"))
        .order_by("code", "-version")
    )
    entries: dict[str, CatalogueEntry] = {}
    for package in rows:
        entry = entries.setdefault(package.code, CatalogueEntry(package.code))
        entry.versions.append(
            Version(package, who_may_receive(package), rules.in_force(package, on), package.enrolled)
        )
    return list(entries.values())


def packages_in_force(on: dt.date) -> list[Package]:
    """The version in force of each package on `on` (the latest, should two overlap)."""
    rows = (
        Package.objects.filter(in_force_q(on))
        .select_related("funding_source")
        .annotate(component_count=Count("components"))
        .order_by("code", "-version")
    )
    latest: dict[str, Package] = {}
    for package in rows:
        latest.setdefault(package.code, package)
    return list(latest.values())


# --- a person -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    package: Package
    refusal: str  # '' when the person may be enrolled in it


def offers(person: Combatant, enrolled_codes: set[str], on: dt.date) -> tuple[str, list[Offer]]:
    """What `person` may be enrolled in on `on`: (why not at all, or ''; each package in force
    with the reason it is refused, or '')."""
    in_pair = DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).touching([person.pk]).exists()
    if general := rules.person_refusal(person, in_open_pair=in_pair):
        return general, []  # the same reason for every package: said once, instead of the form
    result = []
    for package in packages_in_force(on):
        refusal = rules.package_refusal(
            person, package, on, in_open_pair=False, enrolled=package.code in enrolled_codes
        )
        if not refusal and not package.component_count:  # type: ignore[attr-defined]
            refusal = str(rules.NO_COMPONENT) % {"package": package}
        result.append(Offer(package, refusal))
    return "", result


def person_enrolments(person: Combatant, user: AnyUser) -> list[Enrolment]:
    entitlements = Entitlement.objects.select_related("component").order_by("due_on", "id")
    return list(
        Enrolment.objects.for_user(user)
        .filter(combatant=person)
        .select_related("package__funding_source", "enrolled_by")
        .prefetch_related(Prefetch("entitlements", queryset=entitlements))
    )


def person_context(person: Combatant, user: AnyUser) -> dict[str, Any]:
    """What the person's page shows of this part (templates/ddr/reintegration/_person_packages.html);
    keys prefixed, as the page gathers every part's."""
    enrolments = person_enrolments(person, user)
    can_enrol = has_role(user, REINTEGRATION_ROLES)
    context: dict[str, Any] = {"package_enrolments": enrolments, "package_can_enrol": can_enrol}
    if can_enrol:
        general, offered = offers(person, {e.package.code for e in enrolments}, timezone.localdate())
        open_offers = [o.package for o in offered if not o.refusal]
        context |= {
            "package_refusal": general,
            "package_refused": [o for o in offered if o.refusal],
            "package_enrol_form": EnrolForm(packages=open_offers) if open_offers else None,
            "package_drop_form": DropForm(),
        }
    return context


# --- a cohort -----------------------------------------------------------------------------


def cohort_people(user: AnyUser, filters: dict[str, str]) -> QuerySet[Combatant]:
    """The people a cohort filter selects, among those `user` may see."""
    form = CohortFilterForm(filters, user=user)
    people = Combatant.objects.for_user(user)
    return form.apply(people) if form.is_valid() else people.none()


@dataclass(frozen=True)
class CohortPreview:
    total: int
    may: int
    left_out: list[tuple[str, Any, int]]  # (reason, label, people), in the rule's order

    @property
    def left_out_total(self) -> int:
        return self.total - self.may


def cohort_preview(people: QuerySet[Combatant], package: Package) -> CohortPreview:
    """How many of `people` may be enrolled in `package`, and why the others may not: one query
    (the date is checked apart: a package not in force takes nobody)."""
    counts = dict(
        people.annotate(bar=rules.package_bar_case(package))
        .values_list("bar")
        .annotate(n=Count("pk"))
        .order_by()
    )
    order = list(rules.COUNTED)
    left = sorted(((r, rules.COUNTED[r], n) for r, n in counts.items() if r), key=lambda t: order.index(t[0]))
    return CohortPreview(total=sum(counts.values()), may=counts.get("", 0), left_out=left)


# --- the budget ---------------------------------------------------------------------------


@dataclass
class Figures:
    envelope: int = 0
    committed: int = 0
    disbursed: int = 0
    overdue: int = 0
    due_30: int = 0
    due_90: int = 0
    people: int = 0

    @property
    def remaining(self) -> int:
        return self.envelope - self.committed

    def add(self, other: Figures) -> None:
        # People are not added up: one person may be in several packages.
        for name in ("committed", "disbursed", "overdue", "due_30", "due_90"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class BudgetLine:
    code: str
    name: str
    versions: list[int]
    figures: Figures


@dataclass
class SourceBudget:
    source: FundingSource
    figures: Figures
    allocated: int = 0  # the envelopes of its packages
    packages: list[BudgetLine] = field(default_factory=list)

    @property
    def over_allocated(self) -> bool:
        return self.allocated > self.source.envelope_xof


def budget(user: AnyUser, on: dt.date) -> tuple[list[SourceBudget], Figures]:
    """Per funding source and package (all its versions; the envelope of the latest): envelope,
    committed (entitlements not cancelled), disbursed (paid or handed over), remaining, and what
    is due and not yet settled: overdue, within 30 and within 90 days. Three queries."""
    open_ = Q(state__in=OPEN_STATES)
    within_30, within_90 = on + dt.timedelta(days=30), on + dt.timedelta(days=90)
    amounts = (
        Entitlement.objects.for_user(user)
        .values_list("component__package__funding_source_id", "component__package__code")
        .annotate(
            committed=Sum("amount_xof", filter=~Q(state=State.CANCELLED)),
            disbursed=Sum("amount_xof", filter=Q(state__in=SETTLED_STATES)),
            overdue=Sum("amount_xof", filter=open_ & Q(due_on__lt=on)),
            due_30=Sum("amount_xof", filter=open_ & Q(due_on__gte=on, due_on__lte=within_30)),
            due_90=Sum("amount_xof", filter=open_ & Q(due_on__gte=on, due_on__lte=within_90)),
            people=Count("combatant", distinct=True, filter=~Q(state=State.CANCELLED)),
        )
        .order_by()
    )
    by_package = {(source, code): Figures(0, *(v or 0 for v in values)) for source, code, *values in amounts}
    sources = {s.pk: SourceBudget(s, Figures(envelope=s.envelope_xof)) for s in FundingSource.objects.all()}
    lines: dict[tuple[int, str], BudgetLine] = {}
    for package in Package.objects.order_by("code", "-version").only(
        "code", "version", "name", "envelope_xof", "funding_source_id"
    ):
        key = (package.funding_source_id, package.code)
        if key in lines:  # an older version: its envelope was the latest's
            lines[key].versions.append(package.version)
            continue
        figures = by_package.get(key, Figures())
        figures.envelope = package.envelope_xof
        lines[key] = BudgetLine(package.code, package.name, [package.version], figures)
        sources[package.funding_source_id].packages.append(lines[key])
    total = Figures()
    for entry in sources.values():
        for line in entry.packages:
            entry.figures.add(line.figures)
            entry.allocated += line.figures.envelope
        total.add(entry.figures)
        total.envelope += entry.figures.envelope
    return [s for s in sources.values()], total
