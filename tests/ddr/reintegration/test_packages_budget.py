"""The budget per funding source and package: envelope, committed, disbursed, remaining, and what
falls due; set-based (queries constant), exported as CSV, for national staff only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.models import ExportLog
from ddr.models import Combatant, Entitlement, Package, Pathway
from ddr.reintegration.packages import selectors, services

from ...factories import CombatantFactory, FundingSourceFactory, PackageFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
State = Entitlement.State


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Messages in English (pages included: French is the default), whatever the catalogue holds."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _enrol(package: Package, by: Any, on: dt.date) -> list[Entitlement]:
    person = CombatantFactory.create(status=Combatant.Status.ORIENTED, pathway=Pathway.REINSERTION)
    enrolment = services.enrolment_create(person=person, package=package, on=on, by=by)
    return list(enrolment.entitlements.order_by("due_on"))


def _set(entitlement: Entitlement, state: str) -> None:
    Entitlement.objects.filter(pk=entitlement.pk).update(state=state)


@pytest.fixture
def books(commission_officer: Any) -> dict[str, Any]:
    """World Bank: a package of 75,000 + 75,000 (day 90) + 250,000 (day 30), in two versions,
    three people; PBF: one package nobody is in yet."""
    bank = FundingSourceFactory.create(code="world-bank", envelope_xof=10_000_000)
    pbf = FundingSourceFactory.create(code="pbf", name="PBF", envelope_xof=1_000_000)
    package = PackageFactory.create(code="filet", envelope_xof=2_000_000, funding_source=bank)
    # Enrolled 60 days ago: tranche 1 overdue, kit overdue, tranche 2 due in 30 days.
    a = _enrol(package, commission_officer, TODAY - dt.timedelta(days=60))
    _set(a[0], State.PAID)  # 75,000 paid
    _set(a[1], State.DELIVERED)  # 250,000 kit handed over
    # Enrolled today: tranche 1 due today, kit in 30 days, tranche 2 in 90 days.
    b = _enrol(package, commission_officer, TODAY)
    _set(b[0], State.IN_BATCH)
    newer = services.package_new_version(source=package, by=commission_officer)
    Package.objects.filter(pk=newer.pk).update(
        envelope_xof=3_000_000, effective_from=TODAY - dt.timedelta(days=1)
    )
    Package.objects.filter(pk=package.pk).update(effective_to=TODAY - dt.timedelta(days=1))
    # The third person dropped out: what was due is cancelled (not committed any more).
    c = _enrol(package, commission_officer, TODAY - dt.timedelta(days=200))
    _set(c[0], State.PAID)
    Entitlement.objects.filter(pk__in=[c[1].pk, c[2].pk]).update(state=State.CANCELLED)
    PackageFactory.create(code="faga", name="FAGA", funding_source=pbf, envelope_xof=1_500_000)
    return {"bank": bank, "pbf": pbf}


def test_the_budget_figures(books: dict[str, Any], commission_officer: Any) -> None:
    sources, total = selectors.budget(commission_officer, TODAY)
    by_code = {s.source.code: s for s in sources}
    bank = by_code["world-bank"]
    [line] = bank.packages
    assert (line.code, line.versions) == ("filet", [2, 1])
    f = line.figures
    assert f.envelope == 3_000_000  # the latest version's
    assert f.committed == 400_000 * 2 + 75_000
    assert f.disbursed == 75_000 + 250_000 + 75_000
    assert f.remaining == 3_000_000 - 875_000
    assert f.overdue == 0  # a's two first are settled
    # a's second tranche and b's kit (in 30 days, counted), b's first (today, in a batch)
    assert f.due_30 == 75_000 + 250_000 + 75_000
    assert f.due_90 == 75_000 + 250_000 + 75_000 + 75_000  # and b's second tranche (in 90 days)
    assert f.people == 3
    assert (bank.figures.envelope, bank.figures.committed, bank.figures.remaining) == (
        10_000_000,
        875_000,
        10_000_000 - 875_000,
    )
    pbf = by_code["pbf"]
    assert (pbf.figures.committed, pbf.allocated, pbf.over_allocated) == (0, 1_500_000, True)
    assert (total.envelope, total.committed, total.disbursed) == (11_000_000, 875_000, 400_000)


def test_overdue_counts_what_is_still_open_before_today(commission_officer: Any) -> None:
    package = PackageFactory.create()
    _enrol(package, commission_officer, TODAY - dt.timedelta(days=100))  # all three overdue
    [source], total = selectors.budget(commission_officer, TODAY)
    assert (source.figures.overdue, source.figures.due_30, source.figures.due_90) == (400_000, 0, 0)


def test_the_budget_page_queries_are_constant(
    books: dict[str, Any], commission_client: Any, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        _enrol(PackageFactory.create(code=f"p{n}"), commission_officer, TODAY)
    with django_assert_max_num_queries(10):
        response = commission_client.get(reverse("ddr:reintegration-budget"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="package-filet"' in page and "table-responsive" in page


def test_the_budget_exports_as_csv(books: dict[str, Any], commission_client: Any) -> None:
    response = commission_client.get(reverse("ddr:reintegration-budget"), {"export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Funding source;Package;Envelope (XOF);Committed (XOF)")
    assert any(
        line.startswith("Banque mondiale;Filet") and ";3000000;875000;400000;" in line for line in lines
    )
    assert lines[-1].startswith("Total;;11000000;875000;400000;")
    assert ExportLog.objects.get().what == "budget-reintegration"


def test_only_national_staff_read_the_budget(gao_client: Any, analyst_client: Any) -> None:
    assert gao_client.get(reverse("ddr:reintegration-budget")).status_code == 403
    assert analyst_client.get(reverse("ddr:reintegration-budget")).status_code == 403
    assert analyst_client.get(reverse("ddr:reintegration-budget"), {"export": "csv"}).status_code == 403
