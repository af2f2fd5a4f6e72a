"""Grievances and complaints: who complains, by which channel, about what; the deadlines of each
category; the steps of the handling (acknowledged, assigned, referred, resolved, reopened, closed),
each a dated event. Who reads a grievance is decided in one place: `GrievanceQuerySet.for_user`."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser, Role
from core.querysets import PersonScopedQuerySet, signed_in

__all__ = ["Grievance", "GrievanceDeadline", "GrievanceEvent"]


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    SMS = "sms", _("SMS")
    SITE = "site", _("In person at a site")
    OFFICE = "office", _("In person at an office")
    WOMEN_FOCAL_POINT = "women_focal_point", _("Women's focal point")
    PARTNER_NGO = "partner_ngo", _("Partner NGO")
    LETTER = "letter", _("Letter")
    ANONYMOUS = "anonymous", _("Anonymous (box or unsigned)")


class Complainant(models.TextChoices):
    PERSON = "person", _("A registered person")
    FAMILY = "family", _("A family member")
    COMMUNITY = "community", _("A community")
    MOVEMENT = "movement", _("A movement")
    ANONYMOUS = "anonymous", _("Anonymous")


class Subject(models.TextChoices):
    PERSON = "person", _("A person's case")
    LIST = "list", _("A list")
    SITE = "site", _("A site")
    UNIT = "unit", _("A unit")
    PROJECT = "project", _("A CVR project")
    PAYMENT = "payment", _("A payment")
    STAFF = "staff", _("Staff conduct")


class GrievanceCategory(models.TextChoices):
    ELIGIBILITY = "eligibility", _("Eligibility")
    PAYMENT = "payment", _("Payment")
    RANK = "rank", _("Rank")
    MEDICAL = "medical", _("Medical")
    SITE_CONDITIONS = "site_conditions", _("Site conditions")
    MISCONDUCT = "misconduct", _("Misconduct")
    SEA = "sea", _("Sexual exploitation and abuse")
    GBV = "gbv", _("Gender-based violence")
    CHILD = "child", _("A child")
    SECURITY = "security", _("Security")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical (life or safety)")


class Accepted(models.TextChoices):
    YES = "yes", _("Accepted")
    NO = "no", _("Not accepted")
    UNKNOWN = "unknown", _("Not known")


# Read by the focal point only (and, for a child, child protection): never counted below 5.
SENSITIVE_CATEGORIES = (GrievanceCategory.SEA, GrievanceCategory.GBV, GrievanceCategory.CHILD)
# The subject kind -> the one target key it fills (the check constraint below).
TARGETS: dict[str, str] = {
    Subject.PERSON: "subject_person",
    Subject.LIST: "subject_list",
    Subject.SITE: "subject_site",
    Subject.UNIT: "subject_unit",
    Subject.PROJECT: "subject_project",
    Subject.PAYMENT: "subject_payment",
    Subject.STAFF: "against",
}
# The people a grievance names, whoever they are: a child among them closes it to all but child
# protection (and, when sensitive, the focal point).
PERSON_PATHS = ("complainant_person__", "subject_person__", "subject_payment__combatant__")


def child_involved_q() -> Q:
    from ddr.registration.models import Category

    condition = Q(category=GrievanceCategory.CHILD)
    for path in PERSON_PATHS:
        condition |= Q(**{f"{path}category": Category.CHILD})
    return condition


class GrievanceQuerySet(PersonScopedQuerySet["Grievance"]):
    """Who reads which grievance, written once (views, API, linked records, person page):

    - a sensitive one (SEA, GBV, a child, or flagged): the focal point; a child's also child
      protection;
    - one that names a child (as complainant, subject or payee) or is about a child: child
      protection (and the focal point when sensitive);
    - every other: commission officers and administrators nationally, a regional officer in
      their region;
    - never the staff member it is against, whatever their role; never an analyst (figures only).
    """

    person_fields = ("complainant_person", "subject_person")

    def for_user(self, user: AnyUser) -> Self:
        if not signed_in(user):
            return self.none()
        sensitive, child = Q(sensitive=True), child_involved_q()
        if user.role == Role.FOCAL_POINT:
            rows = self.filter(sensitive)
        elif user.role == Role.CHILD_PROTECTION:
            rows = self.filter(child)
        elif user.role in (Role.COMMISSION_OFFICER, Role.ADMINISTRATOR):
            # ...and every person it names is one they may see (the register's rule).
            rows = super().for_user(user).exclude(sensitive).exclude(child)
        elif user.role == Role.REGIONAL_OFFICER and user.region_id is not None:
            rows = super().for_user(user).exclude(sensitive).exclude(child).filter(region=user.region_id)
        else:
            return self.none()
        return rows.exclude(against=user)

    def open(self) -> Self:
        return self.filter(status__in=OPEN)


class GrievanceDeadline(models.Model):
    """How long a category may wait: acknowledged within hours, answered within days. Edited by
    administrators (Django admin); a category without a row takes the defaults (48 h, 30 days)."""

    category = models.CharField(_("category"), max_length=16, choices=GrievanceCategory.choices, unique=True)
    acknowledge_hours = models.PositiveSmallIntegerField(_("acknowledge within (hours)"), default=48)
    answer_days = models.PositiveSmallIntegerField(_("answer within (days)"), default=30)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category"]
        verbose_name = _("grievance deadline")
        verbose_name_plural = _("grievance deadlines")
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledge_hours__gt=0) & Q(answer_days__gt=0),
                name="grievance_deadline_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.acknowledge_hours} h / {self.answer_days} d"


class Grievance(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        REFERRED = "referred", _("Referred")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")

    received_on = models.DateTimeField(_("received on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    complainant_kind = models.CharField(_("who complains"), max_length=12, choices=Complainant.choices)
    complainant_person = models.ForeignKey(
        "ddr.Combatant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances_made",
        verbose_name=_("complainant (registered person)"),
    )
    complainant_movement = models.ForeignKey(
        "ddr.ArmedGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("complainant (movement)"),
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    subject_kind = models.CharField(_("about"), max_length=10, choices=Subject.choices)
    subject_person = models.ForeignKey(
        "ddr.Combatant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances_about",
        verbose_name=_("person concerned"),
    )
    subject_list = models.ForeignKey(
        "ddr.SubmittedList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("list"),
    )
    subject_site = models.ForeignKey(
        "cantonment.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("site"),
    )
    subject_unit = models.ForeignKey(
        "integration.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("unit"),
    )
    subject_project = models.ForeignKey(
        "cvr.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("CVR project"),
    )
    subject_payment = models.ForeignKey(
        "ddr.PaymentLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("payment"),
    )
    against = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances_against",
        verbose_name=_("staff member complained about"),
    )
    category = models.CharField(_("category"), max_length=16, choices=GrievanceCategory.choices)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Read by the protection focal point only. Always set for SEA, GBV and a child."),
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    region = models.ForeignKey(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    description = models.TextField(_("description"), max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances_assigned",
        verbose_name=_("assigned to"),
    )
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    answer_by = models.DateTimeField(_("answer by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledge_overdue = models.BooleanField(_("acknowledgement overdue"), default=False)
    answer_overdue = models.BooleanField(_("answer overdue"), default=False)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    referred_on = models.DateTimeField(_("referred on"), null=True, blank=True)
    resolved_on = models.DateTimeField(_("resolved on"), null=True, blank=True)
    answer = models.TextField(_("answer given to the complainant"), max_length=4000, blank=True)
    accepted = models.CharField(_("answer accepted"), max_length=8, choices=Accepted.choices, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=500, blank=True)
    closed_on = models.DateTimeField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    history = HistoricalRecords()

    objects = GrievanceQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        constraints = [
            # The target is the key its kind names, and only that one.
            *(
                models.CheckConstraint(
                    condition=~Q(subject_kind=kind)
                    | Q(
                        **{f"{field}__isnull": False},
                        **{f"{other}__isnull": True for other in TARGETS.values() if other != field},
                    ),
                    name=f"grievance_target_{kind}",
                )
                for kind, field in TARGETS.items()
            ),
            models.CheckConstraint(
                condition=~Q(complainant_kind="anonymous") | (Q(contact_name="") & Q(contact_phone="")),
                name="grievance_anonymous_no_contact",
            ),
            models.CheckConstraint(
                condition=Q(complainant_person__isnull=True) | Q(complainant_kind__in=["person", "family"]),
                name="grievance_complainant_person_kind",
            ),
            models.CheckConstraint(
                condition=~Q(complainant_kind="person") | Q(complainant_person__isnull=False),
                name="grievance_registered_complainant",
            ),
            models.CheckConstraint(
                condition=~Q(complainant_kind="movement") | Q(complainant_movement__isnull=False),
                name="grievance_movement_complainant",
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_by__gte=F("received_on")) & Q(answer_by__gte=F("received_on")),
                name="grievance_deadlines_after_receipt",
            ),
            models.CheckConstraint(
                condition=~Q(category__in=["sea", "gbv", "child"]) | Q(sensitive=True),
                name="grievance_sensitive_categories",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "region"], name="grievance_status_region"),
            models.Index(
                fields=["answer_by"], condition=Q(answer_overdue=False), name="grievance_answer_due"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """How staff and the complainant name it (on the SMS acknowledgement, the letter)."""
        return f"PL-{self.pk:05d}" if self.pk else "PL-?"

    @property
    def target(self) -> models.Model | None:
        return getattr(self, TARGETS[self.subject_kind], None) if self.subject_kind in TARGETS else None

    @property
    def overdue(self) -> bool:
        return self.acknowledge_overdue or self.answer_overdue

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


OPEN = (
    Grievance.Status.RECEIVED,
    Grievance.Status.ACKNOWLEDGED,
    Grievance.Status.IN_PROGRESS,
    Grievance.Status.REFERRED,
    Grievance.Status.REOPENED,
)


class GrievanceEvent(models.Model):
    """One step of a grievance's handling, as the grievance's page lists them."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        REFERRED = "referred", _("Referred")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        OVERDUE = "overdue", _("Flagged overdue")

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("step"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("grievance event")
        verbose_name_plural = _("grievance events")

    def __str__(self) -> str:
        return f"{self.grievance_id} {self.kind}"

    @property
    def shown_note(self) -> str:
        """The note as read: the overdue job writes which step is late as a code."""
        late = {"acknowledgement": _("the acknowledgement is late"), "answer": _("the answer is late")}
        return str(late[self.note]) if self.kind == self.Kind.OVERDUE and self.note in late else self.note
