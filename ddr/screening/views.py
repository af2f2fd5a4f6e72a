"""Browser screens for screening: a person's age, medical and status steps; the vetting review
queue and the watch-list; children's referrals; documents flagged for age review."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User
from accounts.permissions import SCREENING_ROLES, VETTING_ROLES, role_required
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.pagination import CappedPaginator, capped_count
from core.uploads import megabytes
from ddr.eligibility import selectors as eligibility_selectors
from ddr.eligibility import services as eligibility
from ddr.registration.filters import PersonFilter
from ddr.registration.models import Combatant
from ddr.screening import services
from ddr.screening.forms import (
    AgeAssessmentForm,
    CohortTransitionForm,
    HandOverForm,
    MedicalExamForm,
    TransitionForm,
    VettingReviewForm,
    cohort_statuses,
)
from ddr.screening.models import ChildReferral, VettingMatch, WatchlistEntry


def _person(request: HttpRequest, pk: int) -> Combatant:
    # Scoped: another region's person, or a child for anyone but child protection, is not found.
    return get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("ddr:person-detail", args=[pk]) + "?tab=screening")


@role_required(*SCREENING_ROLES)
@require_POST
def person_age(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = AgeAssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Age assessment not recorded: %(errors)s") % {"errors": form_errors(form)})
        return _back(pk)
    services.age_assess(person=person, by=request.user, **form.cleaned_data)
    if form.cleaned_data["assessed_age"] < 18:
        messages.warning(request, _("A child: separated and referred to child protection at once."))
        return redirect("ddr:person-list")
    messages.success(request, _("Age assessment recorded."))
    return _back(pk)


@role_required(*SCREENING_ROLES)
@require_POST
def person_medical(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = MedicalExamForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Examination not recorded: %(errors)s") % {"errors": form_errors(form)})
        return _back(pk)
    with refusal_to(request):
        services.medical_record(person=person, by=request.user, **form.cleaned_data)
        _decide_again(person, request.user)
        messages.success(request, _("Examination recorded."))
    return _back(pk)


@role_required(*SCREENING_ROLES)
@require_POST
def person_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = TransitionForm(request.POST, statuses=[person.status])
    if not form.is_valid():
        messages.error(request, _("Status not changed: %(errors)s") % {"errors": form_errors(form)})
        return _back(pk)
    with refusal_to(request):
        eligibility.case_transition(
            people=[person], to=form.cleaned_data["to"], by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Status changed."))
    return _back(pk)


@role_required(*SCREENING_ROLES)
@require_POST
def cohort_transition(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone the people table shows (same filters, same scope) moves together, or nobody."""
    people = PersonFilter(request.GET, queryset=Combatant.objects.for_user(request.user)).qs
    form = CohortTransitionForm(request.POST, statuses=cohort_statuses(people), count=capped_count(people))
    back = redirect(f"{_url('ddr:person-list')}?{request.GET.urlencode()}")
    if not form.is_valid():
        messages.error(request, _("Status not changed: %(errors)s") % {"errors": form_errors(form)})
        return back
    with refusal_to(request):
        moved = eligibility.case_transition(
            people=people, to=form.cleaned_data["to"], by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("%(n)s people changed status.") % {"n": moved})
    return back


def _decide_again(person: Combatant, by: User) -> None:
    """After a screening step, the person's decision follows the rules in force at once."""
    ruleset = eligibility_selectors.active_ruleset()
    if ruleset is not None:
        eligibility.person_decide(person=person, ruleset=ruleset, by=by)


# --- vetting ------------------------------------------------------------------------------


PERSON = [
    Column(gettext_lazy("Registration no."), "combatant.registration_number"),
    Column(gettext_lazy("Name"), "combatant.family_name"),
    Column(gettext_lazy("Given name"), "combatant.given_name"),
    Column(gettext_lazy("Region"), "combatant.region.code"),
]
VETTING_COLUMNS = [
    *PERSON,
    Column(gettext_lazy("Also known as"), "combatant.also_known_as"),
    Column(gettext_lazy("Birth year"), "combatant.birth_year"),
    Column(gettext_lazy("Movement"), "combatant.movement.code"),
    Column(gettext_lazy("Watch-list entry"), "entry.name"),
    Column(gettext_lazy("Aliases"), "entry.aliases"),
    Column(gettext_lazy("Reason"), "entry.reason"),
    Column(gettext_lazy("Score"), "score"),
]
REFERRAL_COLUMNS = [
    *PERSON,
    Column(gettext_lazy("Identified at"), "identified_at"),
    Column(gettext_lazy("Hand-over deadline"), "handover_deadline"),
    Column(gettext_lazy("Handed over"), "handed_over_at"),
    Column(gettext_lazy("Partner"), "partner"),
]
DOCUMENT_COLUMNS = [
    *PERSON,
    Column(gettext_lazy("Document"), "get_kind_display"),
    Column(gettext_lazy("Number"), "number"),
    Column(gettext_lazy("Issued on"), "issued_on"),
    Column(gettext_lazy("Registered on"), "combatant.registered_at"),
]


