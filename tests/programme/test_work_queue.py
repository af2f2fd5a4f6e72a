"""The home page's work queue: each role sees what waits for it, counted within its scope, with a
link to the list; analysts see none."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from cantonment.models import CantonmentStay, StockCheck, StorageLocation
from ddr.duplicates.models import DuplicatePair
from ddr.models import Category, ChildReferral, Enrolment, VettingMatch, WatchlistEntry
from ddr.reintegration.followup import services as follow_ups
from ddr.reintegration.packages.services import enrolment_create
from integration.models import ComplianceCheck, Unit
from programme.work_queue import WORK, waiting_for

from ..factories import CombatantFactory, PackageFactory, SiteFactory, UnitFactory, region

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def _work(client: Any) -> dict[str, tuple[int, str]]:
    response = client.get(reverse("programme:home"))
    return {str(w.label): (w.count, w.url) for w in response.context["work"] or []}


@pytest.fixture
def waiting(commission_officer: Any) -> None:
    """Two Kidal pairs and one Gao pair of duplicates, a Gao match to decide, a Kidal overstay and
    a child's referral past its deadline."""
    for code in ("KID", "KID", "GAO"):
        first, second = CombatantFactory.create_batch(2, region=region(code))
        DuplicatePair.objects.create(first=first, second=second, score=0.9)
    entry = WatchlistEntry.objects.create(name="Mohammed Ould Sidatti", reason="Exécutions")
    VettingMatch.objects.create(
        combatant=CombatantFactory.create(region=region("GAO")), entry=entry, score=90, matched_name="x"
    )
    site = SiteFactory.create(region=region("KID"), status="operational")
    CantonmentStay.objects.create(
        combatant=CombatantFactory.create(region=region("KID")),
        site=site,
        checked_in_on=TODAY - dt.timedelta(days=60),
        leave_by=TODAY - dt.timedelta(days=15),
        flag=CantonmentStay.Flag.OVERSTAY,
        checked_in_by=commission_officer,
    )
    ChildReferral.objects.create(
        combatant=CombatantFactory.create(category=Category.CHILD, has_weapon=False),
        identified_at=timezone.now() - dt.timedelta(days=5),
        handover_deadline=timezone.now() - dt.timedelta(days=3),
        referred_by=commission_officer,
    )


def test_each_role_sees_its_own_work_within_its_scope(
    waiting: None, commission_client: Any, gao_client: Any, child_protection_client: Any, analyst_client: Any
) -> None:
    national = _work(commission_client)
    assert national["Paires de doublons probables à examiner"] == (3, reverse("ddr:duplicate-queue"))
    assert national["Correspondances possibles avec la liste de surveillance à trancher"][0] == 1
    assert national["Personnes ayant dépassé la durée de séjour sur un site"][0] == 1
    assert not any("enfants" in label.lower() for label in national)  # children: child protection only
    gao = _work(gao_client)
    assert gao["Paires de doublons probables à examiner"][0] == 1  # their region's pair only
    assert "Personnes ayant dépassé la durée de séjour sur un site" not in gao  # a Kidal stay
    assert not any("surveillance" in label for label in gao)  # vetting is national
    protection = _work(child_protection_client)
    assert protection == {
        "Orientations d'enfants ayant dépassé le délai de remise": (1, reverse("ddr:referral-list"))
    }
    page = analyst_client.get(reverse("programme:home"))
    assert page.context["work"] is None and 'data-testid="work-queue"' not in page.content.decode()


def test_late_work_comes_first_and_every_link_opens(waiting: None, commission_client: Any) -> None:
    page = commission_client.get(reverse("programme:home")).content.decode()
    work = commission_client.get(reverse("programme:home")).context["work"]
    assert [w.urgent for w in work] == sorted((w.urgent for w in work), reverse=True)
    assert 'data-testid="work-queue"' in page
    for item in work:
        assert commission_client.get(item.url).status_code == 200, item.url


def test_nothing_waiting_says_so(gao_client: Any, gao_officer: Any) -> None:
    assert waiting_for(gao_officer) == []
    assert "Rien ne vous attend aujourd" in gao_client.get(reverse("programme:home")).content.decode()


