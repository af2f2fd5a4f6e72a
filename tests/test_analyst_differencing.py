"""An analyst cannot recover a small count by combining or differencing the figures they read.

Both at the default period grain (quarters) and at the finest one allowed (calendar months):
`grain` runs each test under `DDR_ANALYST_PERIOD_MONTHS` 3 and 1.

The attacker: every figure an analyst reads (each endpoint under /api/ open to them, each
dashboard figure, the pages and CSVs they reach) with every filter value and every pair of
filters, read as an equation "the sum of these true cells is this value" (what a reader who takes
the figures at their word would write). Exact linear algebra over those equations (`Solver`)
then solves every cell it can: a finer grouping minus its parent, one period minus another, a
movement minus its lists, a row total minus its cells are all such combinations. No cell of 1 to 4
people may come out with its true value, and no figure shown may be from 1 to 4. The positive
control shows the solver does recover cells from figures that are not suppressed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

import pytest
from django.utils import translation

from cantonment.models import Site
from core.models import Region
from core.suppression import SUPPRESS_BELOW
from ddr.models import ArmedGroup, Combatant, Pathway, Sex
from integration.models import Membership, Party

from .factories import CombatantFactory, SiteFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

P = 2**61 - 1  # equations are solved modulo this prime: exact for counts this small
S = Combatant.Status
STATUSES = [S.REGISTERED, S.CANTONED, S.DEMOBILISED]
PATHWAYS = [Pathway.REINSERTION, Pathway.INTEGRATION_ARMY, Pathway.COMMUNITY]


def _period_end(start: dt.date) -> dt.date:
    from core.suppression import period_end

    return period_end(start)


@pytest.fixture(params=[3, 1], ids=["quarters", "months"])
def grain(request: Any, settings: Any) -> list[dt.date]:
    """The analysts' period grain for the test; returns the first days of three periods of it."""
    settings.DDR_ANALYST_PERIOD_MONTHS = request.param
    return [dt.date(2024, 1 + i * request.param, 1) for i in range(3)]


class Solver:
    """Equations "sum of these cells = value" in reduced row echelon form, modulo P."""

    def __init__(self) -> None:
        self.rows: dict[Any, tuple[dict[Any, int], int]] = {}  # pivot -> (coefficients, value)

    def add(self, cells: Iterable[Any], value: int) -> None:
        row = {c: 1 for c in cells}
        rhs = value % P
        for pivot in [c for c in row if c in self.rows]:
            factor = row.get(pivot, 0)
            if factor:
                prow, prhs = self.rows[pivot]
                for c, v in prow.items():
                    row[c] = (row.get(c, 0) - factor * v) % P
                rhs = (rhs - factor * prhs) % P
        row = {c: v for c, v in row.items() if v}
        if not row:
            return
        pivot = next(iter(row))
        inverse = pow(row[pivot], P - 2, P)
        row = {c: v * inverse % P for c, v in row.items()}
        rhs = rhs * inverse % P
        for other, (orow, orhs) in list(self.rows.items()):
            factor = orow.get(pivot, 0)
            if factor:
                merged = dict(orow)
                for c, v in row.items():
                    merged[c] = (merged.get(c, 0) - factor * v) % P
                self.rows[other] = ({c: v for c, v in merged.items() if v}, (orhs - factor * rhs) % P)
        self.rows[pivot] = (row, rhs)
        # A row added later may have pivots of its own in older rows: keep every pivot alone.
        for other, (orow, orhs) in list(self.rows.items()):
            if other != pivot and pivot in orow:
                factor = orow[pivot]
                merged = dict(orow)
                for c, v in row.items():
                    merged[c] = (merged.get(c, 0) - factor * v) % P
                self.rows[other] = ({c: v for c, v in merged.items() if v}, (orhs - factor * rhs) % P)

    def value_of(self, cells: Iterable[Any]) -> int | None:
        """The sum of these cells if the equations determine it, else None."""
        row = dict.fromkeys(cells, 1)
        rhs = 0
        for pivot in [c for c in row if c in self.rows]:
            factor = row.get(pivot, 0)
            if factor:
                prow, prhs = self.rows[pivot]
                for c, v in prow.items():
                    row[c] = (row.get(c, 0) - factor * v) % P
                rhs = (rhs - factor * prhs) % P
        if any(row.values()):
            return None
        value = -rhs % P
        return value if value < P // 2 else value - P

    def solved(self) -> dict[Any, int]:
        """Every cell the equations pin down, with the value they give it."""
        found = {}
        for pivot, (row, rhs) in self.rows.items():
            if row == {pivot: 1}:
                found[pivot] = rhs if rhs < P // 2 else rhs - P
        return found


