"""Browser screens for integration: units with the one-third figures, members, command, patrols,
desertions; cohorts from medical screening to a BATFAR unit; targets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import (
    ALL_ROLES,
    CASE_ROLES,
    MASTER_DATA_EDIT_ROLES,
    REGISTER_ROLES,
    has_role,
    role_required,
)
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import CHOOSE, DATE, StyledForm, decision_field, form_errors, style_fields
from core.http import redirect_next
from core.masterdata import edit_page, show_on
from core.models import Decision, Region
from core.suppression import for_analyst, is_period_end, period_end, period_start
from ddr.models import Category, Combatant
from ddr.registration.selectors import Scope
from integration import rules, selectors, services
from integration.models import (
    Candidate,
    Cohort,
    Corps,
    Intake,
    IntegrationTarget,
    Membership,
    Party,
    Placement,
    Step,
    Structure,
    Unit,
)
from integration.models.cohorts import Education

INTEGRATION_ROLES = REGISTER_ROLES


def _today() -> dt.date:
    return timezone.localdate()


class MemberForm(StyledForm, forms.Form):
    registration_number = forms.CharField(
        label=gettext_lazy("Registration number (ex-combatant)"), required=False
    )
    service_number = forms.CharField(label=gettext_lazy("Service number (national forces)"), required=False)
    name = forms.CharField(label=gettext_lazy("Name"), required=False)
    party = forms.ChoiceField(label=gettext_lazy("Party"), choices=Party.choices)
    rank = forms.CharField(label=gettext_lazy("Rank"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), initial=_today, widget=DATE)


class LeaveForm(StyledForm, forms.Form):
    row_form = True  # on each member's row
    end = forms.DateField(label=gettext_lazy("Left on"), initial=_today, widget=DATE)
    leaving = forms.ChoiceField(label=gettext_lazy("Reason"), choices=Membership.Leaving.choices[1:])
    circumstances = forms.CharField(label=gettext_lazy("Circumstances"), required=False)


class PatrolForm(StyledForm, forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), initial=_today, widget=DATE)
    incidents = forms.CharField(label=gettext_lazy("Incidents"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for party, label in Party.choices:
            self.fields[f"planned_{party}"] = forms.IntegerField(
                label=_("%(p)s planned") % {"p": label}, min_value=0, initial=0
            )
            self.fields[f"present_{party}"] = forms.IntegerField(
                label=_("%(p)s present") % {"p": label}, min_value=0, initial=0
            )
        style_fields(self, small=True)  # the per-party fields are added after the mixin styled the rest


class CandidateForm(StyledForm, forms.Form):
    registration_number = forms.CharField(label=gettext_lazy("Registration number"))
    years_of_service = forms.IntegerField(label=gettext_lazy("Years of service"), min_value=0, initial=0)
    education = forms.ChoiceField(label=gettext_lazy("Education"), choices=Education.choices)


class CohortForm(StyledForm, forms.ModelForm[Cohort]):
    class Meta:
        model = Cohort
        fields = ["name", "region", "training_partner", "training_start", "training_end", "target_unit"]
        widgets = {"training_start": DATE, "training_end": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("training_start"), data.get("training_end")
        if start and end and end < start:
            self.add_error("training_end", _("The training cannot end before it starts."))
        return data


class UnitForm(StyledForm, forms.ModelForm[Unit]):
    """A unit as national staff keep it; one that ends is dissolved (dated), never deleted."""

    class Meta:
        model = Unit
        fields = [
            "name",
            "kind",
            "region",
            "location",
            "parent_structure",
            "established",
            "dissolved",
            "interim_until",
            "authorised_strength",
        ]
        widgets = {"established": DATE, "dissolved": DATE, "interim_until": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        show_on(
            self,
            rules.unit_dates_problem(
                data.get("established"), data.get("dissolved"), data.get("interim_until")
            ),
        )
        return data


def _person(request: HttpRequest, number: str) -> Combatant | None:
    return Combatant.objects.for_user(request.user).filter(registration_number=number.strip().upper()).first()


# --- units --------------------------------------------------------------------------------


def _strength(party: str) -> Column:
    return Column(Party(party).label, lambda row: row[1].strength.get(party, 0) if row[1] else 0)


UNIT_COLUMNS = [
    Column(gettext_lazy("Name"), lambda row: row[0].name),
    Column(gettext_lazy("Type"), lambda row: row[0].get_kind_display()),
    Column(gettext_lazy("Region"), lambda row: row[0].region.name),
    Column(gettext_lazy("Garrison"), lambda row: row[0].location),
    Column(gettext_lazy("Authorised strength"), lambda row: row[0].authorised_strength),
    *[_strength(party) for party in Party.values],
    Column(
        gettext_lazy("One-third rule"),
        lambda row: "; ".join(d.message for d in row[1].deviations) if row[1] else "",
    ),
]
MEMBER_COLUMNS = [
    Column(gettext_lazy("Registration no."), "combatant.registration_number"),
    Column(gettext_lazy("Service number"), "service_number"),
    Column(gettext_lazy("Name"), lambda m: m.combatant.full_name if m.combatant else m.name),
    Column(gettext_lazy("Party"), "get_party_display"),
    Column(gettext_lazy("Role"), "get_role_display"),
    Column(gettext_lazy("Rank"), "rank"),
    Column(gettext_lazy("From"), "start"),
]
DESERTION_COUNT_COLUMNS = [
    Column(gettext_lazy("Unit"), "unit__name"),
    Column(gettext_lazy("Party"), lambda r: Party(r["party"]).label),
    Column(gettext_lazy("Desertions"), "n"),
]
DESERTER_COLUMNS = [
    Column(gettext_lazy("Date"), "end"),
    Column(gettext_lazy("Unit"), "unit.name"),
    Column(
        gettext_lazy("Member"), lambda m: m.combatant.registration_number if m.combatant else m.service_number
    ),
    Column(gettext_lazy("Circumstances"), "circumstances"),
]
COHORT_COLUMNS = [
    Column(gettext_lazy("Cohort"), "name"),
    Column(gettext_lazy("Region"), "region.name"),
    Column(gettext_lazy("Training start"), "training_start"),
    Column(gettext_lazy("Training end"), "training_end"),
    Column(gettext_lazy("BATFAR unit"), lambda c: str(c.target_unit or "")),
    Column(gettext_lazy("Candidates"), "n"),
    Column(gettext_lazy("Assigned"), "assigned"),
    Column(gettext_lazy("Redirected (unfit)"), "redirected"),
]
TARGET_COLUMNS = [
    Column(gettext_lazy("Target"), "target.name"),
    Column(gettext_lazy("Structure counted"), "target.get_structure_display"),
    Column(gettext_lazy("Movement"), lambda p: str(p.target.movement or "")),
    Column(gettext_lazy("Region"), lambda p: str(p.target.region or "")),
    Column(gettext_lazy("Deadline"), "target.deadline"),
    Column(gettext_lazy("Integrated"), "integrated"),
    Column(gettext_lazy("Target"), "target.number"),
]
CANDIDATE_COLUMNS = [
    Column(gettext_lazy("Registration no."), "combatant.registration_number"),
    Column(gettext_lazy("Name"), "combatant.family_name"),
    Column(gettext_lazy("Given name"), "combatant.given_name"),
    Column(gettext_lazy("Rank in the movement"), "combatant.rank_in_movement"),
    Column(gettext_lazy("Years of service"), "years_of_service"),
    Column(gettext_lazy("Education"), "get_education_display"),
    Column(gettext_lazy("Step"), "get_status_display"),
    Column(gettext_lazy("Army rank"), "army_rank"),
    Column(gettext_lazy("Unit"), "membership.unit.name"),
    Column(gettext_lazy("How the rank was given"), "rank_explanation"),
]


@role_required(*ALL_ROLES)
def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    units: QuerySet[Unit] = Unit.objects.for_user(request.user).select_related("region")
    # The home page's lines open here: units past their interim end, units deviating from the
    # one-third rule. Analysts filter on the deviations they are shown (the visible cells): the
    # stored check is judged on exact figures, which would tell of hidden cells.
    interim_only = bool(request.GET.get("interim_late"))
    deviating_only = bool(request.GET.get("deviating"))
    analyst = for_analyst(request.user)
    if interim_only:
        units = selectors.interim_late(units, _today())
    if deviating_only and not analyst:
        units = selectors.deviating(units)
    listed = list(units)
    measured = _thirds(request, listed)
    rows = [(unit, measured.get(unit.pk)) for unit in listed]
    if deviating_only and analyst:
        rows = [(unit, t) for unit, t in rows if t and t.deviations]
    if exported := table_export(request, "unites", UNIT_COLUMNS, rows):
        return exported
    context = {
        "rows": rows,
        "parties": Party.choices,
        "can_edit": has_role(request.user, MASTER_DATA_EDIT_ROLES),
        "interim_only": interim_only,
        "deviating_only": deviating_only,
    }
    return render(request, "integration/unit_list.html", context)


@role_required(*MASTER_DATA_EDIT_ROLES)
def unit_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    unit = _unit(request, pk) if pk else None
    form = UnitForm(request.POST or None, instance=unit)
    return edit_page(
        request,
        form=form,
        save=lambda values: services.unit_save(unit=unit, by=request.user, **values),
        title=_("Change the unit %(name)s") % {"name": unit.name} if unit else _("New unit"),
        back=unit.get_absolute_url() if unit else reverse("integration:unit-list"),
        record=unit,
        intro=_(
            "A MOC unit is an interim measure: give the date it was meant to end, it is flagged once past it."
        ),
    )


def _thirds(request: HttpRequest, units: list[Unit]) -> dict[int, services.Thirds]:
    """Today's figures for staff; for analysts, the last period's end, from visible cells only."""
    if for_analyst(request.user):
        return services.thirds(units, services.analyst_day(), suppressed=True)
    return services.thirds(units)


def _unit(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.for_user(request.user).select_related("region"), pk=pk)


@role_required(*ALL_ROLES)
def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    user = request.user
    sees_people = user.role in CASE_ROLES
    today = timezone.localdate()
    # Members the user may see (soldiers of the national forces: by the unit's region); the
    # strength and the one-third figures count everyone.
    members = (
        Membership.objects.for_user(user)
        .filter(unit=unit)
        .active_on(today)
        .select_related("combatant")
        .order_by("-role", "party", "name")
        if sees_people
        else None
    )
    if members is not None and (
        exported := table_export(request, f"unite-{unit.pk}", MEMBER_COLUMNS, members, identity=True)
    ):
        return exported
    analyst = for_analyst(user)
    # Analysts: no patrols (who was out on a day) and the checks of period ends only, as visible.
    patrols = [] if analyst else list(unit.patrols.order_by("-on")[:60])
    checks: Any = unit.compliance.order_by("-day")[:30]
    if analyst:
        ends = [day for day in unit.compliance.values_list("day", flat=True) if is_period_end(day)]
        shown = unit.compliance.filter(day__in=ends).order_by("-day")[:12]
        checks = [_as_analyst_reads(check) for check in shown]
    party_labels = {code: str(label) for code, label in Party.choices}
    context = {
        "unit": unit,
        "thirds": _thirds(request, [unit]).get(unit.pk),
        "analyst": analyst,
        "parties": Party.choices,
        "checks": [
            (check, [rules.deviation_label(code, party_labels) for code in check.deviations])
            for check in checks
        ],
        "members": members,
        "sees_people": sees_people,
        "can_edit": user.role in INTEGRATION_ROLES,
        "can_edit_unit": has_role(user, MASTER_DATA_EDIT_ROLES),
        "member_form": MemberForm(),
        "leave_form": LeaveForm(auto_id=False),
        "patrol_form": PatrolForm(),
        "patrols": patrols[:10],
        "absence": sorted(services.absenteeism(patrols).items()),
        "labels": dict(Party.choices),
    }
    return render(request, "integration/unit_detail.html", context)


def _as_analyst_reads(check: Any) -> Any:
    shown = services.visible_check(check)
    check.strength, check.command = shown.strength, shown.command
    check.deviations, check.compliant = [d.code for d in shown.deviations], not shown.deviations
    return check


@role_required(*INTEGRATION_ROLES)
@require_POST
def unit_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Member not added: %(errors)s") % {"errors": form_errors(form)})
        return redirect("integration:unit-detail", pk=pk)
    data = form.cleaned_data
    person = _person(request, data["registration_number"]) if data["registration_number"] else None
    if data["registration_number"] and person is None:
        messages.error(
            request, _("No registered person %(n)s in your scope.") % {"n": data["registration_number"]}
        )
        return redirect("integration:unit-detail", pk=pk)
    with refusal_to(request):
        services.membership_start(
            unit=unit,
            party=data["party"],
            start=data["start"],
            by=request.user,
            person=person,
            service_number=data["service_number"],
            name=data["name"],
            rank=data["rank"],
        )
        messages.success(request, _("Member added."))
    return redirect("integration:unit-detail", pk=pk)


def _membership(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.for_user(request.user).select_related("unit"), pk=pk)


@role_required(*INTEGRATION_ROLES)
@require_POST
def membership_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not recorded: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.membership_end(membership=membership, by=request.user, **form.cleaned_data)
            messages.success(request, _("Departure recorded."))
    return redirect("integration:unit-detail", pk=membership.unit_id)


@role_required(*INTEGRATION_ROLES)
@require_POST
def membership_command(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    membership = _membership(request, int(request.POST.get("membership", "0") or 0))
    with refusal_to(request):
        services.command_give(
            unit=unit, membership=membership, by=request.user, rank=request.POST.get("rank", "")
        )
        messages.success(request, _("Command position given."))
    return redirect("integration:unit-detail", pk=pk)


@role_required(*INTEGRATION_ROLES)
@require_POST
def unit_patrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    form = PatrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Patrol not recorded: %(errors)s") % {"errors": form_errors(form)})
        return redirect("integration:unit-detail", pk=pk)
    data = form.cleaned_data
    planned = {p: data[f"planned_{p}"] for p in Party.values if data[f"planned_{p}"]}
    present = {p: data[f"present_{p}"] for p in Party.values if data[f"present_{p}"]}
    with refusal_to(request):
        services.patrol_record(
            unit=unit,
            on=data["on"],
            planned=planned,
            present=present,
            incidents=data["incidents"],
            by=request.user,
        )
        messages.success(request, _("Patrol recorded."))
    return redirect("integration:unit-detail", pk=pk)


@role_required(*INTEGRATION_ROLES)
@require_POST
def compliance_now(request: AuthenticatedHttpRequest) -> HttpResponse:
    """On demand: the worker measures every unit today (the same job runs every morning)."""
    from integration.tasks import compliance_daily

    compliance_daily.delay()
    messages.success(request, _("The one-third check is running; the history updates in a moment."))
    return redirect_next(request, "integration:unit-list")


@role_required(*ALL_ROLES)
def desertions(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # Analysts read whole periods (`DDR_ANALYST_PERIOD_MONTHS`): by default, up to the end of this one.
    until = period_end(today)
    first = dt.date(2023, 9, 1)
    start = _date(request.GET.get("from"), period_start(first) if for_analyst(request.user) else first)
    end = _date(request.GET.get("to"), until if for_analyst(request.user) else today)
    # A period an analyst may not read is refused: a 400 that says why (core.middleware).
    counts = services.desertion_counts(request.user, start=start, end=end)
    left = Membership.objects.for_user(request.user).filter(
        leaving=Membership.Leaving.DESERTED, end__gte=start, end__lte=end
    )
    user = request.user
    rows = (
        left.select_related("unit", "combatant").order_by("-end")[:200] if user.role in CASE_ROLES else None
    )
    if exported := table_export(request, "desertions", DESERTION_COUNT_COLUMNS, counts):
        return exported
    if rows is not None and (
        exported := table_export(request, "deserteurs", DESERTER_COLUMNS, rows, identity=True, table="list")
    ):
        return exported
    context = {"counts": counts, "rows": rows, "start": start, "end": end, "labels": dict(Party.choices)}
    return render(request, "integration/desertions.html", context)


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


# --- cohorts ------------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def cohort_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    analyst = for_analyst(request.user)
    cohorts: Any = (
        Cohort.objects.for_user(request.user)
        .select_related("region", "target_unit")
        .annotate(
            n=Count("candidates"),
            assigned=Count("candidates", filter=_status(Candidate.Status.ASSIGNED)),
            redirected=Count("candidates", filter=_status(Candidate.Status.REDIRECTED)),
        )
    )
    if analyst:  # each cohort's counts from the visible cells of (cohort, step)
        cohorts = list(cohorts)
        counts = services.cohort_counts(cohorts, suppressed=True)
        for cohort in cohorts:
            steps = counts.get(cohort.pk, {})
            cohort.n = sum(steps.values())
            cohort.assigned = steps.get(Candidate.Status.ASSIGNED, 0)
            cohort.redirected = steps.get(Candidate.Status.REDIRECTED, 0)
    targets = services.target_progress(
        IntegrationTarget.objects.select_related("movement", "region"),
        suppressed=analyst,
        register=Scope(request.user).register if analyst else None,
    )
    if exported := table_export(request, "cohortes", COHORT_COLUMNS, cohorts):
        return exported
    if exported := table_export(request, "objectifs", TARGET_COLUMNS, targets, table="targets"):
        return exported
    user = request.user
    return render(
        request,
        "integration/cohort_list.html",
        {
            "cohorts": cohorts,
            "targets": targets,
            "form": CohortForm(),
            "can_edit": user.role in INTEGRATION_ROLES,
        },
    )


def _status(status: str) -> Q:
    return Q(candidates__status=status)


@role_required(*INTEGRATION_ROLES)
@require_POST
def cohort_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CohortForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cohort not created: %(errors)s") % {"errors": form_errors(form)})
        return redirect("integration:cohort-list")
    cohort = services.cohort_create(by=request.user, **form.cleaned_data)
    return redirect("integration:cohort-detail", pk=cohort.pk)


def _cohort(request: HttpRequest, pk: int) -> Cohort:
    return get_object_or_404(
        Cohort.objects.for_user(request.user).select_related("region", "target_unit"), pk=pk
    )


@role_required(*CASE_ROLES)
def cohort_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    # Candidates the user may see; the counts by step count everyone.
    candidates = (
        Candidate.objects.for_user(request.user)
        .filter(cohort=cohort)
        .select_related("combatant", "membership__unit")
        .order_by("status", "id")
    )
    what = f"cohorte-{cohort.pk}"
    if exported := table_export(request, what, CANDIDATE_COLUMNS, candidates, identity=True):
        return exported
    units = Unit.objects.for_user(request.user).exclude(kind=Unit.Kind.MOC)
    user = request.user
    context = {
        "cohort": cohort,
        "candidates": candidates,
        "counts": dict(cohort.candidates.values_list("status").annotate(n=Count("id"))),
        "statuses": Candidate.Status,
        "form": CandidateForm(),
        "units": units,
        "thirds": services.thirds([cohort.target_unit]).get(cohort.target_unit.pk)
        if cohort.target_unit is not None
        else None,
        "parties": Party.choices,
        "can_edit": user.role in INTEGRATION_ROLES,
        "today": timezone.localdate(),
    }
    return render(request, "integration/cohort_detail.html", context)


@role_required(*INTEGRATION_ROLES)
@require_POST
def cohort_candidate_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Candidate not added: %(errors)s") % {"errors": form_errors(form)})
        return redirect("integration:cohort-detail", pk=pk)
    person = _person(request, form.cleaned_data["registration_number"])
    if person is None:
        messages.error(
            request,
            _("No registered person %(n)s in your scope.") % {"n": form.cleaned_data["registration_number"]},
        )
        return redirect("integration:cohort-detail", pk=pk)
    with refusal_to(request):
        services.candidate_add(
            cohort=cohort,
            person=person,
            by=request.user,
            years_of_service=form.cleaned_data["years_of_service"],
            education=form.cleaned_data["education"],
        )
        messages.success(request, _("Candidate added."))
    return redirect("integration:cohort-detail", pk=pk)


@role_required(*INTEGRATION_ROLES)
@require_POST
def cohort_step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One button per step: medical fit/unfit, training start (all fit), training result, assignment."""
    cohort = _cohort(request, pk)
    action, on = request.POST.get("action", ""), _date(request.POST.get("on"), timezone.localdate())
    candidate = (
        Candidate.objects.for_user(request.user)
        .filter(cohort=cohort, pk=request.POST.get("candidate") or 0)
        .first()
    )
    with refusal_to(request):
        if action == "start_training":
            # Only the candidates this officer may see: not another region's, never a child's.
            fit = Candidate.objects.for_user(request.user).filter(cohort=cohort, status=Candidate.Status.FIT)
            n = services.training_start(candidates=fit, on=on, by=request.user)
            messages.success(request, _("%(n)s candidates started training.") % {"n": n})
        elif candidate is None:
            messages.error(request, _("Choose a candidate."))
        elif action in ("fit", "unfit"):
            services.candidate_medical(
                candidate=candidate,
                fit=action == "fit",
                on=on,
                examiner=request.POST.get("examiner", "") or "—",
                by=request.user,
            )
            messages.success(request, _("Medical result recorded."))
        elif action in ("passed", "failed"):
            services.training_end(candidate=candidate, on=on, passed=action == "passed", by=request.user)
            messages.success(request, _("Training result recorded."))
        elif action == "assign":
            unit = get_object_or_404(Unit.objects.for_user(request.user), pk=request.POST.get("unit") or 0)
            done = services.candidate_assign(
                candidate=candidate,
                unit=unit,
                on=on,
                by=request.user,
                rank=request.POST.get("rank", "").strip(),
                override_reason=request.POST.get("override_reason", ""),
            )
            # Defectors are recruited, not integrated (report 3.2.2).
            said = (
                _("Recruited into %(unit)s as %(rank)s.")
                if done.combatant.category == Category.DEFECTOR
                else _("Assigned to %(unit)s as %(rank)s.")
            )
            messages.success(request, said % {"unit": unit, "rank": done.army_rank})
        else:
            messages.error(request, _("Unknown step."))
    return redirect("integration:cohort-detail", pk=pk)


