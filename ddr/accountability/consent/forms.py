"""Consent forms: recording an answer (on the person's page, or at registration), a withdrawal,
a new photo, and a new version of a text (administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, StyledForm
from core.uploads import megabytes
from ddr.accountability.consent import selectors
from ddr.accountability.consent.models import (
    ConsentKind,
    ConsentLanguage,
    ConsentRecord,
    ConsentText,
    Optional,
)
from ddr.registration.forms import PHOTO_FORMATS

SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,application/pdf,image/jpeg,image/png,image/webp"


class _Answer(StyledForm, forms.Form):
    """Which text was read (the active version of its language), in which language, the answer."""

    text_language = forms.ChoiceField(
        label=_("Language of the text"), choices=ConsentLanguage.choices, initial=ConsentLanguage.FRENCH
    )
    language = forms.ChoiceField(
        label=_("Read in"),
        choices=ConsentLanguage.choices,
        initial=ConsentLanguage.FRENCH,
        help_text=_("The language the text was read aloud in (Bambara read from the French text...)."),
    )
    outcome = forms.ChoiceField(
        label=_("Answer"), choices=ConsentRecord.Outcome.choices, widget=forms.RadioSelect
    )
    scan = forms.FileField(
        label=_("Scanned form"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
        help_text=_("PDF or image, optional."),
    )
    kind = ConsentKind.DECLARATION.value

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-check-input"
        self.text: ConsentText | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, language = data.get("kind") or self.kind, data.get("text_language")
        if language:
            self.text = selectors.active_text(kind, language)
            if self.text is None:
                self.add_error(
                    "text_language",
                    _(
                        "No active version of this text in this language: choose French or ask "
                        "an administrator."
                    ),
                )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": self.text,
            "language": data["language"],
            "outcome": data["outcome"],
            "scan": data.get("scan") or None,
        }


class ConsentRecordForm(_Answer):
    """On the person's page: any text, the date, and consent given again to what was withdrawn."""

    kind = forms.ChoiceField(label=_("Text read"), choices=ConsentKind.choices)  # type: ignore[assignment]
    recorded_on = forms.DateField(label=_("Date"), widget=DATE)
    restores = forms.ChoiceField(
        label=_("Consent given again for"),
        choices=[("", "—"), *Optional.choices],
        required=False,
        help_text=_("Only when the person agrees again to what they had withdrawn."),
    )
    partner = forms.CharField(label=_("Partner"), max_length=200, required=False)

    field_order = [
        "kind",
        "text_language",
        "language",
        "outcome",
        "recorded_on",
        "scan",
        "restores",
        "partner",
    ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "recorded_on": data["recorded_on"],
            "restores": data.get("restores") or "",
            "partner": data.get("partner") or "",
        }


class RegistrationConsentForm(_Answer):
    """The registration form's optional block: the declaration read to the person, and their answer."""

    read = forms.BooleanField(
        label=_("Declaration of voluntary participation read to the person"), required=False
    )
    outcome = forms.ChoiceField(
        label=_("Answer"), choices=ConsentRecord.Outcome.choices, widget=forms.RadioSelect, required=False
    )
    field_order = ["read", "text_language", "language", "outcome", "scan"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the whole block is optional: checked only when read
            field.required = False

    def clean(self) -> dict[str, Any]:
        if not self.cleaned_data.get("read"):
            return {"read": False}  # nothing asked, nothing checked
        data = super().clean()
        for name in ("text_language", "language", "outcome"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Required when the declaration was read."))
        return data

    @property
    def was_read(self) -> bool:
        return bool(self.cleaned_data.get("read"))


class WithdrawalForm(StyledForm, forms.Form):
    scope = forms.ChoiceField(label=_("Consent withdrawn for"), choices=Optional.choices)
    partner = forms.CharField(
        label=_("Partner"), max_length=200, required=False, help_text=_("For sharing: the partner named.")
    )
    withdrawn_on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason given"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PhotoForm(StyledForm, forms.Form):
    photo = forms.ImageField(label=_("New photo"))

    def clean_photo(self) -> Any:
        photo = self.cleaned_data["photo"]
        limit = settings.DDR_PHOTO_MAX_BYTES
        if getattr(photo, "size", 0) > limit:
            raise forms.ValidationError(_("The photo is larger than %(mb)s MB.") % {"mb": megabytes(limit)})
        image = getattr(photo, "image", None)
        if image is not None and image.format not in PHOTO_FORMATS:
            raise forms.ValidationError(_("The photo must be a JPEG, PNG or WebP image."))
        return photo


class ConsentTextForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Text"), choices=ConsentKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=ConsentLanguage.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))
    translator = forms.CharField(
        label=_("Translator"),
        max_length=200,
        required=False,
        help_text=_("Required for every language but French and English."),
    )