def leaks(truth: dict[Any, int], solver: Solver, groups: Iterable[frozenset] = ()) -> dict[Any, int]:
    """Cells, and groups of cells (the cells of every figure), of 1 to 4 people whose true
    number the equations give."""
    found = {c: v for c, v in solver.solved().items() if 0 < truth.get(c, 0) < SUPPRESS_BELOW and truth[c] == v}
    for group in set(groups):
        n = sum(truth.get(c, 0) for c in group)
        if 0 < n < SUPPRESS_BELOW and solver.value_of(group) == n:
            found[group] = n
    return found


def test_the_solver_recovers_small_cells_from_unsuppressed_figures() -> None:
    """Positive control: a parent total minus its visible children, and a period difference."""
    truth = {("GAO", "M"): 12, ("GAO", "F"): 3, ("KID", "M"): 7, ("KID", "F"): 2}
    solver = Solver()
    solver.add([("GAO", "M"), ("GAO", "F")], 15)  # the region's total
    solver.add([("GAO", "M")], 12)  # a visible child
    solver.add(list(truth), 24)  # everything
    solver.add([("KID", "M")], 7)
    assert leaks(truth, solver) == {("GAO", "F"): 3, ("KID", "F"): 2}
    # Suppressed as analysts get it: sums of the cells of 5 or more only.
    hidden = Solver()
    hidden.add([("GAO", "M"), ("GAO", "F")], 12)
    hidden.add([("GAO", "M")], 12)
    hidden.add(list(truth), 19)
    hidden.add([("KID", "M")], 7)
    assert leaks(truth, hidden) == {}


def _people(periods: list[dt.date]) -> dict[tuple, int]:
    """People in many small cells (1 to 4) and a few large ones, over regions, periods, statuses,
    pathways, sexes and movements; returns the truth, cell -> people."""
    regions = list(Region.objects.filter(code__in=["GAO", "KID", "TBK"]).order_by("code"))
    movements = list(ArmedGroup.objects.order_by("code")[:3])
    truth: dict[tuple, int] = {}
    people: list[Combatant] = []
    days = (_period_end(periods[0]) - periods[0]).days  # spread over the period, ends included
    combos = itertools.product(regions, periods, STATUSES, PATHWAYS, [Sex.MALE, Sex.FEMALE], movements)
    for i, (r, month, status, pathway, sex, movement) in enumerate(combos):
        n = (i * 7) % 11  # 0 to 10: most cells small, some of 5 or more, most empty
        if i % 5:
            n = n % 5  # four cells in five are small or empty
        if (i * 13) % 6:
            n = 0  # sparse, so that figures have small cells too
        if not n:
            continue
        day = month + dt.timedelta(days=(i * 11) % (days + 1))
        people += [
            CombatantFactory.build(
                region=r, movement=movement, sex=sex, pathway=pathway, status=status, registered_at=day
            )
            for _ in range(n)
        ]
        truth[(r.pk, month, status, pathway, sex, movement.pk)] = n
    Combatant.objects.bulk_create(people)
    return truth


