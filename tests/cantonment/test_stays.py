"""Sites through their lifecycle; stays, capacity, the leave-by date and the daily job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cantonment.models import CantonmentStay, Site, SiteHeadcount
from cantonment.sites import services as stays
from cantonment.sites.services import CantonmentRefused
from ddr.models import Combatant, Sex
from ddr.screening import services as screening

from ..factories import CombatantFactory, RuleSetFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Refusals are matched on their English text here; the pages' tests read them in French."""
    with translation.override("en"):
        yield


TODAY = timezone.localdate()


def test_check_in_gives_a_leave_by_date_from_the_rules_in_force(commission_officer: Any) -> None:
    RuleSetFactory.create(status="active", effective_from=dt.date(2018, 1, 1), max_stay_days=30)
    site = SiteFactory.create()
    person = CombatantFactory.create(status=Combatant.Status.ORIENTED)
    stay = stays.check_in(person=person, site=site, on=TODAY, by=commission_officer)
    assert stay.leave_by == TODAY + dt.timedelta(days=30)
    site.refresh_from_db()
    person.refresh_from_db()
    assert site.occupancy == 1 and site.occupancy_women == 0
    assert person.status == Combatant.Status.CANTONED
    assert person.history.first().history_user == commission_officer
    assert stay.history.first().history_user == commission_officer


def test_without_rules_in_force_a_stay_lasts_45_days(commission_officer: Any) -> None:
    stay = stays.check_in(person=CombatantFactory.create(), site=SiteFactory.create(), on=TODAY, by=commission_officer)
    assert (stay.leave_by - stay.checked_in_on).days == 45


def test_a_full_site_refuses_and_nothing_changes(commission_officer: Any) -> None:
    site = SiteFactory.create(capacity=1, places_for_women=0)
    stays.check_in(person=CombatantFactory.create(), site=site, on=TODAY, by=commission_officer)
    late = CombatantFactory.create(status=Combatant.Status.ORIENTED)
    with pytest.raises(CantonmentRefused, match="full"):
        stays.check_in(person=late, site=site, on=TODAY, by=commission_officer)
    site.refresh_from_db()
    late.refresh_from_db()
    assert site.occupancy == 1 and late.status == Combatant.Status.ORIENTED
    assert not CantonmentStay.objects.filter(combatant=late).exists()


def test_women_only_where_the_site_has_places_for_women(commission_officer: Any) -> None:
    site = SiteFactory.create(capacity=10, places_for_women=1)
    stays.check_in(person=CombatantFactory.create(sex=Sex.FEMALE), site=site, on=TODAY, by=commission_officer)
    with pytest.raises(CantonmentRefused, match="no free place for women"):
        stays.check_in(person=CombatantFactory.create(sex=Sex.FEMALE), site=site, on=TODAY, by=commission_officer)
    stays.check_in(person=CombatantFactory.create(sex=Sex.MALE), site=site, on=TODAY, by=commission_officer)
    site.refresh_from_db()
    assert (site.occupancy, site.occupancy_women) == (2, 1)


def test_a_child_is_refused_with_a_pointer_to_the_referral(commission_officer: Any) -> None:
    child = CombatantFactory.create()
    screening.age_assess(
        person=child, assessed_on=TODAY, evidence="acte", assessed_age=15, by=commission_officer
    )
    with pytest.raises(CantonmentRefused, match="child-protection referral"):
        stays.check_in(person=child, site=SiteFactory.create(), on=TODAY, by=commission_officer)
    assert not CantonmentStay.objects.exists()