# --- pathways into the State --------------------------------------------------------------


class IntakeForm(StyledForm, forms.ModelForm[Intake]):
    decision = decision_field()

    class Meta:
        model = Intake
        fields = ["name", "structure", "corps", "administration", "region", "opened_on", "decision", "note"]
        widgets = {"opened_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class PlacementForm(StyledForm, forms.Form):
    registration_number = forms.CharField(label=gettext_lazy("Registration number"))
    on = forms.DateField(label=gettext_lazy("Proposed on"), initial=_today, widget=DATE)
    original_corps = forms.ChoiceField(
        label=gettext_lazy("Original corps (recall)"), choices=[CHOOSE, *Corps.choices], required=False
    )
    former_service_number = forms.CharField(
        label=gettext_lazy("Former service number (recall)"), max_length=30, required=False
    )


class DecisionChoiceMixin:
    """The register's decisions read once for every form of a page (a form per row would read
    them once per row): `decisions` are the choices, the cleaned value the Decision or None."""

    fields: dict[str, Any]

    def _decisions(self, decisions: list[tuple[str, str]] | None) -> None:
        if decisions is None:
            decisions = decision_choices()
        field = decision_field()
        self.fields["decision"] = forms.TypedChoiceField(
            label=field.label,
            help_text=field.help_text,
            choices=decisions,
            required=False,
            coerce=lambda pk: Decision.objects.filter(pk=pk).first(),
            empty_value=None,
        )


def decision_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((str(d.pk), str(d)) for d in Decision.objects.all())]


