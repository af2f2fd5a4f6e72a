from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import (
    CASE_ROLES,
    IMPORT_ROLES,
    REGISTER_ROLES,
    SCREENING_ROLES,
    VETTING_ROLES,
    has_role,
    role_required,
)
from core.audit import history_of
from core.exports import Column, table_export
from core.pagination import CappedPaginator
from core.uploads import errors_csv, errors_page

from . import pathways, services
from .filters import PersonFilter
from .forms import (
    AgeAssessmentForm,
    CombatantForm,
    DocumentFormSet,
    ListImportForm,
    ListStatusForm,
    MedicalExamForm,
    TransitionForm,
    WeaponFormSet,
)
from .models import Category, Combatant, ListImport, SubmittedList, card_token_for

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
def person_list(request: HttpRequest) -> HttpResponse:
    people = Combatant.objects.for_user(request.user).select_related("region", "movement")
    order = PersonFilter.table_order(request.GET.get("q"))
    filterset = PersonFilter(request.GET, queryset=people.order_by(*order))
    if exported := table_export(request, "personnes", PERSON_COLUMNS, filterset.qs, identity=True):
        return exported
    page = CappedPaginator(filterset.qs, 50).get_page(request.GET.get("page"))
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
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Out of scope is "not found", never "forbidden": a refusal must not confirm existence.
    person = get_object_or_404(
        Combatant.objects.for_user(request.user).select_related(
            "region", "movement", "registered_by", "waiting_place"
        ),
        pk=pk,
    )
    history = history_of(person)
    context = {
        "person": person,
        "documents": person.documents.all(),
        "weapons": person.weapons.all(),
        "entries": person.list_entries.select_related("submitted_list__movement"),
        "stays": person.stays.select_related("site").order_by("-checked_in_on"),
        "handed_in": person.handed_in.all(),
        "can_see_wam": has_role(request.user, REGISTER_ROLES),
        "history": history,
        # The case's path: each change of status or pathway, oldest first.
        "timeline": [
            (h, [c for c in h.changes if c.name in ("status", "pathway")])
            for h in reversed(history)
            if any(c.name in ("status", "pathway") for c in h.changes)
        ],
        "decision": pathways.explain(person) if person.pathway_ruleset_id else None,
        "ages": person.age_assessments.select_related("assessed_by"),
        "exams": person.medical_exams.all(),
        "matches": person.vetting_matches.select_related("entry")
        if has_role(request.user, VETTING_ROLES)
        else None,
        "can_screen": has_role(request.user, SCREENING_ROLES),
        "age_form": AgeAssessmentForm(initial={"assessed_on": timezone.localdate()}),
        "medical_form": MedicalExamForm(initial={"examined_on": timezone.localdate()}),
        "transition_form": TransitionForm(),
    }
    return render(request, "ddr/person_detail.html", context)


@role_required(*REGISTER_ROLES)
def person_new(request: HttpRequest) -> HttpResponse:
    form = CombatantForm(request.POST or None, request.FILES or None, user=request.user)
    documents = DocumentFormSet(request.POST or None, prefix="documents")
    weapons = WeaponFormSet(request.POST or None, prefix="weapons")
    if request.method == "POST" and form.is_valid() and documents.is_valid() and weapons.is_valid():
        person = services.combatant_register(
            person=form.save(commit=False),
            documents=[f.save(commit=False) for f in documents.forms if f.has_changed()],
            weapons=[f.save(commit=False) for f in weapons.forms if f.has_changed()],
            by=request.user,
        )
        if person.category == Category.CHILD:
            # The record now belongs to child protection; the officer is told, not shown it.
            messages.warning(request, _("A child was registered and referred to child protection at once."))
            return redirect("person-list")
        messages.success(request, _("Registered: %(number)s") % {"number": person.registration_number})
        return redirect("person-detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "ddr/person_new.html",
        {"form": form, "documents": documents, "weapons": weapons},
        status=status,
    )


