from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from ddr.models import Combatant, DeclaredWeapon

from .models import Handover, InventoryItem, InventoryMovement, Site, StorageLocation, WamItem
from .stays import LIFECYCLE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today() -> Any:
    return timezone.localdate()


class PersonField(forms.CharField):
    """A registration number, resolved among the people the user may see (never another region's)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=_("Registration number"), max_length=20, **kwargs)


def _person(user: Any, number: str) -> Combatant:
    person = Combatant.objects.for_user(user).filter(registration_number=number.strip().upper()).first()
    if person is None:
        raise forms.ValidationError(_("No person with this registration number in your scope."))
    return person


class SiteAdvanceForm(StyledForm, forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date"), initial=_today, widget=DATE)
    decided_by = forms.CharField(label=_("Deciding body"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    handed_over_to = forms.CharField(label=_("Handed over to"), max_length=200, required=False)
    intended_reuse = forms.CharField(
        label=_("Intended reuse"), max_length=200, required=False, help_text=_("School, dispensary…")
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            (s, Site.Status(s).label) for s in Site.Status.values if s in LIFECYCLE[site.status]
        ]


class CapacityForm(StyledForm, forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0)
    places_for_women = forms.IntegerField(label=_("Places for women"), min_value=0)


class CheckInForm(StyledForm, forms.Form):
    registration_number = PersonField()
    on = forms.DateField(label=_("Checked in on"), initial=_today, widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_registration_number(self) -> Combatant:
        return _person(self.user, self.cleaned_data["registration_number"])


class CheckOutForm(StyledForm, forms.Form):
    on = forms.DateField(label=_("Checked out on"), initial=_today, widget=DATE)


class HandInForm(StyledForm, forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
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
    received_on = forms.DateField(label=_("Received on"), initial=_today, widget=DATE)
    custodian = forms.CharField(label=_("Custodian"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["site"].queryset = Site.objects.for_user(user).filter(status=Site.Status.OPERATIONAL)  # type: ignore[attr-defined]
        self.fields["location"].queryset = StorageLocation.objects.for_user(user)  # type: ignore[attr-defined]

    def clean_registration_number(self) -> Combatant | None:
        number = self.cleaned_data["registration_number"]
        return _person(self.user, number) if number else None

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("kind") == WamItem.Kind.WEAPON and not data.get("weapon_type"):
            self.add_error("weapon_type", _("Say which kind of weapon."))
        return data


class TransferForm(StyledForm, forms.Form):
    from_location = forms.ModelChoiceField(label=_("From"), queryset=StorageLocation.objects.none())
    to_location = forms.ModelChoiceField(label=_("To"), queryset=StorageLocation.objects.none())
    custodian = forms.CharField(label=_("New custodian"), max_length=200)
    on = forms.DateField(label=_("Date"), initial=_today, widget=DATE)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_location", "to_location"):
            self.fields[name].queryset = StorageLocation.objects.for_user(user)  # type: ignore[attr-defined]


class DisposalForm(StyledForm, forms.Form):
    how = forms.ChoiceField(
        label=_("Final disposal"),
        choices=[(s, s.label) for s in (WamItem.Status.DESTROYED, WamItem.Status.TRANSFERRED)],
    )
    reference = forms.CharField(label=_("Reference (record or decision)"), max_length=100)
    on = forms.DateField(label=_("Date"), initial=_today, widget=DATE)


class InventoryItemForm(StyledForm, forms.ModelForm):
    class Meta:
        model = InventoryItem
        fields = ["code", "kind", "contents", "quantity", "unit", "region", "site", "location", "custodian"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.for_user(user)  # type: ignore[attr-defined]
        if user.region_id and user.is_regional:
            self.fields["region"].queryset = self.fields["region"].queryset.filter(pk=user.region_id)  # type: ignore[attr-defined]


class MovementForm(StyledForm, forms.ModelForm):
    class Meta:
        model = InventoryMovement
        fields = ["direction", "quantity", "on", "counterpart", "reference"]
        widgets = {"on": DATE}


class HandoverForm(StyledForm, forms.ModelForm):
    items = forms.ModelMultipleChoiceField(
        label=_("Items handed over"),
        queryset=InventoryItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Handover
        fields = ["reference", "authority", "received_by", "on", "note"]
        widgets = {"on": DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = InventoryItem.objects.for_user(user).filter(handover__isnull=True)  # type: ignore[attr-defined]
        self.fields["items"].widget.attrs["class"] = "form-check-input"
