"""An analyst cannot recover a small group of people enrolled, nor its money, nor its follow-ups,
by combining or differencing the reintegration figures they read (tests/test_analyst_differencing.py's
attacker, on programme.reintegration's three base tables).

Every figure of /api/reintegration/{enrolments,entitlements,follow-ups}/ (every grouping of up to
three dimensions) and of /api/reintegration/summary/ (every region and period filter) is read as
an equation over the true cells; exact linear algebra then solves what it can. No cell of 1 to 4
people comes out, nor the amount of any cell or figure of 1 to 4 people; no count shown is 1 to 4.
The positive control: the same figures, exact (as staff read them), give small cells away.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from core.models import Region
from core.suppression import SUPPRESS_BELOW, period_end
from ddr.models import Acceptance, Combatant, Enrolment, Entitlement, FollowUp, Sex

from ...factories import FundingSourceFactory, PackageFactory, UserFactory
from ...test_analyst_differencing import Solver, leaks
from .test_analysts_figures import FIRST_TRANCHE, PACKAGE_XOF, cohort

pytestmark = pytest.mark.django_db

S = Combatant.Status
E = Entitlement.State
REGIONS = ["GAO", "KID", "TBK"]
FUNDING = ["world-bank", "pbf"]
SEXES = [Sex.MALE, Sex.FEMALE]
BANDS = {"18-24": 2000, "35-49": 1980}  # birth years, enrolled in 2024
OUTCOMES = ["ongoing", "reinserted", "dropped"]
STATES = [E.DUE, E.PAID, E.DELIVERED, E.CANCELLED]
TOOLKIT = PACKAGE_XOF - 2 * FIRST_TRANCHE


@pytest.fixture(params=[3, 1], ids=["quarters", "months"])
def grain(request: Any, settings: Any) -> list[dt.date]:
    """The analysts' period grain; the first days of three periods of it."""
    settings.DDR_ANALYST_PERIOD_MONTHS = request.param
    return [dt.date(2024, 1 + i * request.param, 1) for i in range(3)]


class Truth:
    """The true cells of the three base tables, without the phase (one phase here)."""

    def __init__(self) -> None:
        self.enrolled: dict[tuple[Any, ...], int] = {}
        self.people: dict[tuple[Any, ...], int] = defaultdict(int)  # entitlement cells
        self.amounts: dict[tuple[Any, ...], int] = defaultdict(int)
        self.follow_ups: dict[tuple[Any, ...], int] = defaultdict(int)

    def entitled(self, where: tuple[Any, ...], state: str, n: int, amount: int) -> None:
        self.people[(*where, state)] += n
        self.amounts[(*where, state)] += n * amount


def _data(periods: list[dt.date], officer: User) -> Truth:
    """People enrolled in many small cells (1 to 4) and a few of 5 or more; some paid a tranche,
    some reinserted (paid and delivered, followed up at 3 months), some dropped out (cancelled)."""
    packages = {
        "world-bank": PackageFactory.create(),
        "pbf": PackageFactory.create(funding_source=FundingSourceFactory.create(code="pbf", name="PBF")),
    }
    regions = dict(Region.objects.filter(code__in=REGIONS).values_list("code", "pk"))
    truth = Truth()
    combos = itertools.product(REGIONS, periods, FUNDING, SEXES, BANDS, OUTCOMES)
    for i, (code, period, funding, sex, band, outcome) in enumerate(combos):
        n = (i * 7) % 11 if i % 4 == 0 else (i * 7) % 5  # most cells small, a few of 5 or more
        if (i * 13) % 5 in (1, 2) or not n:
            continue  # sparse
        on = period + dt.timedelta(days=(i * 11) % ((period_end(period) - period).days + 1))
        ids = cohort(n, packages[funding], officer, on=on, code=code, sex=sex, birth_year=BANDS[band])
        where = (regions[code], period, funding, sex, band)
        truth.enrolled[(*where, outcome)] = n
        entitlements = Entitlement.objects.filter(combatant__in=ids)
        if outcome == "dropped":
            Enrolment.objects.filter(combatant__in=ids).update(status=Enrolment.Status.DROPPED)
            entitlements.update(state=E.CANCELLED)
            truth.entitled(where, E.CANCELLED, n, PACKAGE_XOF)
        elif outcome == "reinserted":
            Combatant.objects.filter(pk__in=ids).update(status=S.REINSERTED)
            entitlements.filter(component__position__in=[1, 2]).update(state=E.PAID)
            entitlements.filter(component__position=3).update(state=E.DELIVERED)
            truth.entitled(where, E.PAID, n, 2 * FIRST_TRANCHE)
            truth.entitled(where, E.DELIVERED, n, TOOLKIT)
            running = i % 2 == 0
            for enrolment in Enrolment.objects.filter(combatant__in=ids):
                FollowUp.objects.create(
                    combatant_id=enrolment.combatant_id,
                    enrolment=enrolment,
                    month=3,
                    due_on=on + dt.timedelta(days=90),
                    status=FollowUp.Status.DONE,
                    done_on=on + dt.timedelta(days=90),
                    activity_running=running,
                    acceptance=Acceptance.GOOD,
                )
            follow_up = (regions[code], period, 3, "yes" if running else "no", "good", sex, band)
            truth.follow_ups[follow_up] += n
        elif i % 3 == 0:
            entitlements.filter(component__position=1).update(state=E.PAID)
            truth.entitled(where, E.PAID, n, FIRST_TRANCHE)
            truth.entitled(where, E.DUE, n, PACKAGE_XOF - FIRST_TRANCHE)
        else:
            truth.entitled(where, E.DUE, n, PACKAGE_XOF)
    return truth


