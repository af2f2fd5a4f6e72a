"""The agreement's calendar for sites (30 days to validate a proposed site, 120 to build it) and
interim measures with an end (a pre-cantonment site, a MOC unit): deadlines shown, the late ones
flagged on the lists and in the officers' work queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from cantonment.sites import rules, selectors
from cantonment.sites import services as sites
from cantonment.sites.models import Site
from cantonment.sites.services import CantonmentRefused
from core.dates import past_interim_end
from programme.work_queue import waiting_for

from ..factories import UnitFactory, region

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
S = Site.Status


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_the_calendar_counts_from_each_step() -> None:
    proposed = dt.date(2015, 7, 20)
    (validation,) = rules.agreement_calendar({"proposed": proposed})
    assert validation.due == dt.date(2015, 8, 19) and validation.late_days(dt.date(2015, 8, 29)) == 10
    validation, construction = rules.agreement_calendar(
        {"proposed": proposed, "validated": dt.date(2015, 8, 9), "built": dt.date(2016, 1, 6)}
    )
    assert validation.late_days(TODAY) == 0  # validated in time
    assert construction.due == dt.date(2015, 12, 7) and construction.late_days(TODAY) == 30  # built late
    assert past_interim_end(dt.date(2014, 5, 31), False, dt.date(2014, 6, 10)) == 10
    assert past_interim_end(dt.date(2014, 5, 31), True, dt.date(2014, 6, 10)) == 0  # ended
    assert past_interim_end(None, False, TODAY) == 0


def _propose(by: User, **values: Any) -> Site:
    fields: dict[str, Any] = {
        "name": "Tin Fatimata",
        "kind": Site.Kind.CANTONMENT,
        "region": region("GAO"),
        "capacity": 1500,
        "places_for_women": 100,
        "proposed_on": TODAY - dt.timedelta(days=45),
    }
    return sites.site_propose(by=by, **(fields | values))


def test_a_proposed_site_not_validated_within_30_days_is_late(
    commission_officer: User, commission_client: Client
) -> None:
    with pytest.raises(CantonmentRefused, match="future"):
        _propose(commission_officer, proposed_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(CantonmentRefused, match="exceed the capacity"):
        _propose(commission_officer, places_for_women=2000)
    assert not Site.objects.exists()
    site = _propose(commission_officer)
    assert site.status == S.PROPOSED and site.events.get().on == TODAY - dt.timedelta(days=45)
    assert list(selectors.late(Site.objects.all(), TODAY)) == [site]
    page = commission_client.get(reverse("cantonment:site-detail", args=[site.pk])).content.decode()
    assert 'data-testid="agreement-calendar"' in page and "15 jours de retard" in page
    listed = commission_client.get(reverse("cantonment:site-list") + "?late=1").content.decode()
    assert "Tin Fatimata" in listed
    (late,) = [w for w in waiting_for(commission_officer) if w.url.startswith(reverse("cantonment:site-list"))]
    assert late.count == 1 and late.urgent and late.url.endswith("?late=1")

    sites.site_advance(site=site, to=S.VALIDATED, on=TODAY, by=commission_officer, decided_by="CTS")
    assert not selectors.late(Site.objects.all(), TODAY).exists()  # now 120 days to build it


def test_a_regional_officer_proposes_in_their_region_only(gao_client: Client) -> None:
    values = {"name": "Likrakar", "kind": "cantonment", "capacity": 10, "places_for_women": 0}
    values |= {"proposed_on": TODAY.isoformat(), "region": region("TBK").pk}
    refused = gao_client.post(reverse("cantonment:site-propose"), values)
    assert refused.status_code == 200 and not Site.objects.exists()  # the form says why
    made = gao_client.post(reverse("cantonment:site-propose"), values | {"region": region("GAO").pk})
    assert made.status_code == 302 and Site.objects.get().region == region("GAO")


def test_interim_measures_past_their_end_are_flagged(commission_officer: User, commission_client: Client) -> None:
    moc = UnitFactory.create(name="MOC Gao", interim_until=TODAY - dt.timedelta(days=3))
    UnitFactory.create(name="MOC Kidal", interim_until=TODAY - dt.timedelta(days=3), dissolved=TODAY)
    pilot = _propose(commission_officer, kind=Site.Kind.PRE_CANTONMENT, proposed_on=TODAY)
    Site.objects.filter(pk=pilot.pk).update(status=S.OPERATIONAL, interim_until=TODAY - dt.timedelta(days=1))
    assert list(selectors.late(Site.objects.all(), TODAY)) == [pilot]
    assert moc.interim_late_days == 3
    units = commission_client.get(reverse("integration:unit-list")).content.decode()
    assert units.count("intérimaire, au-delà de son terme") == 1  # MOC Gao only: Kidal's is dissolved
    lines = {w.url: w.count for w in waiting_for(commission_officer)}
    late_units = reverse("integration:unit-list") + "?interim_late=1"
    assert lines[late_units] == 1
    assert [unit for unit, _t in commission_client.get(late_units).context["rows"]] == [moc]
    page = commission_client.get(reverse("integration:unit-detail", args=[moc.pk])).content.decode()
    assert "3 jours au-delà" in page