class PlacementStepForm(DecisionChoiceMixin, StyledForm, forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Next step"))
    on = forms.DateField(label=gettext_lazy("Date"), initial=_today, widget=DATE)
    decided_by = forms.CharField(label=gettext_lazy("Deciding body"), max_length=200, required=False)
    decision = forms.TypedChoiceField(required=False)
    corps = forms.ChoiceField(label=gettext_lazy("Corps"), choices=[CHOOSE, *Corps.choices], required=False)
    post = forms.CharField(label=gettext_lazy("Post"), max_length=200, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, placement: Placement, decisions: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._decisions(decisions)
        style_fields(self)
        nexts = rules.next_steps(placement.intake.structure, placement.status)
        self.fields["to"].choices = [(s, label) for s, label in Step.choices if s in nexts]


class ReclassificationForm(DecisionChoiceMixin, StyledForm, forms.Form):
    to_corps = forms.ChoiceField(label=gettext_lazy("New corps"), choices=[CHOOSE, *Corps.choices])
    on = forms.DateField(label=gettext_lazy("Date"), initial=_today, widget=DATE)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    decided_by = forms.CharField(label=gettext_lazy("Deciding body"), max_length=200, required=False)
    decision = forms.TypedChoiceField(required=False)

    def __init__(self, *args: Any, decisions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decisions(decisions)
        style_fields(self)


def _structure_steps(structure: str) -> list[tuple[str, str]]:
    """A structure's steps in the order a person goes through them, "not retained" last."""
    table = rules.PROCESSES[structure].table
    order = [rules.PROPOSED]
    while order[-1] in table:
        order.append(next(s for s in table[order[-1]] if s != rules.NOT_RETAINED))
    return [(s, str(Step(s).label)) for s in [*order, rules.NOT_RETAINED]]


@role_required(*ALL_ROLES)
def state_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every intake into the State by structure, with its people at each step: two queries,
    whatever the number of intakes. Analysts: the visible cells of (intake, step) only."""
    user = request.user
    intakes = list(Intake.objects.for_user(user).select_related("region"))
    counts = services.state_counts(intakes, user, suppressed=for_analyst(user))
    structures = []
    for structure, label in Structure.choices:
        steps = _structure_steps(structure)
        rows = [
            (intake, [counts.get(intake.pk, {}).get(s, 0) for s, _label in steps])
            for intake in intakes
            if intake.structure == structure
        ]
        totals = [sum(row[1][i] for row in rows) for i in range(len(steps))]
        structures.append((structure, label, steps, rows, totals))
    context = {
        "structures": structures,
        "form": IntakeForm(),
        "can_edit": user.role in INTEGRATION_ROLES,
        "sees_people": user.role in CASE_ROLES,
    }
    return render(request, "integration/state_list.html", context)


@role_required(*INTEGRATION_ROLES)
@require_POST
def state_intake_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Intake not created: %(errors)s") % {"errors": form_errors(form)})
        return redirect("integration:state-list")
    region = form.cleaned_data["region"]
    if not Region.objects.filter(pk=region.pk).filter(_own_region(request)).exists():
        messages.error(request, _("An officer opens intakes in their own region only."))
        return redirect("integration:state-list")
    with refusal_to(request):
        intake = services.intake_create(by=request.user, **form.cleaned_data)
        return redirect("integration:state-intake-detail", pk=intake.pk)
    return redirect("integration:state-list")


def _own_region(request: AuthenticatedHttpRequest) -> Q:
    user = request.user
    return Q(pk=user.region_id) if user.role == Role.REGIONAL_OFFICER else Q()


def _intake(request: HttpRequest, pk: int) -> Intake:
    return get_object_or_404(
        Intake.objects.for_user(request.user).select_related("region", "decision"), pk=pk
    )


@role_required(*CASE_ROLES)
def state_intake_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = _intake(request, pk)
    user = request.user
    placements = list(
        Placement.objects.for_user(user)
        .filter(intake=intake)
        .select_related("combatant", "intake")
        .prefetch_related("steps__decision", "reclassifications")
        .order_by("status", "id")
    )
    counts = services.state_counts([intake], user).get(intake.pk, {})
    can_edit = user.role in INTEGRATION_ROLES
    decisions = decision_choices() if can_edit else []
    rows = [
        (
            p,
            PlacementStepForm(placement=p, prefix=f"p{p.pk}", decisions=decisions)
            if can_edit and not _ended(p)
            else None,
        )
        for p in placements
    ]
    context = {
        "intake": intake,
        "rows": rows,
        "step_counts": [(label, counts.get(s, 0)) for s, label in _structure_steps(intake.structure)],
        "form": PlacementForm(),
        "reclassify_form": ReclassificationForm(prefix="r", decisions=decisions),
        "can_edit": can_edit,
        "recall": intake.structure == Structure.RECALL,
    }
    return render(request, "integration/state_intake_detail.html", context)


def _ended(placement: Placement) -> bool:
    return not rules.next_steps(placement.intake.structure, placement.status)


@role_required(*INTEGRATION_ROLES)
@require_POST
def state_placement_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = _intake(request, pk)
    form = PlacementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Person not added: %(errors)s") % {"errors": form_errors(form)})
        return redirect("integration:state-intake-detail", pk=pk)
    data = form.cleaned_data
    person = _person(request, data["registration_number"])
    if person is None:
        messages.error(
            request, _("No registered person %(n)s in your scope.") % {"n": data["registration_number"]}
        )
        return redirect("integration:state-intake-detail", pk=pk)
    with refusal_to(request):
        services.placement_add(
            intake=intake,
            person=person,
            by=request.user,
            on=data["on"],
            original_corps=data["original_corps"],
            former_service_number=data["former_service_number"],
        )
        messages.success(request, _("Person proposed."))
    return redirect("integration:state-intake-detail", pk=pk)


def _placement(request: HttpRequest, pk: int) -> Placement:
    """A placement the reader may see (its person), in an intake of their region."""
    rows = Placement.objects.for_user(request.user).filter(intake__in=Intake.objects.for_user(request.user))
    return get_object_or_404(rows.select_related("intake", "combatant"), pk=pk)


@role_required(*INTEGRATION_ROLES)
@require_POST
def state_placement_step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = _placement(request, pk)
    form = PlacementStepForm(request.POST, placement=placement, prefix=f"p{placement.pk}")
    if not form.is_valid():
        messages.error(request, _("Step not recorded: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            done = services.placement_advance(placement=placement, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("%(who)s: %(step)s.")
                % {"who": done.combatant.registration_number, "step": done.get_status_display()},
            )
    return redirect("integration:state-intake-detail", pk=placement.intake_id)


@role_required(*INTEGRATION_ROLES)
@require_POST
def state_reclassify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = _placement(request, pk)
    form = ReclassificationForm(request.POST, prefix="r")
    if not form.is_valid():
        messages.error(
            request, _("Reclassification not recorded: %(errors)s") % {"errors": form_errors(form)}
        )
    else:
        with refusal_to(request):
            services.reclassify(person=placement.combatant, by=request.user, **form.cleaned_data)
            messages.success(request, _("Reclassification recorded."))
    return redirect("integration:state-intake-detail", pk=placement.intake_id)