def test_the_database_refuses_an_over_full_site_whoever_writes() -> None:
    site = SiteFactory.create(capacity=1, places_for_women=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.filter(pk=site.pk).update(occupancy=2)


def test_overlapping_stays_and_check_out_before_check_in_are_refused(commission_officer: Any) -> None:
    person = CombatantFactory.create()
    site = SiteFactory.create()
    stay = stays.check_in(person=person, site=site, on=TODAY - dt.timedelta(days=10), by=commission_officer)
    with pytest.raises(CantonmentRefused, match="overlaps"):
        stays.check_in(person=person, site=SiteFactory.create(), on=TODAY, by=commission_officer)
    with pytest.raises(CantonmentRefused, match="before the check-in"):
        stays.check_out(stay=stay, on=TODAY - dt.timedelta(days=11), by=commission_officer)
    stays.check_out(stay=stay, on=TODAY - dt.timedelta(days=2), by=commission_officer)
    site.refresh_from_db()
    assert site.occupancy == 0
    # A back-dated stay overlapping the finished one is refused too.
    with pytest.raises(CantonmentRefused, match="overlaps"):
        stays.check_in(person=person, site=site, on=TODAY - dt.timedelta(days=5), by=commission_officer)
    stays.check_in(person=person, site=site, on=TODAY - dt.timedelta(days=2), by=commission_officer)


def test_capacity_cannot_go_below_the_people_present(commission_officer: Any) -> None:
    site = SiteFactory.create(capacity=5, places_for_women=2)
    for sex in (Sex.MALE, Sex.MALE, Sex.FEMALE):
        stays.check_in(person=CombatantFactory.create(sex=sex), site=site, on=TODAY, by=commission_officer)
    with pytest.raises(CantonmentRefused, match="3 people"):
        stays.site_capacity(site=site, capacity=2, places_for_women=0, by=commission_officer)
    with pytest.raises(CantonmentRefused, match="1 women"):
        stays.site_capacity(site=site, capacity=4, places_for_women=0, by=commission_officer)
    site.refresh_from_db()
    assert (site.capacity, site.places_for_women) == (5, 2)
    stays.site_capacity(site=site, capacity=3, places_for_women=1, by=commission_officer)


def test_lifecycle_moves_one_step_at_a_time_with_its_deciding_body(commission_officer: Any) -> None:
    site = SiteFactory.create(status=Site.Status.PROPOSED)
    with pytest.raises(CantonmentRefused):
        stays.site_advance(site=site, to=Site.Status.BUILT, on=TODAY, by=commission_officer)
    stays.site_advance(site=site, to=Site.Status.VALIDATED, on=TODAY, by=commission_officer, decided_by="CTS")
    site.refresh_from_db()
    assert site.status == Site.Status.VALIDATED
    assert site.events.get().decided_by == "CTS"
    for to in (Site.Status.UNDER_CONSTRUCTION, Site.Status.BUILT, Site.Status.CLOSED):
        stays.site_advance(site=site, to=to, on=TODAY, by=commission_officer)
    with pytest.raises(CantonmentRefused, match="to whom"):
        stays.site_advance(site=site, to=Site.Status.HANDED_OVER, on=TODAY, by=commission_officer)
    stays.site_advance(
        site=site,
        to=Site.Status.HANDED_OVER,
        on=TODAY,
        by=commission_officer,
        handed_over_to="Mairie",
        intended_reuse="École",
    )
    site.refresh_from_db()
    assert (site.status, site.intended_reuse) == (Site.Status.HANDED_OVER, "École")


def test_a_site_with_people_cannot_close(commission_officer: Any) -> None:
    site = SiteFactory.create()
    stays.check_in(person=CombatantFactory.create(), site=site, on=TODAY, by=commission_officer)
    with pytest.raises(CantonmentRefused, match="still on the site"):
        stays.site_advance(site=site, to=Site.Status.CLOSED, on=TODAY, by=commission_officer)


def test_daily_job_flags_overstays_and_stays_ending_soon_and_counts_heads(commission_officer: Any) -> None:
    site = SiteFactory.create()
    long_ago = stays.check_in(
        person=CombatantFactory.create(), site=site, on=TODAY - dt.timedelta(days=50), by=commission_officer
    )
    soon = stays.check_in(
        person=CombatantFactory.create(sex=Sex.FEMALE),
        site=site,
        on=TODAY - dt.timedelta(days=40),
        by=commission_officer,
    )
    fresh = stays.check_in(person=CombatantFactory.create(), site=site, on=TODAY, by=commission_officer)
    gone = stays.check_in(
        person=CombatantFactory.create(), site=site, on=TODAY - dt.timedelta(days=60), by=commission_officer
    )
    stays.check_out(stay=gone, on=TODAY - dt.timedelta(days=1), by=commission_officer)
    # Back-dated check-ins are flagged at once; the morning job then finds nothing to change.
    assert stays.stays_flag(TODAY) == {"overstay": 0, "ending_soon": 0, "on_time": 0}
    flags = dict(CantonmentStay.objects.values_list("pk", "flag"))
    assert flags[long_ago.pk] == "overstay" and flags[soon.pk] == "ending_soon"
    assert flags[fresh.pk] == "" and flags[gone.pk] == ""
    # Six days on, the stay that was ending is over its date; 40 days on, the fresh one ends soon.
    assert stays.stays_flag(TODAY + dt.timedelta(days=6)) == {"overstay": 1, "ending_soon": 0, "on_time": 0}
    assert CantonmentStay.objects.get(pk=soon.pk).flag == "overstay"
    assert stays.stays_flag(TODAY + dt.timedelta(days=40))["ending_soon"] == 1
    assert CantonmentStay.objects.get(pk=gone.pk).flag == ""  # a finished stay is never flagged
    assert stays.headcount_record(TODAY) == 1
    assert stays.headcount_record(TODAY) == 1  # idempotent: one row per site and day
    count = SiteHeadcount.objects.get(site=site, day=TODAY)
    assert (count.people, count.women) == (3, 1)
    # Two days ago the person who left yesterday was still there, and today's arrival was not.
    stays.headcount_record(TODAY - dt.timedelta(days=2))
    assert SiteHeadcount.objects.get(site=site, day=TODAY - dt.timedelta(days=2)).people == 3


def test_the_daily_jobs_are_scheduled() -> None:
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"cantonment.sites.tasks.stays_daily", "cantonment.weapons.tasks.stock_checks_weekly"} <= tasks
