from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from core.uploads import clean_table_upload
from ddr.lists.models import ArmedGroup, SubmittedList


class ListImportForm(StyledForm, forms.Form):
    file = forms.FileField(label=_("List file (CSV or XLSX)"))
    title = forms.CharField(label=_("Title"), max_length=200)
    movement = forms.ModelChoiceField(label=_("Movement"), queryset=ArmedGroup.objects.order_by("code"))
    submitted_to = forms.ChoiceField(label=_("Submitted to"), choices=SubmittedList.Recipient.choices)
    submitted_on = forms.DateField(label=_("Submitted on"), widget=forms.DateInput(attrs={"type": "date"}))
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
    class Meta:
        model = SubmittedList
        fields = ["status"]

    def clean_status(self) -> str:
        from ddr.duplicates.selectors import list_acceptance_problem

        status: str = self.cleaned_data["status"]
        if status == SubmittedList.Status.ACCEPTED and (problem := list_acceptance_problem(self.instance)):
            raise forms.ValidationError(problem)
        return status


