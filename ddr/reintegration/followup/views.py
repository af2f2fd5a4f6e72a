"""Follow-up screens: the list of visits (due, overdue, done), recording one, a dropout, and the
versioned reintegration rules (list, detail, edit a draft, activate)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import REINTEGRATION_ROLES, has_role, role_required
from core.errors import refusal_to
from core.exports import Column, table_export
from core.http import redirect_next
from core.models import Region
from core.pagination import CappedPaginator
from ddr.reintegration.followup import rules as R
from ddr.reintegration.followup import selectors, services
from ddr.reintegration.followup.forms import (
    FollowUpFilter,
    FollowUpForm,
    ReintegrationRulesForm,
)
from ddr.reintegration.followup.models import FollowUp, ReintegrationRules
from ddr.reintegration.packages.models import Enrolment

# The rules are agreed nationally: national staff and administrators manage them; every
# reintegration officer reads them (they say when a person counts as reintegrated).
RULES_EDIT_ROLES: frozenset[str] = frozenset({Role.COMMISSION_OFFICER, Role.ADMINISTRATOR})

FOLLOW_UP_COLUMNS = [
    Column(gettext_lazy("Registration no."), "combatant.registration_number"),
    Column(gettext_lazy("Name"), "combatant.family_name"),
    Column(gettext_lazy("Given name"), "combatant.given_name"),
    Column(gettext_lazy("Region"), "combatant.region.name"),
    Column(gettext_lazy("Package"), "enrolment.package"),
    Column(gettext_lazy("Month"), "month"),
    Column(gettext_lazy("Due on"), "due_on"),
    Column(gettext_lazy("Overdue"), "overdue"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Done on"), "done_on"),
    Column(gettext_lazy("How"), "get_mode_display"),
    Column(gettext_lazy("Activity running"), "activity_running"),
    Column(gettext_lazy("Income"), "get_income_display"),
    Column(gettext_lazy("Social acceptance"), "get_acceptance_display"),
    Column(gettext_lazy("Security incident"), "security_incident"),
    Column(gettext_lazy("Needs"), "needs"),
]
PLANNED, DONE = FollowUp.Status.PLANNED, (FollowUp.Status.DONE, FollowUp.Status.MISSED)


def _filtered(follow_ups: QuerySet[FollowUp], show: str, region: Region | None) -> QuerySet[FollowUp]:
    if show == "soon":
        follow_ups = selectors.due_soon(follow_ups, timezone.localdate())
    elif show == "due":
        follow_ups = follow_ups.filter(status=PLANNED, overdue=False)
    elif show == "overdue":
        follow_ups = follow_ups.filter(status=PLANNED, overdue=True)
    elif show == "done":
        follow_ups = follow_ups.filter(status__in=DONE).order_by("-done_on", "-id")
    if region is not None:
        follow_ups = follow_ups.filter(combatant__region=region)
    return follow_ups


@role_required(*REINTEGRATION_ROLES)
def follow_up_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    regional = request.user.role == Role.REGIONAL_OFFICER
    form = FollowUpFilter(request.GET or None, regional=regional)
    show, region = "due", None
    if form.is_valid():
        show, region = form.cleaned_data["show"] or "due", form.cleaned_data.get("region")
    follow_ups = _filtered(selectors.follow_ups_for(request.user), show, region)
    if exported := table_export(request, "suivis", FOLLOW_UP_COLUMNS, follow_ups, identity=True):
        return exported
    page = CappedPaginator(follow_ups, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filter": form, "show": show, "query": query.urlencode()}
    return render(request, "ddr/reintegration/follow_up_list.html", context)


@role_required(*REINTEGRATION_ROLES)
@require_POST
def follow_ups_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plan now (the daily job does it too) the follow-ups of the enrolments the officer sees."""
    planned = services.follow_ups_plan(
        enrolment_ids=Enrolment.objects.for_user(request.user).values("pk"),
        on=timezone.localdate(),
        by=request.user,
    )
    messages.success(request, _("%(n)s follow-ups planned.") % {"n": planned})
    return redirect_next(request, "ddr:follow-up-list")


