from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from cantonment.models import Site
from core.forms import StyledForm
from core.models import Region
from cvr.models import Project
from ddr.accountability.grievances import selectors
from ddr.accountability.grievances.models import (
    Accepted,
    Channel,
    Complainant,
    Grievance,
    GrievanceCategory,
    Subject,
    Urgency,
)
from ddr.models import ArmedGroup, Combatant, PaymentLine, SubmittedList
from integration.models import Unit

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} · {obj.get_role_display()}"


def _users(queryset: QuerySet[User]) -> StaffChoiceField:
    return StaffChoiceField(queryset=queryset, required=False)


class GrievanceForm(StyledForm, forms.Form):
    """Receiving a grievance. People and payments are named by their numbers (the receiver may not
    browse the register); everything is checked again by the service."""

    received_on = forms.DateTimeField(label=_("Received on"), widget=WHEN, input_formats=WHEN_FORMATS)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    complainant_kind = forms.ChoiceField(label=_("Who complains"), choices=Complainant.choices)
    complainant_person = forms.CharField(
        label=_("Registration no. of the complainant"),
        max_length=32,
        required=False,
        help_text=_("A registered person, or the person whose family complains."),
    )
    complainant_movement = forms.ModelChoiceField(
        label=_("Movement"), queryset=ArmedGroup.objects.order_by("code"), required=False
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    subject_kind = forms.ChoiceField(label=_("About"), choices=Subject.choices)
    subject_person = forms.CharField(
        label=_("Registration no. of the person concerned"), max_length=32, required=False
    )
    subject_list = forms.ModelChoiceField(
        label=_("List"), queryset=SubmittedList.objects.none(), required=False
    )
    subject_site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    subject_unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    subject_project = forms.ModelChoiceField(
        label=_("CVR project"), queryset=Project.objects.none(), required=False
    )
    subject_payment = forms.CharField(label=_("Payment reference"), max_length=32, required=False)
    against = _users(User.objects.none())
    category = forms.ChoiceField(label=_("Category"), choices=GrievanceCategory.choices)
    sensitive = forms.BooleanField(
        label=_("Sensitive: for the protection focal point only"),
        required=False,
        help_text=_("Always so for sexual exploitation and abuse, gender-based violence and a child."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.all(),
        required=False,
        help_text=_("Taken from the record or the person when there is one."),
    )
    description = forms.CharField(
        label=_("What the complainant says"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    acknowledge_by = forms.DateTimeField(
        label=_("Acknowledge by"),
        widget=WHEN,
        input_formats=WHEN_FORMATS,
        required=False,
        help_text=_("Empty: the category's deadline."),
    )
    answer_by = forms.DateTimeField(
        label=_("Answer by"),
        widget=WHEN,
        input_formats=WHEN_FORMATS,
        required=False,
        help_text=_("Empty: the category's deadline."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["subject_list"].queryset = SubmittedList.objects.select_related("movement")  # type: ignore[attr-defined]
        self.fields["subject_site"].queryset = Site.objects.for_user(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["subject_unit"].queryset = Unit.objects.for_user(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["subject_project"].queryset = Project.objects.for_user(user).order_by("code")  # type: ignore[attr-defined]
        staff = User.objects.filter(is_active=True).exclude(role=Role.ANALYST).exclude(pk=user.pk)
        self.fields["against"].queryset = staff.order_by("last_name", "first_name")  # type: ignore[attr-defined]
        self.fields["against"].label = _("Staff member complained about")
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        if user.role == Role.REGIONAL_OFFICER:
            del self.fields["region"]

    def _person(self, name: str) -> Combatant | None:
        number = (self.cleaned_data.get(name) or "").strip()
        if not number:
            return None
        person = Combatant.objects.for_user(self.user).filter(registration_number__iexact=number).first()
        if person is None:
            raise forms.ValidationError(_("No person with this registration number that you may see."))
        return person

    def clean_complainant_person(self) -> Combatant | None:
        return self._person("complainant_person")

    def clean_subject_person(self) -> Combatant | None:
        return self._person("subject_person")

    def clean_subject_payment(self) -> PaymentLine | None:
        reference = (self.cleaned_data.get("subject_payment") or "").strip()
        if not reference:
            return None
        line = PaymentLine.objects.for_user(self.user).filter(reference=reference).first()
        if line is None:
            raise forms.ValidationError(_("No payment with this reference that you may see."))
        return line

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("region", None)
        return data


class GrievanceFilter(StyledForm, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Grievance.Status.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *GrievanceCategory.choices], required=False
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, to_field_name="code"
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, regional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if regional:
            del self.fields["region"]

    def apply(self, rows: QuerySet[Grievance]) -> QuerySet[Grievance]:
        if not self.is_valid():
            return rows
        data = self.cleaned_data
        for name in ("status", "category", "channel"):
            if data.get(name):
                rows = rows.filter(**{name: data[name]})
        if data.get("region"):
            rows = rows.filter(region=data["region"])
        if data.get("overdue"):
            from django.db.models import Q

            rows = rows.filter(Q(acknowledge_overdue=True) | Q(answer_overdue=True))
        return rows


class AcknowledgeForm(StyledForm, forms.Form):
    note = forms.CharField(label=_("How the complainant was told"), max_length=500, required=False)


class AssignForm(StyledForm, forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, grievance: Grievance, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = selectors.handlers_for(grievance)  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]


class ReferForm(StyledForm, forms.Form):
    referred_to = forms.CharField(label=_("Referred to (body)"), max_length=200)


class ResolveForm(StyledForm, forms.Form):
    answer = forms.CharField(
        label=_("Answer given to the complainant"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    accepted = forms.ChoiceField(
        label=_("Did they accept it?"), choices=Accepted.choices, initial=Accepted.UNKNOWN
    )


class ReopenForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=500)


class CloseForm(StyledForm, forms.Form):
    pass
