"""Browser screens: a person's choice (from their page) and profile, and the opportunity map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import REINTEGRATION_ROLES, role_required
from core.errors import refusal_to
from core.forms import form_errors
from core.models import Region
from ddr.registration.models import Combatant
from ddr.reintegration.profiles import selectors, services
from ddr.reintegration.profiles.forms import ChoiceForm, OpportunityForm, ProfileForm
from ddr.reintegration.profiles.models import Opportunity, Profile, Trade


def _person(request: HttpRequest, pk: int) -> Combatant:
    # Scoped: another region's person, or a child, is not found.
    return get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("ddr:person-detail", args=[pk]) + "?tab=reintegration")


@role_required(*REINTEGRATION_ROLES)
@require_POST
def choice_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choice not recorded: %(errors)s") % {"errors": form_errors(form)})
        return _back(pk)
    with refusal_to(request):
        choice = services.choice_record(person=person, by=request.user, **form.cleaned_data)
        person.refresh_from_db()
        if person.choice != choice.option:
            messages.warning(
                request,
                _("Choice recorded; a later choice remains the person's current one (%(choice)s).")
                % {"choice": person.get_choice_display()},
            )
        else:
            messages.success(
                request,
                _("Choice recorded. Pathway: %(pathway)s.") % {"pathway": person.get_pathway_display()},
            )
    return _back(pk)


@role_required(*REINTEGRATION_ROLES)
def profile_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    profile = Profile.objects.for_user(request.user).filter(combatant=person).first()
    initial = {} if profile else {"profiled_on": timezone.localdate(), "return_region": person.region_id}
    form = ProfileForm(request.POST or None, instance=profile, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.profile_save(person=person, data=form.cleaned_data, by=request.user)
            messages.success(request, _("Profile saved."))
            return _back(pk)
    status = 400 if form.errors else 200
    return render(
        request, "ddr/reintegration/profile_edit.html", {"person": person, "form": form}, status=status
    )


# --- the opportunity map ------------------------------------------------------------------


@role_required(*REINTEGRATION_ROLES)
def opportunity_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    chosen = {"region": request.GET.get("region", ""), "trade": request.GET.get("trade", "")}
    lines = selectors.opportunity_map(request.user, **chosen)
    regions = Region.objects.order_by("name")
    if request.user.is_regional:
        regions = regions.filter(officers=request.user)
    context = {
        "lines": lines,
        "chosen": chosen,
        "regions": regions,
        "trades": Trade.objects.order_by("name"),
    }
    return render(request, "ddr/reintegration/opportunity_map.html", context)


@role_required(*REINTEGRATION_ROLES)
def opportunity_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    # No date offered: the study's own date is typed, never today's by default.
    initial = {"region": request.user.region_id}
    return _opportunity_form(request, Opportunity(), initial)


@role_required(*REINTEGRATION_ROLES)
def opportunity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Another region's line is not found for a regional officer.
    line = get_object_or_404(Opportunity.objects.for_user(request.user), pk=pk)
    return _opportunity_form(request, line, {})


def _opportunity_form(
    request: AuthenticatedHttpRequest, line: Opportunity, initial: Mapping[str, Any]
) -> HttpResponse:
    form = OpportunityForm(request.POST or None, instance=line, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            saved = services.opportunity_save(opportunity=form.save(commit=False), by=request.user)
            messages.success(request, _("Line saved: %(line)s.") % {"line": saved})
            return redirect(f"{reverse('ddr:opportunity-map')}?region={saved.region.code}")
    status = 400 if form.errors else 200
    return render(
        request, "ddr/reintegration/opportunity_edit.html", {"form": form, "line": line}, status=status
    )
