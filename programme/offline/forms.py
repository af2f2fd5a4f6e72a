from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from programme.offline.models import SyncConflict


class ConflictForm(StyledForm, forms.Form):
    choice = forms.ChoiceField(label=_("Value to keep"), choices=SyncConflict.Choice.choices)
    combined = forms.CharField(
        label=_("Combined value"),
        required=False,
        max_length=200,
        help_text=_("Only when keeping a combined value: type it as it should be recorded."),
    )