@role_required(*VETTING_ROLES)
def vetting_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = (
        # Read through the people's scope: a person reclassified as a child leaves the queue.
        VettingMatch.objects.for_user(request.user)
        .filter(status=VettingMatch.Status.PENDING)
        .select_related("combatant__region", "combatant__movement", "entry__movement")
        .order_by("-score", "pk")
    )
    if exported := table_export(request, "verification", VETTING_COLUMNS, pending, identity=True):
        return exported
    page = CappedPaginator(pending, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": VettingReviewForm(),
        "watchlist": WatchlistEntry.objects.filter(active=True).count(),
    }
    return render(request, "ddr/vetting_queue.html", context)


@role_required(*VETTING_ROLES)
@require_POST
def vetting_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(
        VettingMatch.objects.for_user(request.user), pk=pk, status=VettingMatch.Status.PENDING
    )
    form = VettingReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Decision not recorded: %(errors)s") % {"errors": form_errors(form)})
        return redirect("ddr:vetting-queue")
    services.vetting_review(match=match, by=request.user, **form.cleaned_data)
    _decide_again(match.combatant, request.user)
    messages.success(request, _("Decision recorded."))
    return redirect("ddr:vetting-queue")


@role_required(*VETTING_ROLES)
@require_POST
def vetting_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Match everyone not yet vetted against the watch-list (decided pairs are not proposed again)."""
    people = Combatant.objects.for_user(request.user).filter(vetting_status="")
    found = services.vetting_screen(people=people, by=request.user)
    messages.success(request, _("%(n)s possible matches to review.") % {"n": found})
    return redirect("ddr:vetting-queue")


@role_required(Role.ADMINISTRATOR)
@require_POST
def watchlist_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """CSV (name;aliases;birth_year;movement;reason): every line or none, each bad line reported."""
    upload = request.FILES.get("file")
    limit = settings.DDR_WATCHLIST_IMPORT_MAX_BYTES
    if upload is None or (upload.size or 0) > limit:
        messages.error(request, _("Choose a CSV file of at most %(mb)s MB.") % {"mb": megabytes(limit)})
        return redirect("ddr:vetting-queue")
    with refusal_to(request):
        imported = services.watchlist_import(data=upload.read(), filename=upload.name or "", by=request.user)
        messages.success(request, _("%(n)s watch-list entries imported.") % {"n": imported})
    return redirect("ddr:vetting-queue")


# --- children and documents ---------------------------------------------------------------


@role_required(Role.CHILD_PROTECTION)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    referrals = (
        ChildReferral.objects.for_user(request.user)
        .select_related("combatant__region", "referred_by")
        .order_by("handed_over_at", "handover_deadline")
    )
    if exported := table_export(request, "enfants-orientes", REFERRAL_COLUMNS, referrals, identity=True):
        return exported
    return render(request, "ddr/referral_list.html", {"referrals": referrals, "form": HandOverForm()})


@role_required(Role.CHILD_PROTECTION)
@require_POST
def referral_hand_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(ChildReferral.objects.for_user(request.user), pk=pk)
    form = HandOverForm(request.POST)
    if form.is_valid():
        with refusal_to(request):
            services.referral_hand_over(referral=referral, by=request.user, **form.cleaned_data)
            messages.success(request, _("Hand-over recorded."))
    else:
        messages.error(request, _("Hand-over not recorded: %(errors)s") % {"errors": form_errors(form)})
    return redirect("ddr:referral-list")


@role_required(*VETTING_ROLES, Role.REGIONAL_OFFICER)
def flagged_documents(request: AuthenticatedHttpRequest) -> HttpResponse:
    days = settings.DDR_DOCUMENT_FLAG_DAYS
    people = Combatant.objects.for_user(request.user)
    documents = (
        services.documents_issued_just_before_registration(days)
        .filter(combatant__in=people)
        .select_related("combatant__region")
        .order_by("-combatant__registered_at", "pk")
    )
    if exported := table_export(request, "documents-a-verifier", DOCUMENT_COLUMNS, documents, identity=True):
        return exported
    page = CappedPaginator(documents, 50).get_page(request.GET.get("page"))
    return render(request, "ddr/flagged_documents.html", {"page": page, "days": days})


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
