from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import DATE, StyledForm
from core.models import Region
from core.uploads import megabytes
from ddr.registration.models import Combatant, DeclaredWeapon, IdentityDocument

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


class CombatantForm(StyledForm, forms.ModelForm[Combatant]):
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
            "birth_date": DATE,
            "registered_at": DATE,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.all()
        if user.is_regional:
            regions = regions.filter(officers=user)  # their own region, chosen for them
            self.fields["region"].initial = user.region_id
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["registered_at"].initial = timezone.localdate

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("birth_date") and not data.get("birth_year"):
            self.add_error("birth_year", _("Give the birth date or at least the (approximate) year."))
        return data

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        limit = settings.DDR_PHOTO_MAX_BYTES
        if photo and getattr(photo, "size", 0) > limit:
            raise forms.ValidationError(_("The photo is larger than %(mb)s MB.") % {"mb": megabytes(limit)})
        # Django has Pillow open every upload; only camera formats are kept (no GIF, TIFF, PSD...).
        image = getattr(photo, "image", None)
        if image is not None and image.format not in PHOTO_FORMATS:
            raise forms.ValidationError(_("The photo must be a JPEG, PNG or WebP image."))
        return photo


class _StyledModelForm(StyledForm, forms.ModelForm[Any]):  # documents and weapons alike
    pass


DocumentFormSet: Any = inlineformset_factory(
    Combatant,
    IdentityDocument,
    form=_StyledModelForm,
    fields=["kind", "number", "issued_on", "issuer"],
    extra=2,
    can_delete=False,
    widgets={"issued_on": DATE},
)
WeaponFormSet: Any = inlineformset_factory(
    Combatant,
    DeclaredWeapon,
    form=_StyledModelForm,
    fields=["kind", "serial_number", "calibre", "ammunition", "condition"],
    extra=2,
    can_delete=False,
)


# --- screening and pathways ---------------------------------------------------------------


class PersonField(forms.CharField):
    """A registration number, resolved among the people the user may see (never another region's)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=_("Registration number"), max_length=20, **kwargs)


def person_by_number(user: User, number: str) -> Combatant:
    person = Combatant.objects.for_user(user).filter(registration_number=number.strip().upper()).first()
    if person is None:
        raise forms.ValidationError(_("No person with this registration number in your scope."))
    return person
