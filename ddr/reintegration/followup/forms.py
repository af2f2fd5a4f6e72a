from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, StyledForm, style_fields
from core.models import Region
from ddr.reintegration.followup.models import Acceptance, FollowUp, IncomeBand, ReintegrationRules

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class FollowUpFilter(StyledForm, forms.Form):
    """The follow-up list: which ones (due, due within the week, overdue, done) and, for national
    staff, which region."""

    SHOW = [
        ("due", _("Due")),
        ("soon", _("Due within 7 days")),
        ("overdue", _("Overdue")),
        ("done", _("Done")),
        ("all", _("All")),
    ]
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, to_field_name="code"
    )

    def __init__(self, *args: Any, regional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if regional:  # a regional officer sees their region only: nothing to choose
            del self.fields["region"]


class FollowUpForm(StyledForm, forms.Form):
    """What a follow-up found. Findings are asked only when the person was met (done)."""

    done_on = forms.DateField(label=_("Date of the follow-up"), widget=DATE)
    mode = forms.ChoiceField(label=_("How"), choices=FollowUp.Mode.choices, widget=forms.RadioSelect)
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (FollowUp.Status.DONE, _("Person met")),
            (FollowUp.Status.MISSED, FollowUp.Status.MISSED.label),
        ],
        widget=forms.RadioSelect,
        initial=FollowUp.Status.DONE,
    )
    activity_running = forms.ChoiceField(label=_("Activity running"), choices=YES_NO, required=False)
    income = forms.ChoiceField(label=_("Income"), choices=[("", "—"), *IncomeBand.choices], required=False)
    acceptance = forms.ChoiceField(
        label=_("Social acceptance"), choices=[("", "—"), *Acceptance.choices], required=False
    )
    security_incident = forms.ChoiceField(
        label=_("Security incident since the last follow-up"), choices=YES_NO, required=False
    )
    needs = forms.CharField(
        label=_("Needs"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("mode", "status"):  # radios take Bootstrap's check class, not a control's
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == FollowUp.Status.DONE:
            for name in ("activity_running", "income", "acceptance", "security_incident"):
                if not data.get(name):
                    self.add_error(name, _("Required when the person was met."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "done_on": data["done_on"],
            "mode": data["mode"],
            "status": data["status"],
            "activity_running": _yes_no(data.get("activity_running")),
            "income": data.get("income") or "",
            "acceptance": data.get("acceptance") or "",
            "security_incident": _yes_no(data.get("security_incident")),
            "needs": data.get("needs") or "",
        }


class MonthsField(forms.Field):
    """The months of the follow-ups, written "3, 6, 12"."""

    widget = forms.TextInput

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(m) for m in value)
        return value

    def to_python(self, value: Any) -> list[int]:
        parts = [p.strip() for p in str(value or "").replace(";", ",").split(",") if p.strip()]
        if not parts or not all(p.isdecimal() for p in parts):
            raise forms.ValidationError(_("Write the months as numbers separated by commas, like 3, 6, 12."))
        return sorted({int(p) for p in parts})


class ReintegrationRulesForm(forms.ModelForm[ReintegrationRules]):
    follow_up_months = MonthsField(
        label=_("Follow-ups (months after enrolment)"), help_text=_("For example: 3, 6, 12")
    )

    class Meta:
        model = ReintegrationRules
        fields = [
            "name",
            "version",
            "effective_from",
            "effective_to",
            "follow_up_months",
            "grace_days",
            "min_months",
            "activity_required",
            "acceptance_required",
            "no_incident_required",
        ]
        widgets = {"effective_from": DATE, "effective_to": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end <= start:
            self.add_error("effective_to", _("The period must end after it starts."))
        return data
