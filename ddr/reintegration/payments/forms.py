from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.forms import DATE, StyledForm, today
from core.models import Region
from core.uploads import clean_table_upload
from ddr.reintegration.packages.models import Component, Entitlement, Package
from ddr.reintegration.payments.models import Channel, Confirmation


class BatchForm(StyledForm, forms.Form):
    """What a batch pays: the filters over due cash entitlements, and how it is paid."""

    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("All regions"),
    )
    package = forms.ModelChoiceField(
        label=_("Package"),
        queryset=Package.objects.order_by("code", "-version"),
        required=False,
        empty_label=_("All packages"),
    )
    component_kind = forms.ChoiceField(
        label=_("Component type"), choices=[("", _("All types")), *Component.Kind.choices], required=False
    )
    due_by = forms.DateField(label=_("Due by"), widget=DATE, initial=today)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    provider = forms.CharField(
        label=_("Payment provider"), max_length=200, help_text=_("The operator or partner that pays.")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.REGIONAL_OFFICER:
            # A regional officer's batch is their region's: nothing to choose.
            del self.fields["region"]


class StatementForm(StyledForm, forms.Form):
    file = forms.FileField(
        label=_("Provider's statement (CSV or XLSX)"),
        help_text=_(
            "Columns: reference, amount, currency, status (paid, failed, returned), paid_on, "
            "provider_reference."
        ),
    )

    def clean_file(self) -> object:
        return clean_table_upload(self.cleaned_data["file"], max_bytes=settings.DDR_IMPORT_MAX_BYTES)


class CardForm(forms.Form):
    token = forms.CharField(
        label=_("Card token"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "off", "autofocus": True, "placeholder": "DDR-…"}
        ),
    )


class DistributionForm(StyledForm, forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    entitlement = forms.ModelChoiceField(
        label=_("What is handed over"), queryset=Entitlement.objects.none(), empty_label=None
    )
    place = forms.CharField(label=_("Site or event"), max_length=200)
    confirmation = forms.ChoiceField(label=_("Recipient's confirmation"), choices=Confirmation.choices)
    on = forms.DateField(label=_("Handed over on"), widget=DATE, initial=today)

    def __init__(self, *args: Any, entitlements: QuerySet[Entitlement], **kwargs: Any) -> None:
        """`entitlements`: every entitlement of the card holder. The page offers those due in
        kind; any other chosen (handed over meanwhile, say) is refused by the service, saying why."""
        super().__init__(*args, **kwargs)
        self.fields["entitlement"].queryset = entitlements  # type: ignore[attr-defined]
