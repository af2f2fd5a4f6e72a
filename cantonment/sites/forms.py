from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cantonment.sites.models import Site
from cantonment.sites.services import LIFECYCLE
from core.forms import CHOOSE, DATE, StyledForm, decision_field, today
from core.models import Region
from ddr.models import Combatant
from ddr.registration.forms import PersonField, person_by_number


class SiteAdvanceForm(StyledForm, forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date"), initial=today, widget=DATE)
    decided_by = forms.CharField(label=_("Deciding body"), max_length=200, required=False)
    decision = decision_field()
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    handed_over_to = forms.CharField(label=_("Handed over to"), max_length=200, required=False)
    intended_reuse = forms.CharField(
        label=_("Intended reuse"), max_length=200, required=False, help_text=_("School, dispensary…")
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [CHOOSE] + [  # type: ignore[attr-defined]
            (s, Site.Status(s).label) for s in Site.Status.values if s in LIFECYCLE.nexts(site.status)
        ]


class SiteProposalForm(StyledForm, forms.ModelForm[Site]):
    """A site as a party proposes it; its lifecycle starts at "proposed" on the day given."""

    proposed_on = forms.DateField(label=_("Proposed on"), initial=today, widget=DATE)

    class Meta:
        model = Site
        fields = [
            "name",
            "kind",
            "region",
            "cercle",
            "commune",
            "proposed_by",
            "capacity",
            "places_for_women",
            "children_facilities",
            "latitude",
            "longitude",
            "interim_until",
            "security_notes",
        ]
        widgets = {"interim_until": DATE, "security_notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_regional:  # a regional officer proposes in their region only
            self.fields["region"].queryset = Region.objects.filter(officers=user)  # type: ignore[attr-defined]


class CapacityForm(StyledForm, forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0)
    places_for_women = forms.IntegerField(label=_("Places for women"), min_value=0)


class CheckInForm(StyledForm, forms.Form):
    registration_number = PersonField()
    on = forms.DateField(label=_("Checked in on"), initial=today, widget=DATE)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_registration_number(self) -> Combatant:
        return person_by_number(self.user, self.cleaned_data["registration_number"])


class CheckOutForm(StyledForm, forms.Form):
    row_form = True  # on each stay's row of the site page
    on = forms.DateField(label=_("Checked out on"), initial=today, widget=DATE)
