"""Forms of the catalogue (a package version, its components), of enrolment (one person, a
cohort's filter) and of the catalogue's own filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Role, User
from core.forms import DATE, StyledForm, style_fields, today
from core.masterdata import show_on
from core.models import Region
from ddr.lists.models import ArmedGroup
from ddr.registration.models import Category, Combatant, Pathway, Sex
from ddr.reintegration.packages.models import Component, Delivery, FundingSource, Package, Phase
from ddr.reintegration.packages.rules import envelope_problem

# Who a package may serve: the pathways and categories of people who may benefit at all.
SERVED_PATHWAYS = [(p.value, p.label) for p in Pathway if p not in (Pathway.CHILD_REFERRAL, Pathway.EXCLUDED)]
SERVED_CATEGORIES = [(c.value, c.label) for c in Category if c != Category.CHILD]


def _ticks(label: Any, choices: list[tuple[str, Any]], help_text: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class PackageForm(StyledForm, forms.ModelForm[Package]):
    """One version of a package; its code is chosen once (versions keep it)."""

    pathways = _ticks(_("Pathways served"), SERVED_PATHWAYS, _("None ticked: every pathway."))
    categories = _ticks(_("Categories served"), SERVED_CATEGORIES, _("None ticked: every category."))

    class Meta:
        model = Package
        fields = [
            "code",
            "name",
            "phase",
            "funding_source",
            "envelope_xof",
            "effective_from",
            "effective_to",
            "pathways",
            "categories",
            "women_only",
        ]
        widgets = {"effective_from": DATE, "effective_to": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["code"].disabled = True
        self.fields["envelope_xof"].widget.attrs["min"] = 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end <= start:
            self.add_error("effective_to", _("The end must come after the start."))
        return data


class ComponentForm(StyledForm, forms.ModelForm[Component]):
    class Meta:
        model = Component
        fields = ["kind", "label", "trade", "delivery", "amount_xof", "due_after_days", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount_xof"].widget.attrs["min"] = 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("delivery") == Delivery.CASH and not data.get("amount_xof"):
            self.add_error("amount_xof", _("A payment needs an amount."))
        return data


class EnrolForm(StyledForm, forms.Form):
    package = forms.ModelChoiceField(label=_("Package"), queryset=Package.objects.none())
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DATE, initial=today)

    def __init__(self, *args: Any, packages: QuerySet[Package] | list[Package], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not isinstance(packages, QuerySet):
            packages = Package.objects.filter(pk__in=[p.pk for p in packages]).order_by("code", "-version")
        self.fields["package"].queryset = packages  # type: ignore[attr-defined]


class DropForm(StyledForm, forms.Form):
    on = forms.DateField(label=_("Dropped out on"), widget=DATE, initial=today)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CohortFilterForm(forms.Form):
    """Which people a cohort enrolment takes (the page's GET, and the job's saved filter)."""

    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), to_field_name="code", required=False
    )
    movement = forms.ModelChoiceField(
        label=_("Movement"),
        queryset=ArmedGroup.objects.order_by("code"),
        to_field_name="code",
        required=False,
    )
    pathway = forms.ChoiceField(label=_("Pathway"), choices=[("", "—"), *SERVED_PATHWAYS], required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *SERVED_CATEGORIES], required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Combatant.Status.choices], required=False
    )
    registered_from = forms.DateField(label=_("Registered from"), widget=DATE, required=False)
    registered_to = forms.DateField(label=_("Registered until"), widget=DATE, required=False)

    NAMES = ("region", "movement", "pathway", "category", "sex", "status", "registered_from", "registered_to")

    def __init__(self, *args: Any, user: AnyUser | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(user, User) and user.role == Role.REGIONAL_OFFICER:
            self.fields["region"].queryset = Region.objects.filter(pk=user.region_id or 0)  # type: ignore[attr-defined]
        style_fields(self, small=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and end < start:
            self.add_error("registered_to", _("The end must come after the start."))
        return data

    def filters(self) -> dict[str, str]:
        """The filter as given (valid), to run it again on the worker."""
        return {name: str(self.data[name]) for name in self.NAMES if self.data.get(name)}

    def apply(self, people: QuerySet[Combatant]) -> QuerySet[Combatant]:
        data = self.cleaned_data
        condition = Q()
        for name in ("region", "movement", "pathway", "category", "sex", "status"):
            if data.get(name):
                condition &= Q(**{name: data[name]})
        if data.get("registered_from"):
            condition &= Q(registered_at__gte=data["registered_from"])
        if data.get("registered_to"):
            condition &= Q(registered_at__lte=data["registered_to"])
        return people.filter(condition)


class CohortPackageForm(StyledForm, forms.Form):
    package = forms.ModelChoiceField(
        label=_("Package"),
        queryset=Package.objects.select_related("funding_source").order_by("code", "-version"),
    )
    on = forms.DateField(label=_("Enrolled on"), widget=DATE, initial=today)


class CatalogueFilterForm(forms.Form):
    IN_FORCE, ENDED, UPCOMING = "in_force", "ended", "upcoming"

    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", "—"), *Phase.choices], required=False)
    funding_source = forms.ModelChoiceField(
        label=_("Funding source"), queryset=FundingSource.objects.all(), to_field_name="code", required=False
    )
    pathway = forms.ChoiceField(
        label=_("Serves the pathway"), choices=[("", "—"), *SERVED_PATHWAYS], required=False
    )
    category = forms.ChoiceField(
        label=_("Serves the category"), choices=[("", "—"), *SERVED_CATEGORIES], required=False
    )
    period = forms.ChoiceField(
        label=_("Versions"),
        choices=[
            ("", _("Every version")),
            (IN_FORCE, _("In force today")),
            (UPCOMING, _("Starting later")),
            (ENDED, _("Ended")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self, small=True)

    def apply(self, packages: QuerySet[Package], on: dt.date) -> QuerySet[Package]:
        if not self.is_valid():
            return packages.none()
        data = self.cleaned_data
        if data["q"]:
            packages = packages.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
        if data["phase"]:
            packages = packages.filter(phase=data["phase"])
        if data["funding_source"]:
            packages = packages.filter(funding_source=data["funding_source"])
        # Empty lists serve everyone. JSON containment is not portable (SQLite): read in Python.
        if data["pathway"] or data["category"]:
            kept = [
                p.pk
                for p in packages.only("pk", "pathways", "categories")
                if (not data["pathway"] or not p.pathways or data["pathway"] in p.pathways)
                and (not data["category"] or not p.categories or data["category"] in p.categories)
            ]
            packages = packages.filter(pk__in=kept)
        started = Q(effective_from__lte=on)
        running = Q(effective_to__isnull=True) | Q(effective_to__gt=on)
        if data["period"] == self.IN_FORCE:
            packages = packages.filter(started & running)
        elif data["period"] == self.UPCOMING:
            packages = packages.filter(effective_from__gt=on)
        elif data["period"] == self.ENDED:
            packages = packages.filter(effective_to__lte=on)
        return packages


class FundingSourceForm(StyledForm, forms.ModelForm[FundingSource]):
    """A funding source; its code is chosen once (filters and exports name it)."""

    class Meta:
        model = FundingSource
        fields = ["code", "name", "envelope_xof"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        show_on(self, envelope_problem(data.get("envelope_xof")))
        return data
