from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import DATE, StyledForm
from core.models import Cercle, Region
from ddr.reintegration.profiles.models import ChoiceOption, Opportunity, Profile, Trade


class CercleChoiceField(forms.ModelChoiceField[Cercle]):
    """A cercle named with its region: the same name can be found in two regions' lists."""

    def label_from_instance(self, obj: Cercle) -> str:
        return f"{obj.region.name} — {obj.name}"


def _cercles(regions: Any = None) -> Any:
    cercles = Cercle.objects.select_related("region").order_by("region__name", "name")
    return cercles if regions is None else cercles.filter(region__in=regions)


class ChoiceForm(StyledForm, forms.Form):
    # No option preselected: the officer picks what the person said.
    option = forms.ChoiceField(label=_("Choice"), choices=[*BLANK_CHOICE_DASH, *ChoiceOption.choices])
    volunteer_first_operation = forms.BooleanField(
        label=_("Volunteer for the first reinsertion operation"), required=False
    )
    chosen_on = forms.DateField(label=_("Chosen on"), widget=DATE)
    witnessed_by = forms.CharField(label=_("Witnessed by"), max_length=200)


class ProfileForm(StyledForm, forms.ModelForm[Profile]):
    return_cercle = CercleChoiceField(label=_("cercle of return"), queryset=_cercles(), required=False)

    class Meta:
        model = Profile
        fields = [
            "profiled_on",
            "education",
            "literate",
            "languages",
            "occupation_before",
            "skills",
            "preferred_trade",
            "dependants",
            "household_size",
            "health_needs",
            "return_region",
            "return_cercle",
            "return_commune",
            "housing",
            "mobile_money",
            "bank_account",
        ]
        widgets = {"profiled_on": DATE, "skills": forms.CheckboxSelectMultiple}
        help_texts = {
            "mobile_money": _("8 digits, or +223 and 8 digits."),
            "languages": _("For example: Tamasheq, Songhai, French."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].widget.attrs["class"] = "form-check-input"
        self.fields["skills"].queryset = Trade.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["mobile_money"].widget.attrs.update(inputmode="tel", autocomplete="off")


class OpportunityForm(StyledForm, forms.ModelForm[Opportunity]):
    cercle = CercleChoiceField(
        label=_("cercle"),
        queryset=_cercles(),
        required=False,
        empty_label=_("The whole region"),
    )

    class Meta:
        model = Opportunity
        fields = [
            "region",
            "cercle",
            "trade",
            "demand",
            "provider",
            "capacity",
            "partners",
            "source",
            "studied_on",
        ]
        widgets = {"studied_on": DATE}
        help_texts = {"source": _("The socio-economic study this line comes from (title, author).")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_regional:
            regions = Region.objects.filter(officers=user)
            self.fields["region"].queryset = regions  # type: ignore[attr-defined]
            self.fields["cercle"].queryset = _cercles(regions)  # type: ignore[attr-defined]
