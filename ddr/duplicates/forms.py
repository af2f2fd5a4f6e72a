from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from ddr.duplicates.models import MatchingSettings


class MatchingSettingsForm(StyledForm, forms.ModelForm[MatchingSettings]):
    class Meta:
        model = MatchingSettings
        fields = ["strong", "review", "list_hold_share"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        strong, review = data.get("strong"), data.get("review")
        if strong is not None and review is not None and not 0 < review <= strong <= 1:
            raise forms.ValidationError(_("Thresholds must satisfy 0 < review ≤ proposed ≤ 1."))
        share = data.get("list_hold_share")
        if share is not None and not 0 <= share <= 1:
            self.add_error("list_hold_share", _("A share between 0 and 1."))
        return data
