from __future__ import annotations

import segno
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import (
    CASE_ROLES,
    REGISTER_ROLES,
    SCREENING_ROLES,
    VETTING_ROLES,
    has_role,
    role_required,
)
from core.audit import history_of
from core.errors import refusal_to
from core.exports import Column, table_export
from core.pagination import CappedPaginator, OnePassPaginator
from ddr.accountability import selectors as accountability
from ddr.accountability.consent import services as consent
from ddr.accountability.consent.forms import RegistrationConsentForm
from ddr.eligibility import selectors as eligibility_selectors
from ddr.registration import services
from ddr.registration.filters import PersonFilter
from ddr.registration.forms import CombatantForm, DocumentFormSet, WeaponFormSet
from ddr.registration.models import Category, Combatant, card_token_for
from ddr.reintegration import selectors as reintegration
from ddr.screening.forms import AgeAssessmentForm, MedicalExamForm, TransitionForm

PERSON_COLUMNS = [
    Column(_("Registration no."), "registration_number"),
    Column(_("Name"), "family_name"),
    Column(_("Given name"), "given_name"),
    Column(_("Sex"), "get_sex_display"),
    Column(_("Birth"), lambda p: p.birth_date or p.birth_year),
    Column(_("Region"), "region.name"),
    Column(_("Movement"), "movement.code"),
    Column(_("Category"), "get_category_display"),
    Column(_("Status"), "get_status_display"),
    Column(_("Registered on"), "registered_at"),
]


@role_required(*CASE_ROLES)
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = Combatant.objects.for_user(request.user).select_related("region", "movement")
    order = PersonFilter.table_order(request.GET.get("q"))
    filterset = PersonFilter(request.GET, queryset=people.order_by(*order))
    if exported := table_export(request, "personnes", PERSON_COLUMNS, filterset.qs, identity=True):
        return exported
    paginator = OnePassPaginator if PersonFilter.sorts_every_match(request.GET.get("q")) else CappedPaginator
    page = paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filter": filterset,
        "query": query.urlencode(),
        "can_screen": has_role(request.user, SCREENING_ROLES),
        "transition_form": TransitionForm(),
    }
    return render(request, "ddr/person_list.html", context)


@role_required(*CASE_ROLES)
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Out of scope is "not found", never "forbidden": a refusal must not confirm existence.
    person = get_object_or_404(
        Combatant.objects.for_user(request.user).select_related(
            "region", "movement", "registered_by", "waiting_place"
        ),
        pk=pk,
    )
    history = history_of(person)
    accountable = accountability.person_context(person, request.user)
    context = {
        "person": person,
        "documents": person.documents.all(),
        "weapons": person.weapons.all(),
        "entries": person.list_entries.select_related("submitted_list__movement"),
        "stays": person.stays.select_related("site").order_by("-checked_in_on"),
        "handed_in": person.handed_in.all(),
        "can_see_wam": has_role(request.user, REGISTER_ROLES),
        "history": history,
        # The case's path: each change of status or pathway, and each appeal, oldest first.
        "timeline": sorted(
            [
                *(
                    (h, [c for c in h.changes if c.name in ("status", "pathway")])
                    for h in reversed(history)
                    if any(c.name in ("status", "pathway") for c in h.changes)
                ),
                *accountable.get("appeal_timeline", []),
            ],
            key=lambda entry: entry[0].when,
        ),
        "decision": eligibility_selectors.explain(person) if person.pathway_ruleset_id else None,
        "ages": person.age_assessments.select_related("assessed_by"),
        "exams": person.medical_exams.all(),
        "matches": person.vetting_matches.select_related("entry")
        if has_role(request.user, VETTING_ROLES)
        else None,
        "can_screen": has_role(request.user, SCREENING_ROLES),
        "age_form": AgeAssessmentForm(initial={"assessed_on": timezone.localdate()}),
        "medical_form": MedicalExamForm(initial={"examined_on": timezone.localdate()}),
        "transition_form": TransitionForm(),
        **reintegration.person_context(person, request.user),
        **accountable,
    }
    return render(request, "ddr/person_detail.html", context)


@role_required(*REGISTER_ROLES)
def person_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CombatantForm(request.POST or None, request.FILES or None, user=request.user)
    documents = DocumentFormSet(request.POST or None, prefix="documents")
    weapons = WeaponFormSet(request.POST or None, prefix="weapons")
    # The optional consent block (ddr.accountability.consent): recorded in the same transaction.
    consent_form = RegistrationConsentForm(request.POST or None, request.FILES or None, prefix="consent")
    forms_valid = all([form.is_valid(), documents.is_valid(), weapons.is_valid(), consent_form.is_valid()])
    if request.method == "POST" and forms_valid:
        with refusal_to(consent_form), transaction.atomic():
            person = services.combatant_register(
                person=form.save(commit=False),
                documents=[f.save(commit=False) for f in documents.forms if f.has_changed()],
                weapons=[f.save(commit=False) for f in weapons.forms if f.has_changed()],
                by=request.user,
            )
            if consent_form.was_read:
                consent.consent_record(
                    person=person,
                    recorded_on=person.registered_at,
                    by=request.user,
                    **consent_form.service_kwargs(),
                )
        if not consent_form.errors:
            if person.category == Category.CHILD:
                # The record now belongs to child protection; the officer is told, not shown it.
                messages.warning(
                    request, _("A child was registered and referred to child protection at once.")
                )
                return redirect("ddr:person-list")
            number = person.registration_number
            messages.success(request, _("Registered: %(number)s") % {"number": number})
            return redirect("ddr:person-detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "ddr/person_new.html",
        {"form": form, "documents": documents, "weapons": weapons, "consent_form": consent_form},
        status=status,
    )


@role_required(*CASE_ROLES)
def person_card(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Printable registration card. IDDRS 4.20: it never names the armed group."""
    person = get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)
    qr = segno.make(card_token_for(person.pk), error="m").svg_data_uri(scale=4)
    return render(request, "ddr/person_card.html", {"person": person, "qr": qr})


@role_required(*CASE_ROLES)
def weapon_receipt(request: AuthenticatedHttpRequest, pk: int, weapon_pk: int) -> HttpResponse:
    """Acknowledgement of a declared weapon (IDDRS 4.10): name, date, place, type, condition, serial."""
    person = get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)
    weapon = get_object_or_404(person.weapons, pk=weapon_pk)
    return render(request, "ddr/weapon_receipt.html", {"person": person, "weapon": weapon})
