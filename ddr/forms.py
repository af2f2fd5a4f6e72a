from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm, style_fields
from core.models import Region
from core.uploads import clean_table_upload, megabytes

from .models import (
    ArmedGroup,
    Category,
    Combatant,
    DeclaredWeapon,
    IdentityDocument,
    MatchingSettings,
    MedicalExam,
    Pathway,
    RuleSet,
    SubmittedList,
    VettingMatch,
)


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

    def clean(self) -> dict:
        data = super().clean() or {}
        previous, movement = data.get("previous"), data.get("movement")
        if previous and movement and previous.movement_id != movement.pk:
            self.add_error("previous", _("The previous version belongs to another movement."))
        return data


PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


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

    def clean_status(self) -> str:
        from .dedup import list_acceptance_problem

        status = self.cleaned_data["status"]
        if status == SubmittedList.Status.ACCEPTED and (problem := list_acceptance_problem(self.instance)):
            raise forms.ValidationError(problem)
        return status


class MatchingSettingsForm(StyledForm, forms.ModelForm):
    class Meta:
        model = MatchingSettings
        fields = ["strong", "review", "list_hold_share"]

    def clean(self) -> dict:
        data = super().clean() or {}
        strong, review = data.get("strong"), data.get("review")
        if strong is not None and review is not None and not 0 < review <= strong <= 1:
            raise forms.ValidationError(_("Thresholds must satisfy 0 < review ≤ proposed ≤ 1."))
        share = data.get("list_hold_share")
        if share is not None and not 0 <= share <= 1:
            self.add_error("list_hold_share", _("A share between 0 and 1."))
        return data


# --- screening and pathways ---------------------------------------------------------------


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


QUOTA_PATHWAYS = [p for p in Pathway if p not in (Pathway.CHILD_REFERRAL, Pathway.EXCLUDED, Pathway.PENDING)]
PATHWAY_CHOICES = [("", _("(no pathway)")), *[(p.value, p.label) for p in QUOTA_PATHWAYS]]


class RuleSetForm(StyledForm, forms.ModelForm):
    """The parameters of a draft rule set; categories' pathways and quotas as plain fields."""

    class Meta:
        model = RuleSet
        fields = [
            "name",
            "version",
            "effective_from",
            "effective_to",
            "min_age",
            "max_stay_days",
            "integration_requires_weapon",
            "medical_fitness_required",
            "vetting_required",
            "age_verification_required",
            "integration_fallback",
            "priority",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "integration_fallback": forms.Select(choices=PATHWAY_CHOICES[1:]),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pathways = self.instance.category_pathways or {}
        quotas = self.instance.quotas or {}
        for category in Category:
            if category == Category.CHILD:
                continue  # never a pathway of their own: always referred
            self.fields[f"category_{category.value}"] = forms.ChoiceField(
                label=category.label,
                choices=PATHWAY_CHOICES,
                required=False,
                initial=pathways.get(category.value, ""),
            )
        for pathway in QUOTA_PATHWAYS:
            quota = quotas.get(pathway.value, {})
            self.fields[f"quota_{pathway.value}"] = forms.IntegerField(
                label=pathway.label, min_value=0, required=False, initial=quota.get("total")
            )
            self.fields[f"regions_{pathway.value}"] = forms.CharField(
                label=_("Per region"),
                required=False,
                help_text=_("For example: GAO=300, KID=300"),
                initial=", ".join(f"{r}={n}" for r, n in (quota.get("regions") or {}).items()),
            )
        style_fields(self)

    def category_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("category_")]

    def quota_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"quota_{p.value}"], self[f"regions_{p.value}"]) for p in QUOTA_PATHWAYS]

    def clean(self) -> dict:
        data = super().clean() or {}
        codes = set(Region.objects.values_list("code", flat=True))
        quotas: dict[str, Any] = {}
        for pathway in QUOTA_PATHWAYS:
            quota: dict[str, Any] = {}
            if data.get(f"quota_{pathway.value}") is not None:
                quota["total"] = data[f"quota_{pathway.value}"]
            regions = {}
            for part in filter(
                None, (p.strip() for p in (data.get(f"regions_{pathway.value}") or "").split(","))
            ):
                code, _sep, number = part.partition("=")
                code = code.strip().upper()
                if code not in codes or not number.strip().isdigit():
                    self.add_error(
                        f"regions_{pathway.value}",
                        _("Write region codes and numbers, like GAO=300 (unknown: %(part)s).")
                        % {"part": part},
                    )
                    continue
                regions[code] = int(number)
            if regions:
                quota["regions"] = regions
            if quota:
                quotas[pathway.value] = quota
        self.instance.quotas = quotas
        self.instance.category_pathways = {
            c.value: data[f"category_{c.value}"] for c in Category if data.get(f"category_{c.value}")
        }
        return data