def _shown(values: Iterable[Any]) -> list[int]:
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool) and 0 < v < SUPPRESS_BELOW]


class Equations:
    """What an analyst reads, as (cells, value) for each of the three tables and the amounts."""

    def __init__(self) -> None:
        self.tables: dict[str, list[tuple[list[tuple[Any, ...]], int]]] = defaultdict(list)
        self.small_shown: list[Any] = []

    def add(self, table: str, cells: list[tuple[Any, ...]], value: int, *, people: bool = True) -> None:
        if people:
            self.small_shown += _shown([value])
        self.tables[table].append((cells, value))


def _domains(periods: list[dt.date], regions: dict[str, int]) -> dict[str, list[tuple[Any, Any]]]:
    """Each API dimension: (what the API says, what the cell holds)."""
    return {
        "region": [(code, regions[code]) for code in REGIONS],
        "period": [(p.isoformat(), p) for p in periods],
        "funding_source": [(f, f) for f in FUNDING],
        "sex": [(str(s), s) for s in SEXES],
        "age_band": [(b, b) for b in BANDS],
        "outcome": [(o, o) for o in [*OUTCOMES, "reintegrated"]],
        "state": [(str(s), s) for s in [*STATES, E.IN_BATCH]],
        "month": [(3, 3)],
        "activity_running": [(a, a) for a in ("yes", "no", "unknown")],
        "acceptance": [(a, a) for a in ("good", "mixed", "poor", "unknown")],
    }


# The position of each API dimension in each table's cells.
POSITIONS = {
    "enrolments": {"region": 0, "period": 1, "funding_source": 2, "sex": 3, "age_band": 4, "outcome": 5},
    "entitlements": {"region": 0, "period": 1, "funding_source": 2, "sex": 3, "age_band": 4, "state": 5},
    "follow-ups": {
        "region": 0,
        "period": 1,
        "month": 2,
        "activity_running": 3,
        "acceptance": 4,
        "sex": 5,
        "age_band": 6,
    },
}


def _read_tables(
    client: Client, truth: Truth, domains: dict[str, list[tuple[Any, Any]]], equations: Equations
) -> None:
    """Every grouping of one to three dimensions of each table; a group not listed reads as 0."""
    cells_of = {
        "enrolments": list(truth.enrolled),
        "entitlements": list(truth.people),
        "follow-ups": list(truth.follow_ups),
    }
    for table, positions in POSITIONS.items():
        for size in (1, 2, 3):
            for names in itertools.combinations(positions, size):
                answer = client.get(f"/api/reintegration/{table}/", {"by": ",".join(names)})
                assert answer.status_code == 200, answer.content
                listed = {tuple(row[n] for n in names): row for row in answer.json()}
                for key in itertools.product(*(domains[n] for n in names)):
                    cells = [
                        c
                        for c in cells_of[table]
                        if all(c[positions[n]] == v for n, (_label, v) in zip(names, key, strict=True))
                    ]
                    row = listed.get(tuple(label for label, _v in key), {})
                    equations.add(table, cells, row.get("people", 0))
                    if table == "entitlements":
                        equations.add("amounts", cells, row.get("amount_xof", 0), people=False)
                        equations.small_shown += _shown([row.get("entitlements", 0)])


def _periods(starts: list[dt.date]) -> list[dict[str, str]]:
    periods: list[dict[str, str]] = [{}]
    for m in starts:
        periods += [{"from": str(m), "to": str(period_end(m))}, {"from": str(m)}, {"to": str(period_end(m))}]
    return periods