@role_required(*CASE_ROLES)
def person_card(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable registration card. IDDRS 4.20: it never names the armed group."""
    person = get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)
    qr = segno.make(card_token_for(person.pk), error="m").svg_data_uri(scale=4)
    return render(request, "ddr/person_card.html", {"person": person, "qr": qr})


@role_required(*CASE_ROLES)
def weapon_receipt(request: HttpRequest, pk: int, weapon_pk: int) -> HttpResponse:
    """Acknowledgement of a declared weapon (IDDRS 4.10): name, date, place, type, condition, serial."""
    person = get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)
    weapon = get_object_or_404(person.weapons, pk=weapon_pk)
    return render(request, "ddr/weapon_receipt.html", {"person": person, "weapon": weapon})


LIST_COLUMNS = [
    Column(_("Title"), "title"),
    Column(_("Movement"), "movement.code"),
    Column(_("Version"), "version"),
    Column(_("Submitted to"), "get_submitted_to_display"),
    Column(_("Submitted on"), "submitted_on"),
    Column(_("Status"), "get_status_display"),
    Column(_("Rows"), "row_count"),
    Column(_("SHA-256 of the file"), "sha256"),
]
# Entries are numbered among the rows the reader may see, never by their line in the file: a
# gap in the lines would point at a hidden person (a child, another region's person).
ENTRY_COLUMNS = [
    Column(_("No."), lambda entry: entry[0]),
    Column(_("Movement's own reference"), lambda entry: entry[1].movement_ref),
    Column(_("Registration no."), lambda entry: entry[1].combatant.registration_number),
    Column(_("Name"), lambda entry: entry[1].combatant.family_name),
    Column(_("Given name"), lambda entry: entry[1].combatant.given_name),
    Column(_("Region"), lambda entry: entry[1].combatant.region.name),
]


@role_required(*CASE_ROLES)
def list_index(request: HttpRequest) -> HttpResponse:
    lists = SubmittedList.objects.select_related("movement", "previous")
    if exported := table_export(request, "listes", LIST_COLUMNS, lists):
        return exported
    imports = ListImport.objects.select_related("movement").filter(created_by=request.user.pk)[:10]
    return render(request, "ddr/list_index.html", {"lists": lists, "imports": imports})


@role_required(*CASE_ROLES)
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submitted = get_object_or_404(
        SubmittedList.objects.select_related("movement", "previous", "created_by"), pk=pk
    )
    # Entries go through the same scoping as people: a regional officer sees their region's lines.
    people = Combatant.objects.for_user(request.user)
    entries = (
        submitted.entries.filter(combatant__in=people).select_related("combatant__region").order_by("line")
    )
    numbered = enumerate(entries.iterator(), start=1)
    if exported := table_export(request, f"liste-{submitted.pk}", ENTRY_COLUMNS, numbered, identity=True):
        return exported
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(
        request, "ddr/list_detail.html", {"list": submitted, "page": page, "history": history_of(submitted)}
    )


@require_POST
@role_required(*IMPORT_ROLES)
def list_status(request: HttpRequest, pk: int) -> HttpResponse:
    submitted = get_object_or_404(SubmittedList, pk=pk)
    form = ListStatusForm(request.POST, instance=submitted)
    if form.is_valid():
        form.save()  # audited by simple-history with the request's user
        messages.success(request, _("List status changed."))
    else:
        messages.error(request, _("Unknown status."))
    return redirect("list-detail", pk=pk)


@role_required(*IMPORT_ROLES)
def import_new(request: HttpRequest) -> HttpResponse:
    form = ListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.list_import_start(
                data=data["file"].read(),
                filename=data["file"].name,
                title=data["title"],
                movement=data["movement"],
                submitted_to=data["submitted_to"],
                submitted_on=data["submitted_on"],
                certified_by=data["certified_by"],
                previous=data["previous"],
                by=request.user,
            )
        except services.ImportRejected as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("import-detail", pk=record.pk)
    return render(request, "ddr/import_new.html", {"form": form}, status=400 if form.errors else 200)


def _import_for(pk: int) -> ListImport:
    return get_object_or_404(
        ListImport.objects.select_related("job", "movement", "previous", "result"), pk=pk
    )


def _diff_for(record: ListImport, user: Any) -> dict[str, Any]:
    """The preview's diff, keeping only people this viewer may see (it was prepared in the
    importer's scope; a viewer with a narrower one must not read more through it)."""
    diff = dict(record.diff or {})
    named = [
        p["person"] for k in ("removed_sample", "changed_sample") for p in diff.get(k, []) if p.get("person")
    ]
    # A diff stored before people were recorded in it names nobody the viewer can be shown.
    visible = set(Combatant.objects.for_user(user).filter(pk__in=named).values_list("pk", flat=True))
    for k in ("removed_sample", "changed_sample"):
        diff[k] = [p for p in diff.get(k, []) if p.get("person") in visible]
    return diff


@role_required(*IMPORT_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _import_for(pk)
    template = "ddr/_import_status.html" if request.headers.get("HX-Request") else "ddr/import_detail.html"
    context = {
        "record": record,
        "diff": _diff_for(record, request.user),
        "errors": errors_page(request, record.errors),
        "error_count": record.error_count or len(record.errors),
    }
    return render(request, template, context)


@require_POST
@role_required(*IMPORT_ROLES)
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _import_for(pk)
    try:
        services.list_import_queue_commit(record=record, by=request.user)
    except services.ImportRejected as exc:
        messages.error(request, str(exc))
    return redirect("import-detail", pk=pk)


@role_required(*IMPORT_ROLES)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every bad row as CSV (`;` and BOM: opens cleanly in French Excel)."""
    record = _import_for(pk)
    return errors_csv(
        f"erreurs-import-{record.pk}.csv",
        record.errors,
        total=record.error_count or len(record.errors),
        message=record.message,
    )
