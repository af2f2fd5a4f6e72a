from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, StyledForm, decision_field, style_fields
from core.models import Region
from ddr.eligibility.models import RuleSet
from ddr.eligibility.rules import STATE_PATHWAYS, Requirements
from ddr.registration.models import Category, Pathway

QUOTA_PATHWAYS = [p for p in Pathway if p not in (Pathway.CHILD_REFERRAL, Pathway.EXCLUDED, Pathway.PENDING)]


PATHWAY_CHOICES = [("", _("(no pathway)")), *[(p.value, p.label) for p in QUOTA_PATHWAYS]]

# The columns of the table of requirements per pathway: a yes/no asked, or an age.
REQUIRED = {
    "weapon": _("Weapon required"),
    "medical": _("Medical fitness required"),
    "vetting": _("Vetting required"),
    "age_verification": _("Age verification required"),
}
AGES = {"min_age": _("Minimum age"), "max_age": _("Maximum age")}
ASKED = [("", _("As the general rule")), ("yes", _("Yes")), ("no", _("No"))]


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
            "effective_from": DATE,
            "effective_to": DATE,
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
        for pathway in STATE_PATHWAYS:
            line = Requirements.of((self.instance.pathway_requirements or {}).get(pathway))
            for key, label in REQUIRED.items():
                value = getattr(line, key)
                self.fields[f"req_{pathway.value}_{key}"] = forms.ChoiceField(
                    label=label,
                    choices=ASKED,
                    required=False,
                    initial="" if value is None else ("yes" if value else "no"),
                )
            for key, label in AGES.items():
                self.fields[f"req_{pathway.value}_{key}"] = forms.IntegerField(
                    label=label, min_value=0, max_value=99, required=False, initial=getattr(line, key)
                )
        style_fields(self)

    def requirement_rows(self) -> list[tuple[Any, list[Any]]]:
        """The table of requirements: a row per pathway into the State, a field per column."""
        keys = [*REQUIRED, *AGES]
        return [(p.label, [self[f"req_{p.value}_{k}"] for k in keys]) for p in STATE_PATHWAYS]

    def requirement_headers(self) -> list[Any]:
        return [*REQUIRED.values(), *AGES.values()]

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
        self.instance.pathway_requirements = self._requirements(data)
        return data

    def _requirements(self, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """The lines given, as the rule set stores them (`rules.Requirements`); an age range that
        admits nobody is an error on its field."""
        lines: dict[str, dict[str, Any]] = {}
        for pathway in STATE_PATHWAYS:
            name = f"req_{pathway.value}_"
            values: dict[str, Any] = {
                key: data.get(name + key) == "yes" for key in REQUIRED if data.get(name + key)
            }
            values |= {key: data[name + key] for key in AGES if data.get(name + key) is not None}
            lowest = max(values.get("min_age", 0), data.get("min_age") or 0)
            if values.get("max_age") is not None and values["max_age"] < lowest:
                self.add_error(
                    name + "max_age",
                    _("The maximum age must be at least the minimum age (%(age)s).") % {"age": lowest},
                )
            if line := Requirements.of(values).as_dict():
                lines[pathway.value] = line
        return lines


class RuleSetActivateForm(StyledForm, forms.Form):
    """The decision of the register that adopted the rule set (and agreed its quotas), optional."""

    decision = decision_field()