def _stay(person_region: str, site_region: str, flag: str, by: Any) -> CantonmentStay:
    today = timezone.localdate()
    return CantonmentStay.objects.create(
        combatant=CombatantFactory.create(region=region(person_region)),
        site=SiteFactory.create(region=region(site_region)),
        checked_in_on=today - dt.timedelta(days=60),
        leave_by=today + dt.timedelta(days={"overstay": -5, "ending_soon": 3}.get(flag, 30)),
        flag=flag,
        checked_in_by=by,
    )


def _checked(unit: Unit, *compliant: bool) -> Unit:
    """One-third checks on the days before today, the last one last."""
    today = timezone.localdate()
    for back, ok in enumerate(reversed(compliant), start=1):
        ComplianceCheck.objects.create(
            unit=unit,
            day=today - dt.timedelta(days=back),
            compliant=ok,
            deviations=[] if ok else ["strength:cma"],
        )
    return unit


def _followed(code: str, by: Any, *due_in: int) -> Enrolment:
    """A person of the region enrolled, their follow-ups planned `due_in` days from today."""
    person = CombatantFactory.create(status="reinserted", region=region(code))
    enrolment = enrolment_create(
        person=person, package=PackageFactory.create(), on=dt.date(2023, 1, 10), by=by
    )
    follow_ups.follow_ups_plan(on=dt.date(2023, 1, 10))
    planned = list(enrolment.follow_ups.order_by("month"))
    assert len(planned) >= len(due_in)
    today = timezone.localdate()
    for follow_up, days in zip(planned, [*due_in, *[200] * len(planned)], strict=False):
        follow_up.due_on = today + dt.timedelta(days=days)
        follow_up.overdue = days < -15
        follow_up.save(update_fields=["due_on", "overdue"])
    return enrolment


@pytest.fixture
def lines(commission_officer: Any) -> dict[str, Any]:
    """Gao and Kidal work of every line the lists filter for the queue, with what must not count."""
    today = timezone.localdate()
    made: dict[str, Any] = {}
    made["deviating"] = _checked(UnitFactory.create(), True, False)  # Gao, deviating since yesterday
    _checked(UnitFactory.create(), False, True)  # Gao, deviated, compliant again
    _checked(UnitFactory.create(dissolved=today - dt.timedelta(days=1)), False)  # dissolved
    made["kidal_deviating"] = _checked(UnitFactory.create(region=region("KID")), False)
    made["interim"] = UnitFactory.create(kind=Unit.Kind.MOC, interim_until=today - dt.timedelta(days=10))
    UnitFactory.create(kind=Unit.Kind.MOC, interim_until=today + dt.timedelta(days=10))
    UnitFactory.create(region=region("KID"), kind=Unit.Kind.MOC, interim_until=today - dt.timedelta(days=3))
    # A stay is the person's: a Gao person's on a Kidal site is Gao's work, a Kidal person's is not.
    made["overstay"] = _stay("GAO", "KID", "overstay", commission_officer)
    _stay("KID", "KID", "overstay", commission_officer)
    made["ending"] = _stay("GAO", "GAO", "ending_soon", commission_officer)
    _stay("GAO", "GAO", "", commission_officer)
    gao_store = StorageLocation.objects.create(name="Armurerie Gao", region=region("GAO"))
    kidal_store = StorageLocation.objects.create(name="Armurerie Kidal", region=region("KID"))
    made["stock_check"] = StockCheck.objects.create(
        location=gao_store,
        kind="weekly",
        generated_on=today - dt.timedelta(14),
        due_on=today - dt.timedelta(7),
    )
    StockCheck.objects.create(
        location=gao_store,
        kind="full",
        generated_on=today - dt.timedelta(14),
        due_on=today - dt.timedelta(7),
        done_on=today - dt.timedelta(8),
        done_by=commission_officer,
    )
    StockCheck.objects.create(
        location=gao_store, kind="weekly", generated_on=today, due_on=today + dt.timedelta(7)
    )
    StockCheck.objects.create(
        location=kidal_store,
        kind="weekly",
        generated_on=today - dt.timedelta(14),
        due_on=today - dt.timedelta(7),
    )
    # Gao: one due in 3 days, one overdue (flagged); Kidal: one due in 2 days.
    made["gao_followed"] = _followed("GAO", commission_officer, 3, -30)
    _followed("KID", commission_officer, 2)
    return made


