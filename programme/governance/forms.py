from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, StyledForm, today
from core.models import Body, Decision
from core.uploads import DOCUMENT_ACCEPT
from programme.governance.models import RoadmapAction


class DecisionForm(StyledForm, forms.ModelForm[Decision]):
    class Meta:
        model = Decision
        fields = ["body", "taken_on", "reference", "title", "text", "minutes"]
        widgets = {
            "taken_on": DATE,
            "text": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = today
        self.fields["body"].choices = [("", "—"), *Body.choices]  # type: ignore[attr-defined]


class ActionForm(StyledForm, forms.Form):
    row_form = True  # on each action's row
    status = forms.ChoiceField(label=_("Status"), choices=RoadmapAction.Status.choices)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), max_length=2000, required=False)
