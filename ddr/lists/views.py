from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.permissions import (
    CASE_ROLES,
    IMPORT_ROLES,
    role_required,
)
from core.audit import history_of
from core.errors import refusal_to
from core.exports import Column, table_export
from core.uploads import errors_csv, errors_page
from ddr.accountability.appeals import selectors as appeals
from ddr.lists import selectors, services
from ddr.lists.forms import ListImportForm, ListStatusForm
from ddr.lists.models import ArmedGroup, ListImport, SubmittedList
from ddr.registration.models import Combatant

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
def list_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    lists = SubmittedList.objects.select_related("movement", "previous")
    if exported := table_export(request, "listes", LIST_COLUMNS, lists):
        return exported
    imports = ListImport.objects.select_related("movement").filter(created_by=request.user.pk)[:10]
    return render(request, "ddr/list_index.html", {"lists": lists, "imports": imports})


@role_required(*CASE_ROLES)
def list_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
    context = {
        "list": submitted,
        "page": page,
        "history": history_of(submitted),
        **appeals.list_context(submitted, request.user),
    }
    return render(request, "ddr/list_detail.html", context)


@require_POST
@role_required(*IMPORT_ROLES)
def list_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submitted = get_object_or_404(SubmittedList, pk=pk)
    form = ListStatusForm(request.POST, instance=submitted)
    if form.is_valid():
        with refusal_to(request):
            services.list_status_change(
                submitted=submitted,
                status=form.cleaned_data["status"],
                by=request.user,
            )
            messages.success(request, _("List status changed."))
    else:
        messages.error(request, _("Unknown status."))
    return redirect("ddr:list-detail", pk=pk)


@role_required(*IMPORT_ROLES)
def import_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
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
            return redirect("ddr:import-detail", pk=record.pk)
    return render(request, "ddr/import_new.html", {"form": form}, status=400 if form.errors else 200)


def _import_for(pk: int) -> ListImport:
    return get_object_or_404(
        ListImport.objects.select_related("job", "movement", "previous", "result"), pk=pk
    )


def _diff_for(record: ListImport, user: User) -> dict[str, Any]:
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
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def import_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = _import_for(pk)
    with refusal_to(request):
        services.list_import_queue_commit(record=record, by=request.user)
    return redirect("ddr:import-detail", pk=pk)


@role_required(*IMPORT_ROLES)
def import_errors(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every bad row as CSV (`;` and BOM: opens cleanly in French Excel)."""
    record = _import_for(pk)
    return errors_csv(
        f"erreurs-import-{record.pk}.csv",
        record.errors,
        total=record.error_count or len(record.errors),
        message=record.message,
    )


@role_required(*IMPORT_ROLES)
def list_integrity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per list (?list=) or per movement (?movement=), or every list."""
    lists = SubmittedList.objects.all()
    title = _("Every list")
    if list_id := request.GET.get("list", "").strip():
        submitted = get_object_or_404(SubmittedList, pk=list_id) if list_id.isdecimal() else None
        if submitted is None:
            return HttpResponse(_("Unknown list."), status=400)
        lists, title = lists.filter(pk=submitted.pk), str(submitted)
    elif code := request.GET.get("movement", "").strip():
        movement = ArmedGroup.objects.filter(code=code).first()
        if movement is None:
            return HttpResponse(_("Unknown movement."), status=400)
        lists, title = lists.filter(movement=movement), str(movement)
    report = selectors.list_integrity(lists)
    rows = [
        (INTEGRITY_LABELS[key], count, report["shares"].get(key)) for key, count in report["counts"].items()
    ]
    if exported := table_export(request, "integrite-listes", INTEGRITY_COLUMNS, rows):
        return exported
    context = {"rows": rows, "title": title, "movements": ArmedGroup.objects.order_by("code")}
    return render(request, "ddr/list_integrity.html", context)


INTEGRITY_LABELS = {
    "people": _("People on the lists"),
    "duplicates_inside": _("Probable duplicates inside the lists"),
    "registered_elsewhere": _("Already registered elsewhere"),
    "other_movement": _("Also on another movement's list"),
    "weapons_declared_twice": _("Weapon serial numbers declared twice"),
    "documents_just_before": _("Documents issued shortly before registration"),
    "under_18": _("Under 18 by any source"),
}


INTEGRITY_COLUMNS = [
    Column(_("Indicator"), lambda row: row[0]),
    Column(_("Count"), lambda row: row[1]),
    Column(_("Share"), lambda row: "" if row[2] is None else f"{row[2]:.1%}"),
]
