from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, StyledForm, decision_field
from core.masterdata import show_on
from core.uploads import clean_table_upload
from ddr.lists.models import ArmedGroup, Coalition, CoalitionMembership, SubmittedList
from ddr.lists.rules import membership_problem, split_problem


class ListImportForm(StyledForm, forms.Form):
    file = forms.FileField(label=_("List file (CSV or XLSX)"))
    title = forms.CharField(label=_("Title"), max_length=200)
    movement = forms.ModelChoiceField(label=_("Movement"), queryset=ArmedGroup.objects.order_by("code"))
    submitted_to = forms.ChoiceField(label=_("Submitted to"), choices=SubmittedList.Recipient.choices)
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DATE)
    certified_by = forms.CharField(label=_("Certified by"), max_length=200, required=False)
    previous = forms.ModelChoiceField(
        label=_("Previous version of this list"),
        queryset=SubmittedList.objects.select_related("movement").order_by("-submitted_on"),
        required=False,
        help_text=_("Choose it to see what changed before importing."),
    )

    def clean_file(self) -> object:
        return clean_table_upload(
            self.cleaned_data["file"],
            max_bytes=settings.DDR_IMPORT_MAX_BYTES,
            too_large=gettext("The file is larger than %(mb)s MB; split it into several lists."),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        previous, movement = data.get("previous"), data.get("movement")
        if previous and movement and previous.movement_id != movement.pk:
            self.add_error("previous", _("The previous version belongs to another movement."))
        return data


class ListStatusForm(StyledForm, forms.ModelForm[SubmittedList]):
    row_form = True  # inline on the list's page: its fields name themselves
    decision = decision_field()

    class Meta:
        model = SubmittedList
        fields = ["status", "decision"]

    def clean_status(self) -> str:
        from ddr.duplicates.selectors import list_acceptance_problem

        status: str = self.cleaned_data["status"]
        if status == SubmittedList.Status.ACCEPTED and (problem := list_acceptance_problem(self.instance)):
            raise forms.ValidationError(problem)
        return status


class ArmedGroupForm(StyledForm, forms.ModelForm[ArmedGroup]):
    class Meta:
        model = ArmedGroup
        fields = ["code", "name", "kind", "split_from", "signed_on", "listed_for_child_recruitment", "note"]
        widgets = {"signed_on": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        split_from = data.get("split_from")
        show_on(self, split_problem(self.instance.pk, split_from.pk if split_from else None))
        return data


class CoalitionForm(StyledForm, forms.ModelForm[Coalition]):
    class Meta:
        model = Coalition
        fields = ["code", "name", "signatory", "signed_on", "note"]
        widgets = {"signed_on": DATE}


class MembershipForm(StyledForm, forms.ModelForm[CoalitionMembership]):
    """A group's membership of a coalition: the group is the page's; an ended membership keeps
    its end date (never deleted)."""

    class Meta:
        model = CoalitionMembership
        fields = ["coalition", "start", "end", "note"]
        widgets = {"start": DATE, "end": DATE}
        help_texts = {"end": _("Empty while the group is still a member.")}

    def __init__(self, *args: Any, group: ArmedGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.instance.group = group

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start"):
            others = CoalitionMembership.objects.filter(group=self.group).select_related("coalition")
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            periods = [(m.start, m.end, m.coalition.code) for m in others]
            show_on(self, membership_problem(data["start"], data.get("end"), periods))
        return data
