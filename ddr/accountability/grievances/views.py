"""Grievance screens: the list (filters, counts), receiving one, and its page with the forms of
each step. Every grievance is read through `selectors.grievances_for` (for_user): out of scope, 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User
from accounts.permissions import GRIEVANCE_ROLES, role_required
from core.errors import refusal_to
from core.pagination import CappedPaginator
from ddr.accountability.grievances import selectors, services
from ddr.accountability.grievances.forms import (
    AcknowledgeForm,
    AssignForm,
    CloseForm,
    GrievanceFilter,
    GrievanceForm,
    ReferForm,
    ReopenForm,
    ResolveForm,
)
from ddr.accountability.grievances.models import Channel, Grievance, GrievanceCategory

St = Grievance.Status


@role_required(*GRIEVANCE_ROLES)
def grievance_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GrievanceFilter(request.GET or None, regional=request.user.role == Role.REGIONAL_OFFICER)
    rows = form.apply(selectors.grievances_for(request.user))
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    figures = selectors.figures(request.user)
    context = {
        "page": page,
        "filter": form,
        "query": query.urlencode(),
        "by_status": selectors.labelled(figures["by_status"], "status", dict(St.choices)),
        "by_category": selectors.labelled(
            figures["by_category"], "category", dict(GrievanceCategory.choices)
        ),
        "by_channel": selectors.labelled(figures["by_channel"], "channel", dict(Channel.choices)),
        "figures": figures,
        "opens_register": selectors.opens_register(request.user),
    }
    return render(request, "ddr/accountability/grievance_list.html", context)


@role_required(*GRIEVANCE_ROLES)
def grievance_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GrievanceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            grievance = services.grievance_receive(by=request.user, **form.service_kwargs())
            messages.success(request, _("Grievance %(ref)s received.") % {"ref": grievance.reference})
            if selectors.may_read(request.user, grievance):
                return redirect("ddr:grievance-detail", pk=grievance.pk)
            messages.info(
                request,
                _("It is confidential: it goes to the protection focal point; you will not see it again."),
            )
            return redirect("ddr:grievance-list")
    return render(
        request, "ddr/accountability/grievance_new.html", {"form": form}, status=400 if form.errors else 200
    )


ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Grievance], str]] = {
    "accuser": (AcknowledgeForm, services.grievance_acknowledge, "acknowledge"),
    "attribuer": (AssignForm, services.grievance_assign, "assign"),
    "orienter": (ReferForm, services.grievance_refer, "refer"),
    "repondre": (ResolveForm, services.grievance_resolve, "resolve"),
    "rouvrir": (ReopenForm, services.grievance_reopen, "reopen"),
    "cloturer": (CloseForm, services.grievance_close, "close"),
}


def _forms(grievance: Grievance, bound: tuple[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    """The forms of the steps the grievance may take now (an assignment while it is open)."""
    nexts = {
        "accuser": St.ACKNOWLEDGED,
        "orienter": St.REFERRED,
        "repondre": St.RESOLVED,
        "rouvrir": St.REOPENED,
        "cloturer": St.CLOSED,
    }
    from ddr.accountability.grievances import rules as R

    shown: dict[str, forms.Form] = {}
    for slug, (form_class, _service, name) in ACTIONS.items():
        if slug == "attribuer":
            if not grievance.is_open:
                continue
        elif not R.may_go(grievance.status, nexts[slug]):
            continue
        if bound and bound[0] == slug:
            shown[name] = bound[1]
        elif form_class is AssignForm:
            shown[name] = AssignForm(grievance=grievance, prefix=name)
        else:
            shown[name] = form_class(prefix=name)
    return shown


def _detail(request: AuthenticatedHttpRequest, grievance: Grievance, bound: Any = None) -> HttpResponse:
    user: User = request.user
    context = {
        "g": grievance,
        "events": list(grievance.events.select_related("by")),
        "forms": _forms(grievance, bound),
        "complainant_shown": selectors.person_shown(grievance, grievance.complainant_person, user),
        "subject_shown": selectors.person_shown(grievance, grievance.subject_person, user),
        "opens_register": selectors.opens_register(user),
    }
    status = 400 if bound and bound[1].errors else 200
    return render(request, "ddr/accountability/grievance_detail.html", context, status=status)


@role_required(*GRIEVANCE_ROLES)
def grievance_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(selectors.grievances_for(request.user), pk=pk))


@role_required(*GRIEVANCE_ROLES)
@require_POST
def grievance_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    grievance = get_object_or_404(selectors.grievances_for(request.user), pk=pk)
    if action not in ACTIONS:
        raise Http404
    form_class, service, name = ACTIONS[action]
    form: forms.Form
    if form_class is AssignForm:
        form = AssignForm(request.POST, grievance=grievance, prefix=name)
    else:
        form = form_class(request.POST, prefix=name)
    if form.is_valid():
        with refusal_to(form):
            service(grievance=grievance, by=request.user, **form.cleaned_data)
            messages.success(request, _("Done."))
            return redirect("ddr:grievance-detail", pk=grievance.pk)
    return _detail(request, grievance, (action, form))
