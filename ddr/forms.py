from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from core.models import Region

from .models import ArmedGroup, Combatant, DeclaredWeapon, IdentityDocument, SubmittedList


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
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Only CSV and XLSX files are accepted."))
        return upload

    def clean(self) -> dict:
        data = super().clean() or {}
        previous, movement = data.get("previous"), data.get("movement")
        if previous and movement and previous.movement_id != movement.pk:
            self.add_error("previous", _("The previous version belongs to another movement."))
        return data


class CombatantForm(StyledForm, forms.ModelForm):
    """Registration by hand. A regional officer registers only in their own region."""

    class Meta:
        model = Combatant
        fields = [
            "family_name",
            "given_name",
            "also_known_as",
            "sex",
            "birth_date",
            "birth_year",
            "birth_year_approximate",
            "place_of_birth",
            "region",
            "commune",
            "category",
            "movement",
            "rank_in_movement",
            "photo",
            "biometric_ref",
            "registration_place",
            "registered_at",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "registered_at": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.all()
        if user.is_regional:
            regions = regions.filter(pk=user.region_id)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["registered_at"].initial = timezone.localdate

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("birth_date") and not data.get("birth_year"):
            self.add_error("birth_year", _("Give the birth date or at least the (approximate) year."))
        photo = data.get("photo")
        if photo and getattr(photo, "size", 0) > 5_000_000:
            self.add_error("photo", _("The photo is larger than 5 MB."))
        return data


class _StyledModelForm(StyledForm, forms.ModelForm):
    pass


DocumentFormSet: Any = inlineformset_factory(
    Combatant,
    IdentityDocument,
    form=_StyledModelForm,
    fields=["kind", "number", "issued_on", "issuer"],
    extra=2,
    can_delete=False,
    widgets={"issued_on": forms.DateInput(attrs={"type": "date"})},
)
WeaponFormSet: Any = inlineformset_factory(
    Combatant,
    DeclaredWeapon,
    form=_StyledModelForm,
    fields=["kind", "serial_number", "calibre", "ammunition", "condition"],
    extra=2,
    can_delete=False,
)


class ListStatusForm(StyledForm, forms.ModelForm):
    class Meta:
        model = SubmittedList
        fields = ["status"]
