"""The home page's work queue: each role sees what waits for it, counted within its scope, with a
link to the list; analysts see none."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cantonment.models import CantonmentStay
from ddr.duplicates.models import DuplicatePair
from ddr.models import Category, ChildReferral, VettingMatch, WatchlistEntry
from programme.work_queue import waiting_for

from ..factories import CombatantFactory, SiteFactory, region

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