@role_required(*REINTEGRATION_ROLES)
def follow_up_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(selectors.follow_ups_for(request.user), pk=pk)
    form = FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            recorded = services.follow_up_record(
                follow_up=follow_up, by=request.user, **form.service_kwargs()
            )
            _say(request, recorded)
            return redirect_next(request, "ddr:follow-up-list")
    rules = R.Rules.of(selectors.rules_in_force(timezone.localdate()))
    context = {
        "form": form,
        "follow_up": follow_up,
        "conditions": R.conditions(rules),
        "rules": rules,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(
        request, "ddr/reintegration/follow_up_record.html", context, status=400 if form.errors else 200
    )


def _say(request: AuthenticatedHttpRequest, recorded: services.Recorded) -> None:
    """What the recording led to: reintegrated, or why not (yet)."""
    person = recorded.follow_up.combatant
    if recorded.verdict is None:
        messages.warning(request, _("Follow-up recorded: the person was not found."))
    elif recorded.reintegrated:
        messages.success(
            request,
            _("Follow-up recorded. %(who)s is now reintegrated (rules %(rules)s).")
            % {"who": person.registration_number, "rules": recorded.verdict.rules},
        )
    elif recorded.verdict.reintegrated:
        messages.info(
            request,
            _(
                "Follow-up recorded. The rules are met, but %(who)s is “%(status)s”, not in reinsertion: "
                "the status stays."
            )
            % {"who": person.registration_number, "status": person.get_status_display()},
        )
    else:
        messages.info(
            request,
            _("Follow-up recorded. %(who)s is not reintegrated yet: %(why)s")
            % {"who": person.registration_number, "why": " ".join(recorded.explanation)},
        )


@role_required(*REINTEGRATION_ROLES)
# --- the rules ----------------------------------------------------------------------------


@role_required(*REINTEGRATION_ROLES)
def rules_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "versions": ReintegrationRules.objects.all(),
        "in_force": selectors.rules_in_force(timezone.localdate()),
        "can_edit": has_role(request.user, RULES_EDIT_ROLES),
    }
    return render(request, "ddr/reintegration/rules_list.html", context)


@role_required(*RULES_EDIT_ROLES)
@require_POST
def rules_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new draft starts as a copy of the rules in force (or the defaults)."""
    draft = services.reintegration_rules_draft_from(
        selectors.rules_in_force(timezone.localdate()), by=request.user
    )
    return redirect("ddr:reintegration-rules-edit", pk=draft.pk)


@role_required(*REINTEGRATION_ROLES)
def rules_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ReintegrationRules, pk=pk)
    draft = version.status == ReintegrationRules.Status.DRAFT
    context = {
        "version": version,
        "conditions": R.conditions(R.Rules.of(version)),
        "problems": services.rules_problems(version) if draft else [],
        "can_edit": draft and has_role(request.user, RULES_EDIT_ROLES),
    }
    return render(request, "ddr/reintegration/rules_detail.html", context)


@role_required(*RULES_EDIT_ROLES)
def rules_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ReintegrationRules, pk=pk, status=ReintegrationRules.Status.DRAFT)
    form = ReintegrationRulesForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.reintegration_rules_save(rules=form.save(commit=False), by=request.user)
            messages.success(request, _("Draft saved."))
            return redirect("ddr:reintegration-rules-detail", pk=version.pk)
    return render(
        request,
        "ddr/reintegration/rules_edit.html",
        {"form": form, "version": version},
        status=400 if form.errors else 200,
    )


@role_required(*RULES_EDIT_ROLES)
@require_POST
def rules_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ReintegrationRules, pk=pk)
    with refusal_to(request):
        services.reintegration_rules_activate(rules=version, by=request.user)
        messages.success(request, _("Rules activated."))
    return redirect("ddr:reintegration-rules-detail", pk=version.pk)
