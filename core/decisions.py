"""The register of decisions: what the bodies of the peace process decided (a list endorsed, a
site validated, a rule set adopted, a quota agreed), dated, with its text and minutes. Records of
every app point to the decision behind them; the decision's page lists them back
(`linked_records`), without the ground floor knowing any app."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import shown_date
from core.querysets import PersonScopedQuerySet


class Body(models.TextChoices):
    """The bodies the report names (lessons learned 2024, acronyms and section 3)."""

    CTS = "cts", _("Technical Security Commission (CTS)")
    CTMS = "ctms", _("Joint Technical Security Commission (CTMS)")
    CSA = "csa", _("Agreement Monitoring Committee (CSA)")
    CNDDR = "cnddr", _("National DDR Commission (CNDDR)")
    NIC = "nic", _("National Integration Commission (NIC)")
    CRSS = "crss", _("Security Sector Reform Commission (CRSS)")
    WORKING_GROUP = "working_group", _("Technical working group on SSR and DDR")
    GOVERNMENT = "government", _("Government (Council of Ministers)")
    OTHER = "other", _("Other body")


class Decision(models.Model):
    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    taken_on = models.DateField(_("date of the decision"))
    reference = models.CharField(_("reference"), max_length=120, blank=True, help_text=_("Session, number…"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    minutes = models.FileField(_("minutes (PDF or image)"), upload_to="decisions/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.acronym}, {shown_date(self.taken_on)} : {self.title}"

    @property
    def acronym(self) -> str:
        """The body as people write it ("CSA"), the label's parenthesis when it has one."""
        label = str(self.get_body_display())
        return label[label.rfind("(") + 1 : -1] if label.endswith(")") else label


def linked_records(decision: Decision) -> list[tuple[Any, list[models.Model], int]]:
    """Every record that names this decision, by model (its name, the first records, how many):
    found through the foreign keys that point here, whatever app declares them. Records about a
    person are only counted: the decision's page is read by people who may not see them."""
    found = []
    for relation in Decision._meta.related_objects:
        model = cast("type[models.Model]", relation.related_model)
        rows = model._default_manager.filter(**{relation.field.name: decision}).select_related()
        count = rows.count()
        if count:
            personal = isinstance(rows, PersonScopedQuerySet)
            found.append((model._meta.verbose_name_plural, [] if personal else list(rows[:50]), count))
    return found
