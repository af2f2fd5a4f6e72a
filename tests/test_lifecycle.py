"""The one lifecycle mechanism (core.lifecycle), on its own: a table, requirements per status, a
dated event. Sites lend it a record and an event table; the lifecycle is the test's own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from cantonment.sites.models import Site, SiteEvent
from core.errors import Refused
from core.lifecycle import Lifecycle, Step
from tests.factories import SiteFactory

S = Site.Status
DAY = dt.date(2024, 3, 1)


class Nope(Refused):
    pass


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _lifecycle(*, future: bool = True) -> Lifecycle[Site, SiteEvent]:
    lifecycle: Lifecycle[Site, SiteEvent] = Lifecycle(
        {S.PROPOSED: {S.VALIDATED}, S.VALIDATED: {S.BUILT}},
        refused=Nope,
        forbidden=lambda site, to: f"{site.status} -> {to}",
        event=SiteEvent,
        owner="site",
        notes=["note"],
        future=future,
    )

    @lifecycle.entering(S.BUILT)
    def _built(site: Site, step: Step) -> list[str]:
        site.intended_reuse = "changed before the refusal"  # never saved: refused below
        if not step.details.get("handed_over_to"):
            raise Nope("who builds it?", "handed_over_to")
        site.handed_over_to = step.details["handed_over_to"]
        return ["handed_over_to"]

    return lifecycle


def _unchanged(site: Site, status: str, events: int, history: int) -> None:
    site.refresh_from_db()
    assert (site.status, site.events.count(), site.history.count()) == (status, events, history)
    assert site.intended_reuse == ""


def test_a_step_the_table_forbids_is_refused_and_changes_nothing(commission_officer: Any) -> None:
    site = SiteFactory.create(status=S.PROPOSED)
    history = site.history.count()
    with pytest.raises(Nope, match="proposed -> built") as refusal:
        _lifecycle().advance(site, to=S.BUILT, on=DAY, by=commission_officer, handed_over_to="Mairie")
    assert refusal.value.field == "to"
    _unchanged(site, S.PROPOSED, 0, history)


def test_a_step_writes_its_dated_event_updates_the_status_and_audits(commission_officer: Any) -> None:
    site = SiteFactory.create(status=S.PROPOSED)
    done = _lifecycle().advance(
        site, to=S.VALIDATED, on=DAY, by=commission_officer, decided_by="CTS", note="PV 12", other="ignored"
    )
    site.refresh_from_db()
    assert done.record.status == site.status == S.VALIDATED
    event = site.events.get()
    assert event == done.event
    assert (event.status, event.on, event.recorded_by, event.decided_by, event.note) == (
        S.VALIDATED,
        DAY,
        commission_officer,
        "CTS",
        "PV 12",
    )
    audit = site.history.first()
    assert (audit.status, audit.history_user, audit.history_change_reason) == (
        S.VALIDATED,
        commission_officer,
        "decided by CTS",  # the step itself is the row's status; the reason names the body (translated when shown)
    )


def test_the_requirements_of_a_status_refuse_with_their_field_or_change_the_record(
    commission_officer: Any,
) -> None:
    lifecycle = _lifecycle()
    site = SiteFactory.create(status=S.PROPOSED)
    lifecycle.advance(site, to=S.VALIDATED, on=DAY, by=commission_officer)
    history = site.history.count()
    with pytest.raises(Nope, match="who builds it") as refusal:
        lifecycle.advance(site, to=S.BUILT, on=DAY, by=commission_officer)
    assert refusal.value.field == "handed_over_to"
    _unchanged(site, S.VALIDATED, 1, history)
    lifecycle.advance(site, to=S.BUILT, on=DAY, by=commission_officer, handed_over_to="Génie", reason="built")
    site.refresh_from_db()
    assert (site.status, site.handed_over_to, site.history.first().history_change_reason) == (
        S.BUILT,
        "Génie",
        "built",
    )


def test_a_step_is_not_dated_before_the_last_nor_in_the_future_when_the_lifecycle_says_so(
    commission_officer: Any,
) -> None:
    site = SiteFactory.create(status=S.PROPOSED)
    _lifecycle().advance(site, to=S.VALIDATED, on=DAY, by=commission_officer)
    history = site.history.count()
    with pytest.raises(Nope, match="before the previous one") as refusal:
        _lifecycle().advance(
            site, to=S.BUILT, on=DAY - dt.timedelta(days=1), by=commission_officer, handed_over_to="Génie"
        )
    assert refusal.value.field == "on"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(Nope, match="in the future"):
        _lifecycle(future=False).advance(
            site, to=S.BUILT, on=tomorrow, by=commission_officer, handed_over_to="Génie"
        )
    _unchanged(site, S.VALIDATED, 1, history)
    _lifecycle().advance(site, to=S.BUILT, on=tomorrow, by=commission_officer, handed_over_to="Génie")
    assert [e.on for e in site.events.order_by("on")] == [DAY, tomorrow]
