from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cantonment.inventory.models import Handover, InventoryItem, InventoryMovement
from cantonment.sites.models import Site
from core.forms import DATE, StyledForm


class InventoryItemForm(StyledForm, forms.ModelForm[InventoryItem]):
    class Meta:
        model = InventoryItem
        fields = ["code", "kind", "contents", "quantity", "unit", "region", "site", "location", "custodian"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.for_user(user)  # type: ignore[attr-defined]
        if user.region_id and user.is_regional:
            self.fields["region"].queryset = self.fields["region"].queryset.filter(pk=user.region_id)  # type: ignore[attr-defined]


class MovementForm(StyledForm, forms.ModelForm[InventoryMovement]):
    class Meta:
        model = InventoryMovement
        fields = ["direction", "quantity", "on", "counterpart", "reference"]
        widgets = {"on": DATE}


class HandoverForm(StyledForm, forms.ModelForm[Handover]):
    items = forms.ModelMultipleChoiceField(
        label=_("Items handed over"),
        queryset=InventoryItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Handover
        fields = ["reference", "authority", "received_by", "on", "note"]
        widgets = {"on": DATE}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = InventoryItem.objects.for_user(user).filter(handover__isnull=True)  # type: ignore[attr-defined]
        self.fields["items"].widget.attrs["class"] = "form-check-input"


