from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm, style_fields
from core.models import Region
from ddr.eligibility.models import RuleSet
from ddr.registration.models import Category, Pathway

QUOTA_PATHWAYS = [p for p in Pathway if p not in (Pathway.CHILD_REFERRAL, Pathway.EXCLUDED, Pathway.PENDING)]


PATHWAY_CHOICES = [("", _("(no pathway)")), *[(p.value, p.label) for p in QUOTA_PATHWAYS]]


class RuleSetForm(StyledForm, forms.ModelForm[RuleSet]):
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
            "civilian_choice_respected",
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

    def clean(self) -> dict[str, Any]:
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
                if code not in codes or not number.strip().isdecimal():
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


