"""What waits for each user today, on the home page: one line per kind of work, with how many and
a link to the list that shows them. Every count reads through the user's scope (a regional
officer counts their region; children only for child protection) and is capped like the tables'
counts (`core.pagination`), so the home page stays one bounded query per line at national scale.
Analysts get no queue: they read aggregates, not cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.permissions import (
    CANTONMENT_ROLES,
    GRIEVANCE_ROLES,
    IMPORT_ROLES,
    PAYMENT_APPROVER_ROLES,
    REGISTER_ROLES,
    REINTEGRATION_ROLES,
    VETTING_ROLES,
    has_role,
)
from cantonment.models import CantonmentStay, Site
from cantonment.sites import selectors as site_selectors
from cantonment.weapons import selectors as weapon_selectors
from cantonment.weapons.models import StorageLocation
from core.pagination import COUNT_CAP, capped_count
from cvr.models import Project
from ddr.accountability.grievances.models import Grievance
from ddr.duplicates.models import DuplicatePair
from ddr.lists.models import ListImport
from ddr.models import ChildReferral, VettingMatch
from ddr.reintegration.followup import selectors as follow_up_selectors
from ddr.reintegration.followup.models import FollowUp
from ddr.reintegration.payments.models import PaymentBatch
from integration import selectors as integration
from integration.models import Unit


@dataclass(frozen=True)
class Work:
    """One kind of work: who does it, which rows are waiting, where they are listed."""

    label: Promise
    roles: frozenset[str]
    waiting: Callable[[User, dt.date], QuerySet[Any]]
    url: str
    query: str = ""
    urgent: bool = False  # late already (red), rather than to do (blue)


@dataclass(frozen=True)
class Waiting:
    label: Promise
    count: int
    capped: bool
    url: str
    urgent: bool


WORK: tuple[Work, ...] = (
    Work(
        _("Child referrals past their hand-over deadline"),
        frozenset({Role.CHILD_PROTECTION}),
        lambda user, today: ChildReferral.objects.for_user(user).filter(
            handed_over_at__isnull=True, handover_deadline__lt=timezone.now()
        ),
        "ddr:referral-list",
        urgent=True,
    ),
    Work(
        _("Possible watch-list matches to decide"),
        VETTING_ROLES,
        lambda user, today: VettingMatch.objects.for_user(user).filter(status=VettingMatch.Status.PENDING),
        "ddr:vetting-queue",
    ),
    Work(
        _("Pairs of probable duplicates to review"),
        REGISTER_ROLES,
        lambda user, today: DuplicatePair.objects.for_user(user).filter(status=DuplicatePair.Status.OPEN),
        "ddr:duplicate-queue",
    ),
    Work(
        _("Checked imports waiting for your confirmation"),
        IMPORT_ROLES,
        lambda user, today: ListImport.objects.filter(created_by=user, status=ListImport.Status.READY),
        "ddr:list-index",
    ),
    Work(
        _("People past their stay's limit on a site"),
        CANTONMENT_ROLES,
        lambda user, today: site_selectors.open_flagged(
            CantonmentStay.objects.for_user(user), CantonmentStay.Flag.OVERSTAY
        ),
        "cantonment:stay-list",
        "flag=overstay",
        urgent=True,
    ),
    Work(
        _("Stays ending within 7 days"),
        CANTONMENT_ROLES,
        lambda user, today: site_selectors.open_flagged(
            CantonmentStay.objects.for_user(user), CantonmentStay.Flag.ENDING_SOON
        ),
        "cantonment:stay-list",
        "flag=ending_soon",
    ),
    Work(
        _("Sites behind the agreement's calendar or past their interim end"),
        CANTONMENT_ROLES,
        lambda user, today: site_selectors.late(Site.objects.for_user(user), today),
        "cantonment:site-list",
        "late=1",
        urgent=True,
    ),
    Work(
        _("Interim units past the end they were meant to have"),
        REGISTER_ROLES,
        lambda user, today: integration.interim_late(Unit.objects.for_user(user), today),
        "integration:unit-list",
        "interim_late=1",
        urgent=True,
    ),
    Work(
        _("Units deviating from the one-third rule at their last check"),
        REGISTER_ROLES,  # integration's staff (integration.views.INTEGRATION_ROLES)
        lambda user, today: integration.deviating(Unit.objects.for_user(user)),
        "integration:unit-list",
        "deviating=1",
        urgent=True,
    ),
    Work(
        _("Weapon stock checks overdue"),
        CANTONMENT_ROLES,
        lambda user, today: weapon_selectors.overdue_checks(today).filter(
            location__in=StorageLocation.objects.for_user(user)
        ),
        "cantonment:stock-check-list",
        "overdue=1",
        urgent=True,
    ),
    Work(
        _("Reintegration follow-ups overdue"),
        REINTEGRATION_ROLES,
        # As the list's "overdue" (the daily flag); the date lets the planned-follow-ups index serve.
        lambda user, today: FollowUp.objects.for_user(user).filter(
            status="planned", overdue=True, due_on__lt=today
        ),
        "ddr:follow-up-list",
        "show=overdue",
        urgent=True,
    ),
    Work(
        _("Reintegration follow-ups due within 7 days"),
        REINTEGRATION_ROLES,
        lambda user, today: follow_up_selectors.due_soon(FollowUp.objects.for_user(user), today),
        "ddr:follow-up-list",
        "show=soon",
    ),
    Work(
        _("Payment batches waiting for approval (prepared by someone else)"),
        PAYMENT_APPROVER_ROLES,
        lambda user, today: (
            PaymentBatch.objects.for_user(user)
            .filter(status=PaymentBatch.Status.PREPARED)
            .exclude(prepared_by=user)
        ),
        "ddr:payment-batch-list",
    ),
    Work(
        _("Grievances overdue (acknowledgement or answer)"),
        GRIEVANCE_ROLES,
        lambda user, today: Grievance.objects.for_user(user).filter(
            Q(acknowledge_overdue=True) | Q(answer_overdue=True)
        ),
        "ddr:grievance-list",
        "overdue=on",
        urgent=True,
    ),
    Work(
        _("CVR projects whose M&E visit is overdue"),
        REGISTER_ROLES,
        lambda user, today: Project.objects.for_user(user).filter(me_flag=Project.VisitFlag.OVERDUE),
        "cvr:project-list",
        "flag=overdue",
        urgent=True,
    ),
)


def waiting_for(user: User, today: dt.date | None = None) -> list[Waiting]:
    """The user's work that has something waiting, the late first."""
    today = today or timezone.localdate()
    found = []
    for work in WORK:
        if not has_role(user, work.roles):
            continue
        count = capped_count(work.waiting(user, today))
        if count:
            url = reverse(work.url) + (f"?{work.query}" if work.query else "")
            found.append(Waiting(work.label, min(count, COUNT_CAP), count > COUNT_CAP, url, work.urgent))
    return sorted(found, key=lambda w: not w.urgent)
