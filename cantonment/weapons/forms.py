from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cantonment.sites.models import Site
from cantonment.weapons.models import StorageLocation, WamItem
from core.forms import DATE, StyledForm, today
from cvr.models import Project
from ddr.models import Combatant, DeclaredWeapon
from ddr.registration.forms import PersonField, person_by_number


class HandInForm(StyledForm, forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    collection_place = forms.CharField(
        label=_("Or collected at (outside a site)"),
        max_length=200,
        required=False,
        help_text=_("A collection point, a village, a gendarmerie: where no site is."),
    )
    project = forms.ModelChoiceField(
        label=_("Collected by the CVR project"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("Projects with a weapons and ammunition component."),
    )
    location = forms.ModelChoiceField(label=_("Storage location"), queryset=StorageLocation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=WamItem.Kind.choices)
    weapon_type = forms.ChoiceField(
        label=_("Weapon type"), choices=[("", "—"), *DeclaredWeapon.Kind.choices], required=False
    )
    calibre = forms.CharField(label=_("Calibre"), max_length=30, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=60, required=False)
    quantity = forms.IntegerField(label=_("Quantity (rounds)"), min_value=1, initial=1)
    condition = forms.ChoiceField(label=_("Condition"), choices=DeclaredWeapon.Condition.choices)
    registration_number = PersonField(
        required=False, help_text=_("Of the person handing it in, if registered.")
    )
    received_on = forms.DateField(label=_("Received on"), initial=today, widget=DATE)
    custodian = forms.CharField(label=_("Custodian"), max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["site"].queryset = Site.objects.for_user(user).filter(status=Site.Status.OPERATIONAL)  # type: ignore[attr-defined]
        self.fields["location"].queryset = StorageLocation.objects.for_user(user)  # type: ignore[attr-defined]
        self.fields["project"].queryset = Project.objects.for_user(user).filter(with_wam=True)  # type: ignore[attr-defined]

    def clean_registration_number(self) -> Combatant | None:
        number = self.cleaned_data["registration_number"]
        return person_by_number(self.user, number) if number else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("site") and not (data.get("collection_place") or "").strip():
            self.add_error("site", _("Name the site, or the place of collection outside the sites."))
        if data.get("kind") == WamItem.Kind.WEAPON and not data.get("weapon_type"):
            self.add_error("weapon_type", _("Say which kind of weapon."))
        return data


class TransferForm(StyledForm, forms.Form):
    from_location = forms.ModelChoiceField(label=_("From"), queryset=StorageLocation.objects.none())
    to_location = forms.ModelChoiceField(label=_("To"), queryset=StorageLocation.objects.none())
    custodian = forms.CharField(label=_("New custodian"), max_length=200)
    on = forms.DateField(label=_("Date"), initial=today, widget=DATE)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_location", "to_location"):
            self.fields[name].queryset = StorageLocation.objects.for_user(user)  # type: ignore[attr-defined]


class DisposalForm(StyledForm, forms.Form):
    how = forms.ChoiceField(
        label=_("Final disposal"),
        choices=[(s, s.label) for s in (WamItem.Status.DESTROYED, WamItem.Status.TRANSFERRED)],
    )
    reference = forms.CharField(label=_("Reference (record or decision)"), max_length=100)
    on = forms.DateField(label=_("Date"), initial=today, widget=DATE)
