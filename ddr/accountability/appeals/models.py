"""Appeals against decisions recorded in the system.

A person (or their movement, for a list) contests one decision: a pathway decision, a medical
result, an age assessment, a rank allocation, a list's status or a duplicate merge. The decision is
a typed foreign key per kind (one and only one set, the one of its kind: a check constraint), so
the database knows what is contested; an open appeal per decision at most (partial unique
constraints). While open it freezes what must not move (appeals.selectors); it ends upheld or
overturned, an overturn going through the service that made the decision (appeals.services).
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser, Role
from core.querysets import PersonScopedQuerySet, signed_in

__all__ = ["Appeal"]

# Who may read appeals at all; rows are then bounded by `Appeal.objects.for_user`.
APPEAL_READERS = frozenset(
    {Role.COMMISSION_OFFICER, Role.REGIONAL_OFFICER, Role.CHILD_PROTECTION, Role.ADMINISTRATOR}
)
# A movement's appeal against a list's status is national, like lists.
NATIONAL = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})


def _decision_of_kind() -> Q:
    """Each kind with its own column set and every other decision column empty."""
    columns = ("medical_exam", "age_assessment", "candidate", "submitted_list", "merge")
    own = {
        "eligibility": None,
        "medical": "medical_exam",
        "age": "age_assessment",
        "rank": "candidate",
        "list_status": "submitted_list",
        "merge": "merge",
    }
    condition = Q()
    for kind, column in own.items():
        shape = Q(kind=kind)
        for other in columns:
            shape &= Q(**{f"{other}__isnull": other != column})
        if kind == "eligibility":
            shape &= Q(combatant__isnull=False)
        if kind == "list_status":
            shape &= Q(movement__isnull=False)
        condition |= shape
    return condition


class AppealQuerySet(PersonScopedQuerySet["Appeal"]):
    """A person's appeal is seen exactly when the person is (their region; a child's by child
    protection only); a movement's appeal (a list, no person) by national staff. Analysts and
    other roles see no row."""

    person_fields = ("combatant",)
    region_field = "region"

    def for_user(self, user: AnyUser) -> Self:
        if not signed_in(user) or user.role not in APPEAL_READERS:
            return self.none()
        scoped = super().for_user(user)
        return scoped if user.role in NATIONAL else scoped.filter(combatant__isnull=False)

    def open(self) -> Self:
        return self.filter(status__in=Appeal.OPEN)


class Appeal(models.Model):
    class Kind(models.TextChoices):
        ELIGIBILITY = "eligibility", _("Eligibility or pathway decision")
        MEDICAL = "medical", _("Medical result")
        AGE = "age", _("Age assessment")
        RANK = "rank", _("Rank allocation")
        LIST_STATUS = "list_status", _("List status")
        MERGE = "merge", _("Duplicate merge")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        SCHEDULED = "scheduled", _("Hearing scheduled")
        HEARD = "heard", _("Heard, waiting for the decision")
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.FILED, Status.SCHEDULED, Status.HEARD)
    CLOSED = (Status.UPHELD, Status.OVERTURNED, Status.WITHDRAWN)
    # The decision's column for each kind (an eligibility decision is the person's own pathway).
    DECISION_FIELDS = {
        Kind.ELIGIBILITY: "combatant",
        Kind.MEDICAL: "medical_exam",
        Kind.AGE: "age_assessment",
        Kind.RANK: "candidate",
        Kind.LIST_STATUS: "submitted_list",
        Kind.MERGE: "merge",
    }

    kind = models.CharField(_("decision contested"), max_length=12, choices=Kind.choices)
    # Who appeals: the person, or their movement for a list.
    combatant = models.ForeignKey(
        "ddr.Combatant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("person"),
    )
    movement = models.ForeignKey(
        "ddr.ArmedGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("movement"),
    )
    # The decision: one of these, the one of its kind (eligibility: the person's pathway).
    ruleset = models.ForeignKey(
        "ddr.RuleSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rule set"),
    )
    medical_exam = models.ForeignKey(
        "ddr.MedicalExam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("medical examination"),
    )
    age_assessment = models.ForeignKey(
        "ddr.AgeAssessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("age assessment"),
    )
    candidate = models.ForeignKey(
        "integration.Candidate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("integration candidate"),
    )
    submitted_list = models.ForeignKey(
        "ddr.SubmittedList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("list"),
    )
    merge = models.ForeignKey(
        "ddr.Merge",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("merge"),
    )
    # What the decision was when the appeal was filed, and who made it (never the one to overturn it).
    contested_value = models.CharField(_("decision as contested"), max_length=200, blank=True)
    decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decision made by"),
    )
    region = models.ForeignKey(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    grounds = models.TextField(_("grounds"))
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The body that hears it, by name; the decision it took is in the register (`ruling`).
    deciding_body = models.CharField(_("deciding body"), max_length=200, blank=True)
    hearing_on = models.DateField(_("hearing date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FILED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decision recorded at"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    # The decision that replaced the contested one, when overturned.
    new_value = models.CharField(_("new decision"), max_length=200, blank=True)
    ruling = models.ForeignKey(
        "core.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("decision in the register"),
    )
    history = HistoricalRecords()

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(name="appeal_decision_of_its_kind", condition=Q(_decision_of_kind())),
            models.CheckConstraint(
                name="appeal_by_person_or_movement",
                condition=Q(combatant__isnull=False) | Q(movement__isnull=False),
            ),
            models.CheckConstraint(
                name="appeal_hearing_after_filing",
                condition=Q(hearing_on__isnull=True) | Q(hearing_on__gte=models.F("filed_on")),
            ),
            models.CheckConstraint(
                name="appeal_decided_when_closed",
                condition=Q(status__in=["filed", "scheduled", "heard", "withdrawn"])
                | Q(decided_by__isnull=False, decided_on__isnull=False),
            ),
            # One open appeal per decision (an eligibility decision: per person).
            models.UniqueConstraint(
                fields=["combatant"],
                condition=Q(kind="eligibility", status__in=["filed", "scheduled", "heard"]),
                name="appeal_open_once_eligibility",
            ),
            *[
                models.UniqueConstraint(
                    fields=[field],
                    condition=Q(status__in=["filed", "scheduled", "heard"]),
                    name=f"appeal_open_once_{field}",
                )
                for field in ("medical_exam", "age_assessment", "candidate", "submitted_list", "merge")
            ],
        ]
        indexes = [models.Index(fields=["status", "kind"], name="appeal_status_kind")]

    def __str__(self) -> str:
        return f"{_('Appeal')} {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def decision(self) -> models.Model | None:
        """The contested record (the person, for a pathway decision)."""
        record: models.Model | None = getattr(self, self.DECISION_FIELDS[Appeal.Kind(self.kind)])
        return record
