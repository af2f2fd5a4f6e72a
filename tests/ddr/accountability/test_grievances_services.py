"""Grievance services: each step, its event and audit row, the refusals (nothing changed), the
deadlines from the category's table, and the overdue flags set by the job and cleared by the step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from ddr.accountability.grievances import services, tasks
from ddr.accountability.grievances.models import Grievance, GrievanceDeadline, GrievanceEvent
from ddr.accountability.grievances.services import GrievanceRefused

from ...factories import SiteFactory, region
from .grievance_fixtures import *  # noqa: F403
from .grievance_fixtures import receive

pytestmark = pytest.mark.django_db
St = Grievance.Status


def test_receive_sets_deadlines_region_event_and_history(commission_officer: User) -> None:
    site = SiteFactory.create(region=region("TBK"))
    g = receive(commission_officer, subject_site=site)
    assert g.status == St.RECEIVED and g.region == site.region
    assert g.acknowledge_by == g.received_on + dt.timedelta(hours=48)
    assert g.answer_by == g.received_on + dt.timedelta(days=30)
    assert list(g.events.values_list("kind", flat=True)) == ["received"]
    assert g.history.first().history_user == commission_officer
    assert g.reference == f"PL-{g.pk:05d}"


def test_deadlines_come_from_the_category_table(commission_officer: User) -> None:
    GrievanceDeadline.objects.create(category="payment", acknowledge_hours=24, answer_days=10)
    g = receive(commission_officer, category="payment")
    assert g.answer_by - g.received_on == dt.timedelta(days=10)
    assert g.acknowledge_by - g.received_on == dt.timedelta(hours=24)


def test_sea_is_sensitive_whatever_the_form_says(focal: User) -> None:
    assert receive(focal, category="sea", sensitive=False).sensitive


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"complainant_kind": "anonymous", "contact_phone": "+223 76 11 22 33"}, "contact_name"),
        ({"answer_by_days": -1}, "answer_by"),
        ({"received_in_days": 2}, "received_on"),
        ({"subject_kind": "person"}, "subject_person"),
        ({"complainant_kind": "person"}, "complainant_person"),
        ({"complainant_kind": "movement"}, "complainant_movement"),
        ({"category": "nonsense"}, "category"),
    ],
)
def test_bad_receipts_are_refused_and_nothing_is_written(
    commission_officer: User, kwargs: dict[str, Any], field: str
) -> None:
    site = SiteFactory.create()
    values: dict[str, Any] = dict(kwargs)
    now = timezone.now()
    if "answer_by_days" in values:
        values["answer_by"] = now + dt.timedelta(days=values.pop("answer_by_days"))
    if "received_in_days" in values:
        values["received_on"] = now + dt.timedelta(days=values.pop("received_in_days"))
    values.setdefault("subject_site", None if values.get("subject_kind") == "person" else site)
    with pytest.raises(GrievanceRefused) as refused:
        receive(commission_officer, **values)
    assert refused.value.field == field
    assert Grievance.objects.count() == 0 and GrievanceEvent.objects.count() == 0


def test_a_target_of_another_kind_is_refused(commission_officer: User, person: Any) -> None:
    with pytest.raises(GrievanceRefused) as refused:
        receive(commission_officer, subject_person=person)  # about a site, naming a person too
    assert refused.value.field == "subject_person"


def test_the_database_refuses_a_target_that_does_not_match_its_kind(
    commission_officer: User, person: Any
) -> None:
    g = receive(commission_officer)
    g.subject_person = person
    with pytest.raises(IntegrityError), transaction.atomic():
        g.save()


def test_a_regional_officer_cannot_name_a_site_of_another_region(gao_officer: User) -> None:
    with pytest.raises(GrievanceRefused) as refused:
        receive(gao_officer, subject_site=SiteFactory.create(region=region("KID")))
    assert refused.value.field == "subject_site"


def test_every_step_with_its_event(commission_officer: User, administrator: User) -> None:
    g = receive(commission_officer, days_ago=1)
    g = services.grievance_acknowledge(grievance=g, by=commission_officer, note="SMS de réponse")
    assert g.status == St.ACKNOWLEDGED and g.acknowledged_at
    g = services.grievance_assign(grievance=g, assignee=administrator, by=commission_officer)
    assert g.status == St.IN_PROGRESS and g.assigned_to == administrator
    g = services.grievance_refer(grievance=g, referred_to="CNDDR", by=commission_officer)
    assert g.status == St.REFERRED and g.referred_to == "CNDDR"
    g = services.grievance_resolve(grievance=g, answer="Réparé.", accepted="no", by=commission_officer)
    assert g.status == St.RESOLVED and g.resolved_on and g.accepted == "no"
    g = services.grievance_reopen(grievance=g, reason="Toujours pas d'eau.", by=commission_officer)
    assert g.status == St.REOPENED and g.resolved_on is None
    assert g.answer_by > timezone.now() + dt.timedelta(days=29)
    g = services.grievance_resolve(
        grievance=g, answer="Citerne livrée.", accepted="yes", by=commission_officer
    )
    g = services.grievance_close(grievance=g, by=commission_officer)
    assert g.status == St.CLOSED
    kinds = list(g.events.values_list("kind", flat=True))
    assert kinds == [
        "received",
        "acknowledged",
        "assigned",
        "referred",
        "resolved",
        "reopened",
        "resolved",
        "closed",
    ]
    assert g.history.count() == 8


def test_a_step_out_of_order_is_refused_and_changes_nothing(commission_officer: User) -> None:
    g = receive(commission_officer)
    for step in (
        lambda: services.grievance_close(grievance=g, by=commission_officer),
        lambda: services.grievance_reopen(grievance=g, reason="x", by=commission_officer),
        lambda: services.grievance_refer(grievance=g, referred_to="CNDDR", by=commission_officer),
    ):
        with pytest.raises(GrievanceRefused):
            step()
    g.refresh_from_db()
    assert g.status == St.RECEIVED and g.events.count() == 1


def test_empty_answers_and_reasons_and_bodies_are_refused(commission_officer: User) -> None:
    g = receive(commission_officer)
    with pytest.raises(GrievanceRefused) as refused:
        services.grievance_resolve(grievance=g, answer="  ", by=commission_officer)
    assert refused.value.field == "answer"
    with pytest.raises(GrievanceRefused) as refused:
        services.grievance_refer(grievance=g, referred_to="", by=commission_officer)
    assert refused.value.field == "referred_to"


def test_a_step_cannot_be_dated_before_the_receipt(commission_officer: User) -> None:
    g = receive(commission_officer, days_ago=1)
    with pytest.raises(GrievanceRefused) as refused:
        services.grievance_acknowledge(
            grievance=g, by=commission_officer, at=g.received_on - dt.timedelta(hours=1)
        )
    assert refused.value.field == "at"


def test_assigning_to_someone_who_may_not_read_it_is_refused(
    commission_officer: User, kidal_officer: User, analyst: User
) -> None:
    g = receive(commission_officer)  # a site in Gao
    for assignee in (kidal_officer, analyst):
        with pytest.raises(GrievanceRefused) as refused:
            services.grievance_assign(grievance=g, assignee=assignee, by=commission_officer)
        assert refused.value.field == "assignee"
    assert Grievance.objects.get(pk=g.pk).assigned_to is None


def test_a_sensitive_grievance_is_assigned_to_the_focal_point_only(
    focal: User, commission_officer: User
) -> None:
    g = receive(focal, category="gbv")
    with pytest.raises(GrievanceRefused):
        services.grievance_assign(grievance=g, assignee=commission_officer, by=focal)
    assert services.grievance_assign(grievance=g, assignee=focal, by=focal).assigned_to == focal


def test_someone_who_may_not_read_it_cannot_move_it(commission_officer: User, focal: User) -> None:
    g = receive(focal, category="sea")
    with pytest.raises(GrievanceRefused):
        services.grievance_acknowledge(grievance=g, by=commission_officer)


def test_overdue_flags_are_set_by_the_job_and_cleared_by_the_step(commission_officer: User) -> None:
    late = receive(commission_officer, days_ago=3)  # acknowledgement due 48 h after: late
    on_time = receive(commission_officer, days_ago=1)
    very_late = receive(commission_officer, days_ago=31)  # the answer too
    assert services.grievances_flag_overdue() == {"acknowledgement": 2, "answer": 1, "cleared": 0}
    assert services.grievances_flag_overdue() == {
        "acknowledgement": 0,
        "answer": 0,
        "cleared": 0,
    }  # idempotent
    late.refresh_from_db()
    on_time.refresh_from_db()
    very_late.refresh_from_db()
    assert late.acknowledge_overdue and not late.answer_overdue
    assert not on_time.overdue
    assert very_late.acknowledge_overdue and very_late.answer_overdue
    assert late.events.filter(kind="overdue").count() == 1

    late = services.grievance_acknowledge(grievance=late, by=commission_officer)
    assert not late.overdue
    very_late = services.grievance_resolve(grievance=very_late, answer="Fait.", by=commission_officer)
    assert not very_late.acknowledge_overdue and not very_late.answer_overdue
    assert services.grievances_flag_overdue()["acknowledgement"] == 0


def test_the_job_clears_a_flag_whose_step_was_done_elsewhere(commission_officer: User) -> None:
    g = receive(commission_officer, days_ago=3)
    services.grievances_flag_overdue()
    Grievance.objects.filter(pk=g.pk).update(status=St.ACKNOWLEDGED)  # e.g. an import
    assert services.grievances_flag_overdue()["cleared"] == 1
    assert not Grievance.objects.get(pk=g.pk).acknowledge_overdue


def test_the_beat_task_is_thin_and_scheduled(commission_officer: User) -> None:
    from django.conf import settings

    receive(commission_officer, days_ago=3)
    assert tasks.grievances_flag_overdue() == {"acknowledgement": 1, "answer": 0, "cleared": 0}
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "ddr.accountability.grievances.tasks.grievances_flag_overdue" in tasks_scheduled
