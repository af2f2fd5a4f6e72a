from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from ddr.registration.models import Combatant
from ddr.screening.models import MedicalExam, VettingMatch


class AgeAssessmentForm(StyledForm, forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label=_("Evidence seen"), max_length=300)
    assessed_age = forms.IntegerField(label=_("Assessed age"), min_value=5, max_value=100)


class MedicalExamForm(StyledForm, forms.Form):
    examined_on = forms.DateField(label=_("Examined on"), widget=forms.DateInput(attrs={"type": "date"}))
    examiner = forms.CharField(label=_("Examiner"), max_length=200)
    result = forms.ChoiceField(label=_("Result"), choices=MedicalExam.Result.choices)
    final = forms.BooleanField(label=_("Final decision"), required=False, initial=True)
    disputed = forms.BooleanField(label=_("Disputed"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class VettingReviewForm(StyledForm, forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (VettingMatch.Status.CLEARED, VettingMatch.Status.CLEARED.label),
            (VettingMatch.Status.CONFIRMED, VettingMatch.Status.CONFIRMED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TransitionForm(StyledForm, forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Combatant.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=100)


class HandOverForm(StyledForm, forms.Form):
    partner = forms.CharField(label=_("Interim care centre or partner"), max_length=200)
    at = forms.DateTimeField(
        label=_("Handed over at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


