"""Appeals: the list (by status, decision, region), one appeal with its hearing and decision, and
filing from the person's page or a list's. Thin views, each calling one service; every appeal
through the user's scope (out of scope: 404)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import has_role, role_required
from core.audit import history_of
from core.errors import refusal_to
from core.forms import form_errors
from ddr.accountability.appeals import selectors, services
from ddr.accountability.appeals.forms import (
    AppealForm,
    DecideForm,
    FilterForm,
    ListAppealForm,
    ScheduleForm,
    WithdrawForm,
)
from ddr.accountability.appeals.models import Appeal
from ddr.lists.models import SubmittedList
from ddr.registration.models import Combatant

FILE, DECIDE = sorted(selectors.FILE_ROLES), selectors.DECIDE_ROLES


def _appeal_for(request: AuthenticatedHttpRequest, pk: int) -> Appeal:
    return get_object_or_404(selectors.appeals_for(request.user), pk=pk)


@role_required(*FILE)
def appeal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    appeals = selectors.appeals_for(request.user)
    filters = FilterForm(request.GET or None)
    query = ""
    if filters.is_valid():
        data = {k: v for k, v in filters.cleaned_data.items() if v}
        if "status" in data:
            appeals = appeals.filter(status=data["status"])
        if "kind" in data:
            appeals = appeals.filter(kind=data["kind"])
        if "region" in data:
            appeals = appeals.filter(region=data["region"])
        query = urlencode({k: getattr(v, "pk", v) for k, v in data.items()})
    page = Paginator(appeals, 50).get_page(request.GET.get("page"))
    return render(
        request, "ddr/accountability/appeal_list.html", {"page": page, "filters": filters, "query": query}
    )


@role_required(*FILE)
def appeal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal_for(request, pk)
    may_decide = has_role(request.user, DECIDE) and appeal.is_open
    context = {
        "appeal": appeal,
        "contested": selectors.value_label(appeal.kind, appeal.contested_value),
        "new_decision": selectors.value_label(appeal.kind, appeal.new_value) if appeal.new_value else "",
        "may_decide": may_decide,
        "schedule_form": ScheduleForm(
            initial={"hearing_on": appeal.hearing_on, "deciding_body": appeal.deciding_body}
        ),
        "decide_form": DecideForm(kind=appeal.kind),
        "withdraw_form": WithdrawForm(),
        "history": history_of(appeal),
    }
    return render(request, "ddr/accountability/appeal_detail.html", context)


def _back(appeal: Appeal) -> HttpResponse:
    return redirect("ddr:appeal-detail", pk=appeal.pk)


def _refused_form(
    request: AuthenticatedHttpRequest, appeal: Appeal, form: ScheduleForm | DecideForm | WithdrawForm
) -> HttpResponse:
    """The detail page again, with the refused form and its errors (400)."""
    context = {
        "appeal": appeal,
        "contested": selectors.value_label(appeal.kind, appeal.contested_value),
        "may_decide": has_role(request.user, DECIDE) and appeal.is_open,
        "schedule_form": form if isinstance(form, ScheduleForm) else ScheduleForm(),
        "decide_form": form if isinstance(form, DecideForm) else DecideForm(kind=appeal.kind),
        "withdraw_form": form if isinstance(form, WithdrawForm) else WithdrawForm(),
        "history": history_of(appeal),
    }
    return render(request, "ddr/accountability/appeal_detail.html", context, status=400)


@require_POST
@role_required(*DECIDE)
def appeal_schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal_for(request, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        with refusal_to(form):
            services.appeal_schedule(appeal=appeal, by=request.user, **form.cleaned_data)
            messages.success(request, _("Hearing scheduled."))
            return _back(appeal)
    return _refused_form(request, appeal, form)


@require_POST
@role_required(*DECIDE)
def appeal_hear(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal_for(request, pk)
    with refusal_to(request):
        services.appeal_hear(appeal=appeal, by=request.user)
        messages.success(request, _("Hearing recorded as held."))
    return _back(appeal)


@require_POST
@role_required(*DECIDE)
def appeal_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal_for(request, pk)
    form = DecideForm(request.POST, kind=appeal.kind)
    if form.is_valid():
        with refusal_to(form):
            decided = services.appeal_decide(appeal=appeal, by=request.user, **form.cleaned_data)
            messages.success(
                request, _("Appeal decided: %(outcome)s.") % {"outcome": decided.get_status_display()}
            )
            return _back(appeal)
    return _refused_form(request, appeal, form)


@require_POST
@role_required(*FILE)
def appeal_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal_for(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        with refusal_to(form):
            services.appeal_withdraw(appeal=appeal, by=request.user, **form.cleaned_data)
            messages.success(request, _("Appeal withdrawn."))
            return _back(appeal)
    return _refused_form(request, appeal, form)


@require_POST
@role_required(*FILE)
def person_appeal_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Filed from the person's page: one of their decisions contested."""
    person = get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)
    appeals = list(
        selectors.appeals_for(request.user)
        .filter(Q(combatant=person) | Q(merge__kept=person) | Q(merge__absorbed=person))
        .distinct()
    )
    form = AppealForm(request.POST, decisions=selectors.decisions_of(person, appeals))
    if form.is_valid():
        kind, decision = form.kind_and_id()
        with refusal_to(form):
            appeal = services.appeal_file(
                kind=kind,
                decision=decision,
                person=person,
                grounds=form.cleaned_data["grounds"],
                filed_on=form.cleaned_data["filed_on"],
                deciding_body=form.cleaned_data["deciding_body"],
                by=request.user,
            )
            messages.success(request, _("Appeal filed."))
            return redirect("ddr:appeal-detail", pk=appeal.pk)
    messages.error(request, form_errors(form))
    return redirect(f"{reverse('ddr:person-detail', args=[person.pk])}?tab=accountability#accountability")


@require_POST
@role_required(*selectors.LIST_ROLES)
def list_appeal_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Filed from a list's page: the movement contests the list's status."""
    submitted = get_object_or_404(SubmittedList, pk=pk)
    form = ListAppealForm(request.POST)
    if form.is_valid():
        with refusal_to(form):
            appeal = services.appeal_file(
                kind=Appeal.Kind.LIST_STATUS, decision=submitted.pk, by=request.user, **form.cleaned_data
            )
            messages.success(request, _("Appeal filed for the movement."))
            return redirect("ddr:appeal-detail", pk=appeal.pk)
    messages.error(request, form_errors(form))
    return redirect("ddr:list-detail", pk=submitted.pk)