def _periods(starts: list[dt.date]) -> list[dict[str, str]]:
    """No period, each period, up to each, from each, each pair of periods."""
    periods: list[dict[str, str]] = [{}]
    for m in starts:
        periods += [{"from": str(m), "to": str(_period_end(m))}, {"to": str(_period_end(m))}, {"from": str(m)}]
    for a, b in itertools.combinations(starts, 2):
        periods.append({"from": str(a), "to": str(_period_end(b))})
    return periods


def _shown(values: Iterable[Any]) -> list[int]:
    """Counts shown below 5 other than 0 (must be none)."""
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool) and 0 < v < SUPPRESS_BELOW]


def test_no_small_register_cell_is_recoverable_from_every_figure_an_analyst_reads(
    analyst_client: Any, analyst: Any, grain: list[dt.date]
) -> None:
    truth = _people(grain)
    cells = list(truth)
    equations: list[tuple[list[tuple], int]] = []
    small_shown: list[Any] = []

    class Recorder:
        def add(self, chosen: list[tuple], value: int) -> None:
            equations.append((chosen, value))

    solver = Recorder()

    with translation.override("en"):
        region_of_name = dict(Region.objects.values_list("name", "id"))
        region_of_code = dict(Region.objects.values_list("code", "id"))
        movement_of = dict(ArmedGroup.objects.values_list("code", "id"))
        from programme.dashboard import FUNNEL

        steps = {str(label): set(statuses) for label, statuses in FUNNEL}
        region_names = list(Region.objects.filter(code__in=["GAO", "KID", "TBK"]).values_list("name", flat=True))
        movement_codes = list(ArmedGroup.objects.order_by("code").values_list("code", flat=True)[:3])

    # /api/pathways/counts/ by every grouping: every cell, a missing one read as 0.
    values: dict[str, list[tuple[str, Any]]] = {
        "pathway": [(str(p), p) for p in PATHWAYS],
        "region": [(code, region_of_code[code]) for code in ("GAO", "KID", "TBK")],
        "movement": [(code, movement_of[code]) for code in movement_codes],
        "sex": [(str(x), x) for x in (Sex.MALE, Sex.FEMALE)],
    }
    position = {"region": 0, "pathway": 3, "sex": 4, "movement": 5}
    for size in range(1, 5):
        for names in itertools.combinations(position, size):
            rows = analyst_client.get("/api/pathways/counts/", {"by": ",".join(names)}).json()
            counted = {tuple(row[n] for n in names): row["count"] for row in rows}
            small_shown += _shown(counted.values())
            for key in itertools.product(*(values[n] for n in names)):
                chosen = [c for c in cells if all(c[position[n]] == v for n, (_label, v) in zip(names, key, strict=True))]
                solver.add(chosen, counted.get(tuple(label for label, _v in key), 0))

    # Every register figure of the dashboard, by region and period, and their pairs.
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    with translation.override("en"):
        columns: dict[str, tuple[int, list[tuple[str, Any]]]] = {
            "pathways": (0, [(name, region_of_name[name]) for name in region_names]),
            "pathway_by_sex": (4, [(str(label), x) for x, label in Sex.choices]),
            "pathway_by_movement": (5, values["movement"]),
        }
        pathway_labels = [(str(label), p) for p, label in Pathway.choices if p in PATHWAYS]
    for region in [None, "GAO", "KID", "TBK"]:
        for period in _periods(grain):
            params = {**period, **({"region": region} if region else {})}
            in_scope = [
                c
                for c in cells
                if (region is None or c[0] == region_of_code[region])
                and (not period.get("from") or c[1] >= dt.date.fromisoformat(period["from"]))
                and (not period.get("to") or c[1] <= dt.date.fromisoformat(period["to"]))
            ]
            for figure in ("funnel", "pathways", "pathway_by_sex", "pathway_by_movement"):
                answer = analyst_client.get(f"/api/dashboard/{figure}/", params, **headers)
                assert answer.status_code == 200, (figure, params, answer.content)
                data = answer.json()["data"]
                if figure == "funnel":
                    for label, n in data:
                        small_shown += _shown([n])
                        solver.add([c for c in in_scope if c[2] in steps[label]], n)
                    continue
                at, column_values = columns[figure]
                for pathway_label, pathway in pathway_labels:
                    row = data.get(pathway_label, {})
                    small_shown += _shown(row.values())
                    for label, value in column_values:
                        chosen = [c for c in in_scope if c[3] == pathway and c[at] == value]
                        solver.add(chosen, row.get(label, 0))

    # The home page's figures.
    from programme.selectors import programme_summary

    summary = programme_summary(analyst)
    small_shown += _shown([summary.people, summary.women, *(n for _r, n in summary.by_region)])
    solver.add(cells, summary.people)
    solver.add([c for c in cells if c[4] == Sex.FEMALE], summary.women)
    for name, n in summary.by_region:
        solver.add([c for c in cells if c[0] == region_of_name[name]], n)

    assert small_shown == []
    assert sum(0 < n < SUPPRESS_BELOW for n in truth.values()) > 40  # the data has many small cells
    attacker, control = Solver(), Solver()
    for chosen, value in equations:
        attacker.add(chosen, value)
        control.add(chosen, sum(truth[c] for c in chosen))  # the same figures, exact (staff's)
    groups = [frozenset(chosen) for chosen, _value in equations]
    assert leaks(truth, attacker, groups) == {}
    assert len(leaks(truth, control, groups)) >= 5, "the solver recovers cells from exact figures"


