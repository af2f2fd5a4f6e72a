from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import DATE, StyledForm, decision_field
from core.masterdata import show_on
from core.models import Region
from core.uploads import clean_table_upload
from cvr import rules
from cvr.models import Beneficiary, Committee, CommunityConsultation, Partner, Project
from cvr.models.beneficiaries import AgeBand
from cvr.services import LIFECYCLE, partner_projects
from ddr.models import Sex


def _today() -> Any:
    return timezone.localdate()


class ProjectForm(StyledForm, forms.ModelForm[Project]):
    class Meta:
        model = Project
        fields = [
            "code",
            "title",
            "kind",
            "with_wam",
            "region",
            "cercle",
            "commune",
            "village",
            "latitude",
            "longitude",
            "partner",
            "consortium",
            "budget_usd",
            "budget_xof",
            "funding",
            "start",
            "end",
            "target_beneficiaries",
            "target_women",
            "committee_leaders",
            "committee_leaders_women",
        ]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_regional:
            self.fields["region"].queryset = Region.objects.filter(officers=user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # the model's clean: one implementer, end after start
        if (data.get("committee_leaders_women") or 0) > (data.get("committee_leaders") or 0):
            self.add_error("committee_leaders_women", _("More women leaders than leaders."))
        return data


class AnalysisForm(StyledForm, forms.ModelForm[Project]):
    class Meta:
        model = Project
        fields = ["political_economy", "risk_analysis"]
        widgets = {
            "political_economy": forms.Textarea(attrs={"rows": 3}),
            "risk_analysis": forms.Textarea(attrs={"rows": 3}),
        }


class ConsultationForm(StyledForm, forms.ModelForm[CommunityConsultation]):
    class Meta:
        model = CommunityConsultation
        fields = ["kind", "on", "place", "raised_by", "participants", "women", "summary"]
        widgets = {"on": DATE, "summary": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # On the project page beside the step and beneficiary forms, which have a "kind" and an
        # "on" of their own: ids of its own keep every label tied to its field.
        kwargs.setdefault("auto_id", "consultation-%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("on") is not None:
            show_on(
                self,
                rules.consultation_problem(
                    data.get("participants") or 0, data.get("women") or 0, data["on"], timezone.localdate()
                ),
            )
        return data


class AdvanceForm(StyledForm, forms.Form):
    to = forms.ChoiceField(label=_("Next step"))
    on = forms.DateField(label=_("Date"), initial=_today, widget=DATE)
    decided_by = forms.CharField(label=_("Deciding body"), max_length=200, required=False)
    decision = decision_field()
    minutes = forms.CharField(label=_("Minutes (reference)"), max_length=300, required=False)
    technical_agency = forms.CharField(
        label=_("Government agency (technical assessment)"), max_length=200, required=False
    )
    technical_result = forms.CharField(label=_("Result of the assessment"), max_length=300, required=False)
    me_mode = forms.ChoiceField(
        label=_("M&E visit"), choices=[("", "—"), *Project.VisitMode.choices], required=False
    )
    me_source = forms.CharField(label=_("Source of the remote report"), max_length=200, required=False)
    me_findings = forms.CharField(
        label=_("M&E findings"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    transferred_to = forms.ModelChoiceField(
        label=_("Transferred to"), queryset=Partner.objects.all(), required=False
    )
    remaining_funds_usd = forms.DecimalField(label=_("Remaining funds (USD)"), required=False, min_value=0)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        nexts = LIFECYCLE.nexts(project.status)
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            (s, Project.Status(s).label) for s in Project.Status.values if s in nexts
        ]


class BeneficiaryForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Beneficiary.Kind.choices)
    registration_number = forms.CharField(
        label=_("Registration number (ex-combatant)"), max_length=20, required=False
    )
    name = forms.CharField(label=_("Name (community member)"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    village = forms.CharField(label=_("Village"), max_length=100, required=False)
    youth_at_risk = forms.BooleanField(label=_("Youth at risk"), required=False)


class ImportForm(StyledForm, forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def clean_file(self) -> Any:
        return clean_table_upload(
            self.cleaned_data["file"], max_bytes=settings.DDR_BENEFICIARY_IMPORT_MAX_BYTES
        )


class ConsortiumForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    lead = forms.ModelChoiceField(label=_("Lead NGO"), queryset=Partner.objects.all())
    members = forms.ModelMultipleChoiceField(
        label=_("Member NGOs (lead included)"),
        queryset=Partner.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    formed_on = forms.DateField(label=_("Formed on"), initial=_today, widget=DATE)


class PartnerForm(StyledForm, forms.ModelForm[Partner]):
    class Meta:
        model = Partner
        fields = [
            "name",
            "acronym",
            "kind",
            "registration_number",
            "registered_on",
            "contact",
            "regions",
            "capacity_notes",
        ]
        widgets = {
            "registered_on": DATE,
            "regions": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            "capacity_notes": forms.Textarea(attrs={"rows": 2}),
        }


class CommitteeForm(StyledForm, forms.ModelForm[Committee]):
    """A partner's committee: members and the women among them, checked as the service checks."""

    class Meta:
        model = Committee
        fields = [
            "name",
            "kind",
            "project",
            "region",
            "commune",
            "formed_on",
            "dissolved_on",
            "members",
            "women",
            "women_leaders",
            "note",
        ]
        widgets = {"formed_on": DATE, "dissolved_on": DATE}

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.partner = partner
        self.fields["project"].queryset = partner_projects(partner).order_by("code")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(name) is not None for name in ("members", "women", "women_leaders")):
            show_on(
                self,
                rules.committee_problem(
                    data["members"],
                    data["women"],
                    data["women_leaders"],
                    data.get("formed_on"),
                    data.get("dissolved_on"),
                ),
            )
        return data
