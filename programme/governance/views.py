"""Browser screens for the register of decisions and the roadmaps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import GOVERNANCE_EDIT_ROLES, GOVERNANCE_READ_ROLES, has_role, role_required
from core.decisions import linked_records
from core.errors import refusal_to
from core.forms import form_errors
from core.models import Body, Decision
from programme.governance import selectors, services
from programme.governance.forms import ActionForm, DecisionForm
from programme.governance.models import Roadmap, RoadmapAction

DECISIONS_PER_PAGE = 50


@role_required(*GOVERNANCE_READ_ROLES)
def decision_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    decisions = Decision.objects.all()
    body = request.GET.get("body", "")
    if body in Body.values:
        decisions = decisions.filter(body=body)
    context = {
        "page": Paginator(decisions, DECISIONS_PER_PAGE).get_page(request.GET.get("page")),
        "bodies": Body.choices,
        "body": body,
        "can_edit": has_role(request.user, GOVERNANCE_EDIT_ROLES),
    }
    return render(request, "programme/governance/decision_list.html", context)


@role_required(*GOVERNANCE_EDIT_ROLES)
def decision_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "minutes"}
        with refusal_to(form):
            decision = services.decision_record(
                by=request.user, minutes=form.cleaned_data.get("minutes") or None, **values
            )
            messages.success(request, _("Decision recorded."))
            return redirect("programme:decision-detail", pk=decision.pk)
    return render(request, "programme/governance/decision_new.html", {"form": form})


@role_required(*GOVERNANCE_READ_ROLES)
def decision_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(Decision.objects.select_related("recorded_by"), pk=pk)
    context = {"decision": decision, "linked": linked_records(decision)}
    return render(request, "programme/governance/decision_detail.html", context)


@role_required(*GOVERNANCE_READ_ROLES)
def decision_minutes(request: AuthenticatedHttpRequest, pk: int) -> Any:  # a streamed FileResponse
    decision = get_object_or_404(Decision, pk=pk)
    if not decision.minutes:
        raise Http404
    name = decision.minutes.name.rsplit("/", 1)[-1]
    return FileResponse(decision.minutes.open("rb"), as_attachment=True, filename=name)


@role_required(*GOVERNANCE_READ_ROLES)
def roadmap_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "programme/governance/roadmap_list.html", {"progress": selectors.roadmap_progress()}
    )


@role_required(*GOVERNANCE_READ_ROLES)
def roadmap_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roadmap = get_object_or_404(Roadmap.objects.select_related("decision"), pk=pk)
    actions = roadmap.actions.all()
    if request.GET.get("overdue"):
        actions = actions.filter(overdue=True)
    can_edit = has_role(request.user, GOVERNANCE_EDIT_ROLES)
    context = {
        "roadmap": roadmap,
        # Each row's form shows where the action stands; no ids (one form per row).
        "rows": [
            (
                a,
                ActionForm(
                    initial={"status": a.status, "done_on": a.done_on, "evidence": a.evidence}, auto_id=False
                )
                if can_edit
                else None,
            )
            for a in actions
        ],
        "overdue_only": bool(request.GET.get("overdue")),
        "can_edit": can_edit,
    }
    return render(request, "programme/governance/roadmap_detail.html", context)


@role_required(*GOVERNANCE_EDIT_ROLES)
@require_POST
def action_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(RoadmapAction.objects.select_related("roadmap"), pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Action not updated: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.action_update(action=action, by=request.user, **form.cleaned_data)
            messages.success(request, _("Action updated."))
    return redirect(
        reverse("programme:roadmap-detail", args=[action.roadmap_id]) + f"#action-{action.number}"
    )
