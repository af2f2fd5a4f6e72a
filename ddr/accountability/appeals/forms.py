from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, StyledForm, decision_field, today
from core.models import Region
from ddr.accountability.appeals.models import Appeal
from ddr.lists.models import SubmittedList
from ddr.registration.models import Pathway
from ddr.screening.models import MedicalExam
from integration.models.cohorts import ARMY_RANKS

if TYPE_CHECKING:
    from ddr.accountability.appeals.selectors import Decision


class AppealForm(StyledForm, forms.Form):
    """A person contests one of their decisions (offered as "<kind>:<id>")."""

    decision = forms.ChoiceField(label=_("Decision contested"))
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE, initial=today)
    deciding_body = forms.CharField(label=_("Deciding body"), max_length=200, required=False)

    def __init__(self, *args: Any, decisions: Sequence[Decision] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(d.key, d.label) for d in decisions]  # type: ignore[attr-defined]

    def kind_and_id(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["decision"].partition(":")
        return kind, int(pk)


class ListAppealForm(StyledForm, forms.Form):
    """A movement contests its list's status."""

    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE, initial=today)
    deciding_body = forms.CharField(label=_("Deciding body"), max_length=200, required=False)


class ScheduleForm(StyledForm, forms.Form):
    hearing_on = forms.DateField(label=_("Hearing date"), widget=DATE)
    deciding_body = forms.CharField(label=_("Deciding body"), max_length=200)


def new_value_choices(kind: str) -> list[tuple[str, Any]] | None:
    """What an overturn may put in place of the decision (None: a number, or nothing for a merge)."""
    choices: dict[str, list[tuple[str, Any]]] = {
        Appeal.Kind.MEDICAL: list(MedicalExam.Result.choices),
        Appeal.Kind.ELIGIBILITY: list(Pathway.choices),
        Appeal.Kind.LIST_STATUS: list(SubmittedList.Status.choices),
        Appeal.Kind.RANK: [(r, r) for r in ARMY_RANKS],
    }
    return choices.get(kind)


class DecideForm(StyledForm, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(Appeal.Status.UPHELD, _("Upheld")), (Appeal.Status.OVERTURNED, _("Overturned"))],
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, initial=today)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    new_value = forms.CharField(label=_("New decision (if overturned)"), required=False)
    ruling = decision_field()

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = new_value_choices(kind)
        field = self.fields["new_value"]
        if choices is not None:
            field.widget = forms.Select(choices=[("", "—"), *choices], attrs={"class": "form-select"})
        elif kind == Appeal.Kind.AGE:
            field.label = _("Age found on appeal (if overturned)")
            field.widget = forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 99})
        elif kind == Appeal.Kind.MERGE:
            del self.fields["new_value"]  # an overturned merge is undone


class WithdrawForm(StyledForm, forms.Form):
    reasons = forms.CharField(label=_("Why is it withdrawn?"), max_length=500)


class FilterForm(StyledForm, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Appeal.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("All")), *Appeal.Kind.choices], required=False
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("All regions"),
    )