def _listed(client: Any, url: str) -> set[int]:
    """The rows a work line's link lists, whatever the list."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "rows" in context:  # units
        return {unit.pk for unit, _t in context["rows"]}
    if "checks" in context:  # stock checks
        return {c.pk for c in context["checks"]}
    if "sites" in context:
        return {s.pk for s in context["sites"]}
    return {row.pk for row in context["page"]}  # stays, follow-ups


# New lines by their msgid (French once the catalogue has them).
DEVIATING = "Units deviating from the one-third rule at their last check"
DUE_SOON = "Reintegration follow-ups due within 7 days"
INTERIM = "Unités intérimaires au-delà de leur terme prévu"
OVERSTAYS = "Personnes ayant dépassé la durée de séjour sur un site"
STOCK_CHECKS = "Contrôles de stock d'armes en retard"
FILTERED = {
    INTERIM,
    OVERSTAYS,
    "Séjours se terminant dans les 7 jours",
    STOCK_CHECKS,
    "Suivis de réintégration en retard",
}


@pytest.mark.parametrize("who", ["commission", "gao"])
def test_each_line_opens_a_list_of_exactly_what_it_counts(
    who: str, lines: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = request.getfixturevalue(f"{who}_client")
    user = request.getfixturevalue(f"{who}_officer")
    today = timezone.localdate()
    counted = {str(w.label): w for w in waiting_for(user, today)}
    filtered = FILTERED | {gettext(DEVIATING), gettext(DUE_SOON)}
    assert filtered <= set(counted), set(counted)
    for work in WORK:
        if str(work.label) not in filtered:
            continue
        line = counted[str(work.label)]
        waiting = set(work.waiting(user, today).values_list("pk", flat=True))
        assert _listed(client, line.url) == waiting, work.label
        assert line.count == len(waiting), work.label


def test_a_regional_officer_counts_their_region_only(
    lines: dict[str, Any], gao_client: Any, commission_client: Any
) -> None:
    gao, national = _work(gao_client), _work(commission_client)
    deviating = gettext(DEVIATING)
    assert gao[deviating] == (1, reverse("integration:unit-list") + "?deviating=1")
    assert national[deviating][0] == 2  # and not the compliant again, nor the dissolved
    assert gao[INTERIM] == (1, reverse("integration:unit-list") + "?interim_late=1")
    assert national[INTERIM][0] == 2
    assert gao[OVERSTAYS] == (
        1,
        reverse("cantonment:stay-list") + "?flag=overstay",
    )
    assert national[OVERSTAYS][0] == 2
    assert gao[STOCK_CHECKS] == (1, reverse("cantonment:stock-check-list") + "?overdue=1")
    assert national[STOCK_CHECKS][0] == 2
    due = gettext(DUE_SOON)
    assert gao[due] == (1, reverse("ddr:follow-up-list") + "?show=soon")
    assert national[due][0] == 2
    # The Gao person's stay on a Kidal site is listed, the site named but not opened.
    page = gao_client.get(reverse("cantonment:stay-list"), {"flag": "overstay"}).content.decode()
    stay = lines["overstay"]
    assert stay.combatant.registration_number in page and stay.site.name in page
    assert reverse("cantonment:site-detail", args=[stay.site_id]) not in page


def test_analysts_filter_units_on_what_they_are_shown(lines: dict[str, Any], analyst_client: Any) -> None:
    """No members, so no visible deviation: the stored check (exact figures) does not leak."""
    assert analyst_client.get(reverse("integration:unit-list")).context["rows"]
    response = analyst_client.get(reverse("integration:unit-list"), {"deviating": "1"})
    assert response.status_code == 200 and response.context["rows"] == []


def test_the_stay_list_names_people_so_is_for_cantonment_staff(
    analyst_client: Any, child_protection_client: Any
) -> None:
    for client in (analyst_client, child_protection_client):
        assert client.get(reverse("cantonment:stay-list"), {"flag": "overstay"}).status_code == 403
