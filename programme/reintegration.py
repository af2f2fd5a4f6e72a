"""Reinsertion and reintegration in figures: the dashboard's section and the analysts' endpoints.

Three base tables (`core.suppression`), one per source, each at the finest grain any of their
figures or filters needs, "period" the analysts' period of *enrolment* (so a region and a period
select whole cells, as for the register):

- **enrolments**: region x period x package phase x funding source x sex x age band x outcome
  (ongoing, reinserted, reintegrated, dropped out), counting people;
- **entitlements**: region x period x phase x funding source x sex x age band x state (due, in a
  batch, paid, delivered, cancelled), counting people, and carrying the number of entitlements and
  their amount in XOF. An amount is a sum over people: it is carried by its cell of people
  (`Base.alongside`), so the money of a group of fewer than 5 is in no figure either;
- **follow-ups** done: region x period x month (3, 6, 12) x activity running x social acceptance x
  sex x age band, counting people.

A person enrolled in packages of two phases or funding sources counts in each. The age band is the
age reached in the year of enrolment, from the birth year (so a person's band never moves). Children
are never counted (as in the register's base: their records are closed to every role but child
protection, and even there they are not counted as combatants); merged records are left out of
the people's counts, but what was paid to them was paid: it stays in the money.

Analysts read sums of the cells of 5 people or more; everyone else reads the same tables exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear, Trunc
from django.db.models.lookups import LessThan
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from core import charts as charting
from core import suppression
from core.models import Region
from core.suppression import Base
from ddr.models import Acceptance, Category, Combatant, Enrolment, Entitlement, FollowUp, FundingSource, Sex
from ddr.registration.selectors import Scope

S = Combatant.Status
State = Entitlement.State

# Upper bounds (exclusive) of the age bands; no band below 18: children are never counted.
AGE_BANDS = [("18-24", 25), ("25-34", 35), ("35-49", 50), ("50+", None)]
UNKNOWN = "unknown"


class Outcome:
    ONGOING, REINSERTED, REINTEGRATED, DROPPED = "ongoing", "reinserted", "reintegrated", "dropped"
    choices = [
        (ONGOING, pgettext_lazy("outcome", "Under way")),
        (REINSERTED, pgettext_lazy("outcome", "Reinserted")),
        (REINTEGRATED, pgettext_lazy("outcome", "Reintegrated")),
        (DROPPED, pgettext_lazy("outcome", "Dropped out")),
    ]


# Entitlement states as the section's table says them (people's entitlements, plural).
STATE_LABELS: dict[str, Any] = {
    State.DUE: pgettext_lazy("entitlements", "Due"),
    State.IN_BATCH: pgettext_lazy("entitlements", "In a payment batch"),
    State.PAID: pgettext_lazy("entitlements", "Paid"),
    State.DELIVERED: pgettext_lazy("entitlements", "Handed over or delivered"),
    State.CANCELLED: pgettext_lazy("entitlements", "Cancelled"),
}

# Base columns, and the names the API gives them (`by`).
ENROLMENT_COLUMNS = ["region_id", "period", "phase", "funding_source", "sex", "age_band", "outcome"]
ENTITLEMENT_COLUMNS = ["region_id", "period", "phase", "funding_source", "sex", "age_band", "state"]
FOLLOW_UP_COLUMNS = ["region_id", "period", "month", "activity_running", "acceptance", "sex", "age_band"]
# What an entitlement in each state says of the money: committed (not cancelled) and disbursed.
COMMITTED = (State.DUE, State.IN_BATCH, State.PAID, State.DELIVERED)
DISBURSED = (State.PAID, State.DELIVERED)


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _age_band(person: str, enrolled_on: str) -> Case:
    """The age band reached in the year of enrolment, from the birth year, as a database expression."""
    age = ExtractYear(enrolled_on) - F(f"{person}birth_year")
    whens = [When(Q(**{f"{person}birth_year__isnull": True}), then=Value(UNKNOWN))]
    whens += [When(LessThan(age, upper), then=Value(band)) for band, upper in AGE_BANDS if upper is not None]
    return Case(*whens, default=Value(AGE_BANDS[-1][0]))


def _period(field: str) -> Trunc:
    return Trunc(field, suppression.period_kind())


def period_label(period: dt.date) -> str:
    """A period of the analysts' grain as people write it: 2024, Q1 2024 (T1 2024), 01/2024."""
    months = suppression.period_months()
    if months == 12:
        return str(period.year)
    if months == 3:
        return _("Q%(quarter)d %(year)d") % {"quarter": (period.month - 1) // 3 + 1, "year": period.year}
    return period.strftime("%m/%Y")


class Bases:
    """The three base tables for one reader, region and period (`Scope`): one grouped query each,
    read once; for analysts the database drops the small cells and `Base` drops them again."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.exact = not scope.analyst

    def _chosen(self, queryset: QuerySet[Any], person: str, enrolled_on: str) -> QuerySet[Any]:
        """Within the scope's region and period (whole periods for analysts: whole cells)."""
        queryset = self.scope._filter(queryset, f"{person}region_id")
        chosen: QuerySet[Any] = self.scope._period(queryset, enrolled_on)
        return chosen.exclude(**{f"{person}category": Category.CHILD})

    def _base(self, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> Base:
        position = columns.index("period")
        return Base(
            columns,
            ((tuple(_as_date(v) if i == position else v for i, v in enumerate(key)), n) for *key, n in rows),
            exact=self.exact,
        )

    def _grouped(self, counted: QuerySet[Any]) -> QuerySet[Any]:
        if self.exact:
            return counted
        visible: QuerySet[Any] = suppression.small_cells_left_in_database(counted)
        return visible

    @cached_property
    def enrolments(self) -> Base:
        enrolments = self._chosen(
            Enrolment.objects.for_user(self.scope.user), "combatant__", "enrolled_on"
        ).exclude(combatant__status=S.MERGED)
        outcome = Case(
            When(status=Enrolment.Status.DROPPED, then=Value(Outcome.DROPPED)),
            When(combatant__status=S.REINTEGRATED, then=Value(Outcome.REINTEGRATED)),
            When(combatant__status=S.REINSERTED, then=Value(Outcome.REINSERTED)),
            default=Value(Outcome.ONGOING),
        )
        rows = (
            enrolments.annotate(
                period=_period("enrolled_on"),
                band=_age_band("combatant__", "enrolled_on"),
                outcome=outcome,
            )
            .values_list(
                "combatant__region_id",
                "period",
                "package__phase",
                "package__funding_source__code",
                "combatant__sex",
                "band",
                "outcome",
            )
            .annotate(n=Count("combatant", distinct=True))
            .order_by()
        )
        return self._base(ENROLMENT_COLUMNS, self._grouped(rows))

    @cached_property
    def _entitlement_rows(self) -> list[tuple[Any, ...]]:
        entitlements = self._chosen(
            Entitlement.objects.for_user(self.scope.user), "combatant__", "enrolment__enrolled_on"
        )
        rows = (
            entitlements.annotate(
                period=_period("enrolment__enrolled_on"),
                band=_age_band("combatant__", "enrolment__enrolled_on"),
            )
            .values_list(
                "combatant__region_id",
                "period",
                "enrolment__package__phase",
                "enrolment__package__funding_source__code",
                "combatant__sex",
                "band",
                "state",
            )
            .annotate(n=Count("combatant", distinct=True), entitlements=Count("id"), amount=Sum("amount_xof"))
            .order_by()
        )
        return list(self._grouped(rows))

    @cached_property
    def entitlements(self) -> Base:
        """People with an entitlement in each state."""
        return self._base(ENTITLEMENT_COLUMNS, (row[:-2] for row in self._entitlement_rows))

    @cached_property
    def entitlement_counts(self) -> Base:
        """The number of entitlements, on the visible cells of `entitlements` only."""
        return self.entitlements.alongside(self._measure(-2))

    @cached_property
    def amounts(self) -> Base:
        """Their amount in XOF, on the visible cells of `entitlements` only."""
        return self.entitlements.alongside(self._measure(-1))

    def _measure(self, at: int) -> list[tuple[tuple[Any, ...], int]]:
        position = ENTITLEMENT_COLUMNS.index("period")
        return [
            (tuple(_as_date(v) if i == position else v for i, v in enumerate(row[:-3])), row[at] or 0)
            for row in self._entitlement_rows
        ]

    @cached_property
    def follow_ups(self) -> Base:
        done = (
            self._chosen(FollowUp.objects.for_user(self.scope.user), "combatant__", "enrolment__enrolled_on")
            .filter(status=FollowUp.Status.DONE)
            .exclude(combatant__status=S.MERGED)
        )
        activity = Case(
            When(activity_running=True, then=Value("yes")),
            When(activity_running=False, then=Value("no")),
            default=Value(UNKNOWN),
        )
        acceptance = Case(When(acceptance="", then=Value(UNKNOWN)), default=F("acceptance"))
        rows = (
            done.annotate(
                period=_period("enrolment__enrolled_on"),
                band=_age_band("combatant__", "enrolment__enrolled_on"),
                activity=activity,
                accepted=acceptance,
            )
            .values_list(
                "combatant__region_id", "period", "month", "activity", "accepted", "combatant__sex", "band"
            )
            .annotate(n=Count("combatant", distinct=True))
            .order_by()
        )
        return self._base(FOLLOW_UP_COLUMNS, self._grouped(rows))


# The API's dimensions (`by`) of each table: its base columns, the region by its code.
COLUMNS = {
    "enrolments": ENROLMENT_COLUMNS,
    "entitlements": ENTITLEMENT_COLUMNS,
    "follow-ups": FOLLOW_UP_COLUMNS,
}
DIMENSIONS = {table: ["region", *columns[1:]] for table, columns in COLUMNS.items()}


def grouped(scope: Scope, table: str, names: list[str]) -> list[dict[str, Any]]:
    """The rows of one table grouped by `names` (API names): the people, and for entitlements their
    number and amount; never a row per person. Groups with nothing visible are absent."""
    bases = Bases(scope)
    columns = ["region_id" if n == "region" else n for n in names]
    regions = dict(Region.objects.values_list("id", "code"))
    measures: dict[str, dict[tuple[Any, ...], int]]
    if table == "enrolments":
        measures = {"people": bases.enrolments.margin(*columns)}
    elif table == "entitlements":
        measures = {
            "people": bases.entitlements.margin(*columns),
            "entitlements": bases.entitlement_counts.margin(*columns),
            "amount_xof": bases.amounts.margin(*columns),
        }
    else:
        measures = {"people": bases.follow_ups.margin(*columns)}
    rows = []
    for key in measures["people"]:
        row: dict[str, Any] = {}
        for name, value in zip(names, key, strict=True):
            if name == "region":
                value = regions.get(value, value)
            elif name == "period":
                value = value.isoformat()
            row[name] = value
        row.update({measure: values.get(key, 0) for measure, values in measures.items()})
        rows.append({**row, "suppressed": scope.analyst})
    return sorted(rows, key=lambda r: tuple(r[n] for n in names))


def summary(scope: Scope) -> dict[str, Any]:
    """The dashboard's section: enrolments and outcomes per period of enrolment, money per
    funding source against its envelope, entitlements by state, follow-up outcomes by month, and
    people by region, sex and age band. Three grouped queries, and two of reference data."""
    bases = Bases(scope)
    outcomes = bases.enrolments.margin("period", "outcome")
    periods = sorted({period for period, _outcome in outcomes})
    per_period = []
    for period in periods:
        counts = {outcome: outcomes.get((period, outcome), 0) for outcome, _label in Outcome.choices}
        per_period.append(
            {
                "period": period.isoformat(),
                "label": period_label(period),
                "enrolled": sum(counts.values()),
                **counts,
            }
        )
    totals = {outcome: n for (outcome,), n in bases.enrolments.margin("outcome").items()}
    money = bases.amounts.margin("funding_source", "state")
    funding = []
    for source in FundingSource.objects.order_by("name"):
        committed = sum(money.get((source.code, state), 0) for state in COMMITTED)
        disbursed = sum(money.get((source.code, state), 0) for state in DISBURSED)
        funding.append(
            {
                "code": source.code,
                "name": source.name,
                "envelope_xof": source.envelope_xof,
                "committed_xof": committed,
                "disbursed_xof": disbursed,
            }
        )
    states = bases.entitlements.margin("state")
    numbers = bases.entitlement_counts.margin("state")
    amounts = bases.amounts.margin("state")
    entitlements = [
        {
            "state": state,
            "label": str(STATE_LABELS[state]),
            "people": states.get((state,), 0),
            "entitlements": numbers.get((state,), 0),
            "amount_xof": amounts.get((state,), 0),
        }
        for state in State.values
    ]
    return {
        "per_period": per_period,
        "totals": {
            "enrolled": sum(totals.values()),
            **{outcome: totals.get(outcome, 0) for outcome, _label in Outcome.choices},
        },
        "funding": funding,
        "entitlements": entitlements,
        "follow_ups": _follow_ups(bases.follow_ups),
        "by_region": _by_region(bases.enrolments),
        "by_sex_and_age": _by_sex_and_age(bases.enrolments),
    }


def _follow_ups(base: Base) -> list[dict[str, Any]]:
    by_month = base.margin("month", "activity_running", "acceptance")
    months = sorted({month for month, *_rest in by_month})
    rows = []
    for month in months:
        mine = {(a, b): n for (m, a, b), n in by_month.items() if m == month}
        rows.append(
            {
                "month": month,
                "done": sum(mine.values()),
                "activity_running": sum(n for (a, _b), n in mine.items() if a == "yes"),
                **{
                    f"acceptance_{value}": sum(n for (_a, b), n in mine.items() if b == value)
                    for value, _label in Acceptance.choices
                },
            }
        )
    return rows


def _by_region(base: Base) -> list[dict[str, Any]]:
    names = dict(Region.objects.values_list("id", "name"))
    counted = base.margin("region_id", "outcome")
    regions = sorted({region for region, _o in counted}, key=lambda r: names.get(r, ""))
    rows = []
    for region in regions:
        counts = {o: counted.get((region, o), 0) for o, _label in Outcome.choices}
        rows.append({"region": names.get(region, str(region)), "enrolled": sum(counts.values()), **counts})
    return rows


def _by_sex_and_age(base: Base) -> dict[str, dict[str, int]]:
    """Age band -> sex -> people enrolled."""
    bands = [band for band, _upper in AGE_BANDS] + [UNKNOWN]
    counted = base.margin("age_band", "sex")
    return {
        band: {sex: counted.get((band, sex), 0) for sex in (Sex.MALE, Sex.FEMALE)}
        for band in bands
        if any(counted.get((band, sex)) for sex in (Sex.MALE, Sex.FEMALE))
    }


# --- the dashboard's charts and exports -----------------------------------------------------


def charts(section: dict[str, Any], *, suppressed: bool = False) -> dict[str, charting.Chart]:
    """The section's two charts: people per period of enrolment, money per funding source."""
    outcomes = [
        charting.Series(pgettext("outcome", "Enrolled"), charting.BLUE),
        charting.Series(pgettext("outcome", "Reinserted"), charting.GREEN),
        charting.Series(pgettext("outcome", "Reintegrated"), charting.PURPLE),
        charting.Series(pgettext("outcome", "Dropped out"), charting.RED),
    ]
    money = [
        charting.Series(_("Envelope"), charting.GREY, suppressible=False),
        charting.Series(_("Committed"), charting.BLUE),
        charting.Series(_("Disbursed"), charting.GREEN),
    ]
    return {
        "periods": charting.chart(
            "reintegration-periods",
            _("People per period of enrolment"),
            [
                (
                    p["label"],
                    [p["enrolled"], p[Outcome.REINSERTED], p[Outcome.REINTEGRATED], p[Outcome.DROPPED]],
                )
                for p in section["per_period"]
            ],
            outcomes,
            axis_label=_("People"),
            suppressed=suppressed,
        ),
        "funding": charting.chart(
            "reintegration-funding",
            _("Money per funding source (XOF)"),
            [
                (f["name"], [f["envelope_xof"], f["committed_xof"], f["disbursed_xof"]])
                for f in section["funding"]
            ],
            money,
            axis_label=_("XOF"),
            suppressed=suppressed,
        ),
    }


Section = tuple[str, str, list[str], list[list[Any]]]  # key, title, header, rows (core.exports)


def sections(section: dict[str, Any]) -> list[Section]:
    """The section's tables for the dashboard's CSV and XLSX exports."""
    outcome_labels = [str(label) for _o, label in Outcome.choices]
    return [
        (
            "reintegration-periods",
            _("Reinsertion and reintegration per period of enrolment"),
            [_("Period"), pgettext("outcome", "Enrolled"), *outcome_labels],
            [
                [p["label"], p["enrolled"], *(p[o] for o, _label in Outcome.choices)]
                for p in section["per_period"]
            ],
        ),
        (
            "reintegration-funding",
            _("Reinsertion money per funding source (XOF)"),
            [_("Funding source"), _("Envelope"), _("Committed"), _("Disbursed")],
            [
                [f["name"], f["envelope_xof"], f["committed_xof"], f["disbursed_xof"]]
                for f in section["funding"]
            ],
        ),
        (
            "reintegration-entitlements",
            _("Entitlements by state"),
            [_("State"), _("People"), _("Entitlements"), _("Amount (XOF)")],
            [[e["label"], e["people"], e["entitlements"], e["amount_xof"]] for e in section["entitlements"]],
        ),
        (
            "reintegration-follow-ups",
            _("Follow-up outcomes"),
            [
                _("Month"),
                _("Follow-ups done"),
                _("Activity running"),
                pgettext("people", "Accepted"),
                pgettext("people", "Partly accepted"),
                pgettext("people", "Rejected or stigmatised"),
            ],
            [
                [
                    f["month"],
                    f["done"],
                    f["activity_running"],
                    *(f[f"acceptance_{value}"] for value, _label in Acceptance.choices),
                ]
                for f in section["follow_ups"]
            ],
        ),
    ]