def test_analysts_read_whole_quarters_by_default(analyst_client: Any, client: Any) -> None:
    """At the default grain a month, or a quarter cut short, is refused with a message naming the
    grain; whole quarters are read."""
    month = analyst_client.get(
        "/api/dashboard/funnel/", {"from": "2024-01-01", "to": "2024-01-31"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert month.status_code == 400
    assert month.json() == {
        "period": ["Analysts read whole quarters: the period must end on the last day of a quarter."]
    }
    refused = analyst_client.get("/api/dashboard/funnel/", {"from": "2024-02-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "whole quarters" in str(refused.json())
    assert analyst_client.get("/api/dashboard/funnel/", {"from": "2024-01-02"}).status_code == 400
    quarters = {"from": "2024-01-01", "to": "2024-06-30"}
    assert analyst_client.get("/api/dashboard/funnel/", quarters).status_code == 200
    assert analyst_client.get("/api/dashboard/", {"from": "2024-04-01", "to": "2024-06-30"}).status_code == 200
    page = analyst_client.get("/tableau-de-bord/", {"to": "2024-01-31"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "whole quarters" in page.content.decode()
    assert analyst_client.get("/tableau-de-bord/", quarters).status_code == 200
    desertions = analyst_client.get("/api/integration/desertions/", {"from": "2024-02-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert desertions.status_code == 400 and "whole quarters" in str(desertions.json())
    assert analyst_client.get("/api/integration/desertions/", quarters).status_code == 200
    assert analyst_client.get("/unites/desertions/", {"from": "2024-01-01", "to": "2024-01-31"}).status_code == 400
    assert analyst_client.get("/unites/desertions/").status_code == 200  # the default period is whole quarters
    staff = UserFactory.create(username="staff-months")
    client.force_login(staff)
    assert client.get("/api/dashboard/funnel/", {"from": "2024-01-02"}).status_code == 200


def test_analysts_read_whole_months_at_month_grain(analyst_client: Any, settings: Any) -> None:
    settings.DDR_ANALYST_PERIOD_MONTHS = 1
    refused = analyst_client.get("/api/dashboard/funnel/", {"from": "2024-01-02"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "whole calendar months" in str(refused.json())
    assert analyst_client.get("/api/dashboard/funnel/", {"to": "2024-01-30"}).status_code == 400
    assert analyst_client.get("/api/dashboard/funnel/", {"from": "2024-01-01", "to": "2024-02-29"}).status_code == 200
    assert analyst_client.get("/tableau-de-bord/", {"to": "2024-01-15"}).status_code == 400
    assert analyst_client.get("/api/integration/desertions/", {"from": "2024-01-15"}).status_code == 400


def test_analysts_read_whole_years_at_year_grain(analyst_client: Any, settings: Any) -> None:
    settings.DDR_ANALYST_PERIOD_MONTHS = 12
    refused = analyst_client.get("/api/dashboard/funnel/", {"to": "2024-06-30"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "whole years" in str(refused.json())
    assert analyst_client.get("/api/dashboard/funnel/", {"from": "2024-01-01", "to": "2024-12-31"}).status_code == 200


def test_no_desertion_count_is_recoverable_across_periods_pages_and_csv(
    analyst_client: Any, grain: list[dt.date]
) -> None:
    units = [UnitFactory.create(name=f"Unit {i}") for i in range(3)]
    truth: dict[tuple, int] = {}
    for i, (unit, party, month) in enumerate(itertools.product(units, [Party.FAMA, Party.CMA], grain)):
        n = [3, 6, 1, 0, 2, 7, 4][i % 7]
        for _ in range(n):
            Membership.objects.create(
                unit=unit,
                party=party,
                service_number=f"S{i}-{_}" if party == Party.FAMA else "",
                combatant=None if party == Party.FAMA else CombatantFactory.create(),
                start=dt.date(2023, 1, 1),
                end=month + dt.timedelta(days=(i * 17) % ((_period_end(month) - month).days + 1)),
                leaving=Membership.Leaving.DESERTED,
            )
        if n:
            truth[(unit.name, party, month)] = n
    cells = list(truth)
    solver = Solver()
    shown: list[int] = []
    for period in [p for p in _periods(grain) if p]:
        api = analyst_client.get("/api/integration/desertions/", period).json()
        page = analyst_client.get("/unites/desertions/", {**period, "export": "csv"})
        assert page.status_code == 200
        first = dt.date.fromisoformat(period.get("from", "2000-01-01"))
        last = dt.date.fromisoformat(period.get("to", "2100-01-01"))
        for row in api:
            shown += _shown([row["count"]])
            solver.add([c for c in cells if c[:2] == (row["unit"], row["party"]) and first <= c[2] <= last], row["count"])
        text = page.content.decode("utf-8-sig")
        for line in text.splitlines()[1:]:
            *_names, count = line.split(";")
            shown += _shown([int(count)])
    assert shown == []
    assert leaks(truth, solver) == {}


def test_sites_and_reconciliation_show_no_small_count(analyst_client: Any) -> None:
    site = SiteFactory.create(places_for_women=10)
    Site.objects.filter(pk=site.pk).update(occupancy=40, occupancy_women=4)
    rows = analyst_client.get("/api/sites/").json()["results"]
    assert rows[0]["occupancy_women"] == 0 and rows[0]["occupancy"] == 36  # 4 women left out of both
    reconciliation = analyst_client.get("/api/weapons/reconciliation/").json()
    assert _shown(str(reconciliation).split()) == []
    assert analyst_client.get("/api/weapons/reconciliation/", {"movement": "GATIA"}).status_code == 400


@pytest.mark.parametrize(
    "url", ["/api/people/", "/api/unit-memberships/", "/api/cvr-beneficiaries/", "/api/stays/", "/api/weapons/"]
)
def test_analysts_get_no_row_per_person_endpoint(analyst_client: Any, url: str) -> None:
    CombatantFactory.create()
    assert analyst_client.get(url).status_code == 403


def test_pseudonyms_differ_per_purpose() -> None:
    from core.suppression import pseudonym_for

    assert pseudonym_for(7, "stays") != pseudonym_for(7, "unit-memberships")
    with pytest.raises(ValueError):
        pseudonym_for(7, "")