def _read_summaries(
    client: Client, truth: Truth, periods: list[dt.date], regions: dict[str, int], equations: Equations
) -> None:
    """The summary (the dashboard's section) for every region and period filter."""
    names = dict(Region.objects.filter(code__in=REGIONS).values_list("name", "pk"))
    for region in [None, *REGIONS]:
        for filters in _periods(periods):
            first = dt.date.fromisoformat(filters.get("from", "2000-01-01"))
            last = dt.date.fromisoformat(filters.get("to", "2100-01-01"))

            def chosen(cells: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
                return [
                    c
                    for c in cells
                    if (region is None or c[0] == regions[region]) and first <= c[1] <= last  # noqa: B023
                ]

            enrolled, entitled = chosen(truth.enrolled), chosen(truth.people)
            params = {**filters, **({"region": region} if region else {})}
            summary = client.get("/api/reintegration/summary/", params).json()
            for row in summary["per_period"]:
                mine = [c for c in enrolled if c[1].isoformat() == row["period"]]
                equations.add("enrolments", mine, row["enrolled"])
                for outcome in OUTCOMES:
                    equations.add("enrolments", [c for c in mine if c[5] == outcome], row[outcome])
            for outcome in OUTCOMES:
                cells = [c for c in enrolled if c[5] == outcome]
                equations.add("enrolments", cells, summary["totals"][outcome])
            equations.add("enrolments", enrolled, summary["totals"]["enrolled"])
            for row in summary["by_region"]:
                equations.add(
                    "enrolments", [c for c in enrolled if c[0] == names[row["region"]]], row["enrolled"]
                )
            for band, by_sex in summary["by_sex_and_age"].items():
                for sex, n in by_sex.items():
                    equations.add("enrolments", [c for c in enrolled if (c[4], c[3]) == (band, sex)], n)
            for funding in summary["funding"]:
                mine = [c for c in entitled if c[2] == funding["code"]]
                committed = [c for c in mine if c[5] != E.CANCELLED]
                disbursed = [c for c in mine if c[5] in (E.PAID, E.DELIVERED)]
                equations.add("amounts", committed, funding["committed_xof"], people=False)
                equations.add("amounts", disbursed, funding["disbursed_xof"], people=False)
            for row in summary["entitlements"]:
                mine = [c for c in entitled if c[5] == row["state"]]
                equations.add("entitlements", mine, row["people"])
                equations.add("amounts", mine, row["amount_xof"], people=False)
                equations.small_shown += _shown([row["entitlements"]])
            for row in summary["follow_ups"]:
                done = [c for c in chosen(truth.follow_ups) if c[2] == row["month"]]
                equations.add("follow-ups", done, row["done"])
                equations.add("follow-ups", [c for c in done if c[3] == "yes"], row["activity_running"])
                equations.add("follow-ups", [c for c in done if c[4] == "good"], row["acceptance_good"])


def _amount_leaks(truth: Truth, solver: Solver, groups: Iterable[frozenset[Any]]) -> dict[Any, int]:
    """Amounts of cells, and of figures, of 1 to 4 people that the equations give."""
    found = {
        c: v
        for c, v in solver.solved().items()
        if 0 < truth.people.get(c, 0) < SUPPRESS_BELOW and truth.amounts[c] == v
    }
    for group in set(groups):
        people = sum(truth.people.get(c, 0) for c in group)
        amount = sum(truth.amounts.get(c, 0) for c in group)
        if 0 < people < SUPPRESS_BELOW and solver.value_of(group) == amount:
            found[group] = amount
    return found


def _solve(
    truth: Truth, equations: Equations, *, exact: bool
) -> tuple[dict[str, dict[Any, int]], dict[Any, int]]:
    """The small cells the equations give away, per table, and the small amounts."""
    sources = {"enrolments": truth.enrolled, "entitlements": truth.people, "follow-ups": truth.follow_ups}
    found: dict[str, dict[Any, int]] = {}
    for table, values in sources.items():
        solver = Solver()
        for cells, value in equations.tables[table]:
            solver.add(cells, sum(values.get(c, 0) for c in cells) if exact else value)
        groups = [frozenset(cells) for cells, _value in equations.tables[table]]
        found[table] = leaks(values, solver, groups)
    solver = Solver()
    for cells, value in equations.tables["amounts"]:
        solver.add(cells, sum(truth.amounts.get(c, 0) for c in cells) if exact else value)
    money = _amount_leaks(truth, solver, [frozenset(cells) for cells, _value in equations.tables["amounts"]])
    return found, money


def test_no_small_group_nor_its_money_is_recoverable_from_the_reintegration_figures(
    analyst_client: Client, grain: list[dt.date]
) -> None:
    officer = UserFactory.create(username="enrolling-officer")
    truth = _data(grain, officer)
    regions = dict(Region.objects.filter(code__in=REGIONS).values_list("code", "pk"))
    small = [c for c, n in truth.enrolled.items() if 0 < n < SUPPRESS_BELOW]
    assert len(small) > 20 and any(n >= SUPPRESS_BELOW for n in truth.enrolled.values())
    assert any(0 < n < SUPPRESS_BELOW for n in truth.follow_ups.values())

    equations = Equations()
    _read_tables(analyst_client, truth, _domains(grain, regions), equations)
    _read_summaries(analyst_client, truth, grain, regions, equations)

    assert equations.small_shown == []
    found, money = _solve(truth, equations, exact=False)
    assert found == {"enrolments": {}, "entitlements": {}, "follow-ups": {}}
    assert money == {}
    # Positive control: the same figures exact (as staff read them) give small cells away.
    found, money = _solve(truth, equations, exact=True)
    assert len(found["enrolments"]) >= 5 and len(found["entitlements"]) >= 5
    assert len(money) >= 5
