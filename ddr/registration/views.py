from __future__ import annotations

import mimetypes
from typing import Any

import segno
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import (
    CASE_ROLES,
    REGISTER_ROLES,
    SCREENING_ROLES,
    has_role,
    role_required,
)
from core.errors import refusal_to
from core.exports import Column, table_export
from core.pagination import CappedPaginator, OnePassPaginator
from ddr.accountability.consent import services as consent
from ddr.accountability.consent.forms import RegistrationConsentForm
from ddr.eligibility import selectors as eligibility_selectors
from ddr.registration import case, services
from ddr.registration.filters import PersonFilter
from ddr.registration.forms import CombatantForm, DocumentFormSet, WeaponFormSet
from ddr.registration.models import Category, Combatant, card_token_for
from ddr.screening.forms import AgeAssessmentForm, MedicalExamForm, TransitionForm, cohort_form

PERSON_COLUMNS = [
    Column(gettext_lazy("Registration no."), "registration_number"),
    Column(gettext_lazy("Name"), "family_name"),
    Column(gettext_lazy("Given name"), "given_name"),
    Column(gettext_lazy("Sex"), "get_sex_display"),
    Column(gettext_lazy("Birth"), lambda p: p.birth_date or p.birth_year),
    Column(gettext_lazy("Region"), "region.name"),
    Column(gettext_lazy("Movement"), "movement.code"),
    Column(gettext_lazy("Category"), "get_category_display"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Registered on"), "registered_at"),
]


@role_required(*CASE_ROLES)
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = Combatant.objects.for_user(request.user).select_related("region", "movement")
    order = PersonFilter.table_order(request.GET.get("q"))
    filterset = PersonFilter(request.GET, queryset=people.order_by(*order))
    if exported := table_export(request, "personnes", PERSON_COLUMNS, filterset.qs, identity=True):
        return exported
    can_screen = has_role(request.user, SCREENING_ROLES)
    if PersonFilter.sorts_every_match(request.GET.get("q"), request.GET.get("sort", "")):
        statuses = ("status",) if can_screen else ()  # the cohort form's, read in the page's pass
        paginator: CappedPaginator = OnePassPaginator(filterset.qs, 50, distinct=statuses)
    else:
        paginator = CappedPaginator(filterset.qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filter": filterset,
        "query": query.urlencode(),
        "can_screen": can_screen,
        "transition_form": cohort_form(filterset.qs, paginator) if can_screen else None,
    }
    return render(request, "ddr/person_list.html", context)


@role_required(*CASE_ROLES)
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The person's whole case, in tabs; `?tab=cantonment` (or `#cantonment`) opens one."""
    # Out of scope is "not found", never "forbidden": a refusal must not confirm existence.
    person = get_object_or_404(
        Combatant.objects.for_user(request.user).select_related(
            "region", "movement", "registered_by", "waiting_place"
        ),
        pk=pk,
    )
    context = {
        "person": person,
        "tab": case.tab_asked(request.GET.get("tab")),
        "decision": eligibility_selectors.explain(person) if person.pathway_ruleset_id else None,
        "can_screen": has_role(request.user, SCREENING_ROLES),
        "age_form": AgeAssessmentForm(initial={"assessed_on": timezone.localdate()}),
        "medical_form": MedicalExamForm(initial={"examined_on": timezone.localdate()}),
        "transition_form": TransitionForm(statuses=[person.status]),
        **case.person_case(person, request.user),
    }
    return render(request, "ddr/person_detail.html", context)


@role_required(*CASE_ROLES)
def person_photo(request: AuthenticatedHttpRequest, pk: int) -> Any:  # a streamed FileResponse
    """The person's photo, to whoever may open their page (media files are never served openly)."""
    person = get_object_or_404(Combatant.objects.for_user(request.user).exclude(photo=""), pk=pk)
    try:
        photo = person.photo.open("rb")
    except FileNotFoundError as gone:  # removed from storage (a withdrawal, a restore without media)
        raise Http404 from gone
    return FileResponse(photo, content_type=_image_type(person.photo.name))


def _image_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


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
