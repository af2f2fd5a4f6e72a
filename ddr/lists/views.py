from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.permissions import (
    CASE_ROLES,
    IMPORT_ROLES,
    MASTER_DATA_EDIT_ROLES,
    MASTER_DATA_READ_ROLES,
    has_role,
    role_required,
)
from core.audit import history_of
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.masterdata import edit_page
from core.suppression import for_analyst
from core.uploads import errors_csv, errors_page
from ddr.accountability.appeals import selectors as appeals
from ddr.lists import selectors, services
from ddr.lists.forms import ArmedGroupForm, CoalitionForm, ListImportForm, ListStatusForm, MembershipForm
from ddr.lists.models import ArmedGroup, Coalition, CoalitionMembership, ListImport, SubmittedList
from ddr.lists.parse import TEMPLATE
from ddr.registration.models import Combatant

LIST_COLUMNS = [
    Column(gettext_lazy("Title"), "title"),
    Column(gettext_lazy("Movement"), "movement.code"),
    Column(gettext_lazy("Version"), "version"),
    Column(gettext_lazy("Submitted to"), "get_submitted_to_display"),
    Column(gettext_lazy("Submitted on"), "submitted_on"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Rows"), "row_count"),
    Column(gettext_lazy("SHA-256 of the file"), "sha256"),
]


# Entries are numbered among the rows the reader may see, never by their line in the file: a
# gap in the lines would point at a hidden person (a child, another region's person).
ENTRY_COLUMNS = [
    Column(gettext_lazy("No."), lambda entry: entry[0]),
    Column(gettext_lazy("Movement's own reference"), lambda entry: entry[1].movement_ref),
    Column(gettext_lazy("Registration no."), lambda entry: entry[1].combatant.registration_number),
    Column(gettext_lazy("Name"), lambda entry: entry[1].combatant.family_name),
    Column(gettext_lazy("Given name"), lambda entry: entry[1].combatant.given_name),
    Column(gettext_lazy("Region"), lambda entry: entry[1].combatant.region.name),
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
        SubmittedList.objects.select_related("movement", "previous", "created_by", "decision"), pk=pk
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
        "status_form": ListStatusForm(instance=submitted, auto_id="list-status-%s"),
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
                decision=form.cleaned_data.get("decision"),
                by=request.user,
            )
            messages.success(request, _("List status changed."))
    else:
        messages.error(request, _("Status not changed: %(errors)s") % {"errors": form_errors(form)})
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
    diff = {k: v for k, v in (record.diff or {}).items() if k != "notices"}
    if not diff:  # a first version: nothing to compare with
        return {}
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
        "notices": (record.diff or {}).get("notices"),
        "errors": errors_page(request, record.errors),
        "error_count": record.error_count or len(record.errors),
        "outcome": selectors.import_outcome(record.result)
        if record.status == ListImport.Status.COMMITTED and record.result
        else None,
    }
    return render(request, template, context)


@role_required(*IMPORT_ROLES)
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An empty list to fill in: every column the import reads, under the headers it knows, and
    one example line (`;`, UTF-8 with BOM: opens cleanly in French Excel)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-liste.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for _column, header, _example in TEMPLATE])
    writer.writerow([example for _column, _header, example in TEMPLATE])
    return response


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
    shares = report["shares"]
    rows = [(str(INTEGRITY_LABELS[key]), count, shares.get(key)) for key, count in report["counts"].items()]
    if exported := table_export(request, "integrite-listes", INTEGRITY_COLUMNS, rows):
        return exported
    context = {"rows": rows, "title": title, "movements": ArmedGroup.objects.order_by("code")}
    return render(request, "ddr/list_integrity.html", context)


# Lazy: read in the reader's language, not in the one active when the module was imported.
INTEGRITY_LABELS = {
    "people": gettext_lazy("People on the lists"),
    "duplicates_inside": gettext_lazy("Probable duplicates inside the lists"),
    "registered_elsewhere": gettext_lazy("Already registered elsewhere"),
    "other_movement": gettext_lazy("Also on another movement's list"),
    "weapons_declared_twice": gettext_lazy("Weapon serial numbers declared twice"),
    "documents_just_before": gettext_lazy("Documents issued shortly before registration"),
    "under_18": gettext_lazy("Under 18 by any source"),
}


INTEGRITY_COLUMNS = [
    Column(gettext_lazy("Indicator"), lambda row: row[0]),
    Column(gettext_lazy("Count"), lambda row: row[1]),
    Column(gettext_lazy("Share"), lambda row: "" if row[2] is None else f"{row[2]:.1%}"),
]


# --- armed groups and coalitions: master data kept by national staff --------------------------


@role_required(*MASTER_DATA_READ_ROLES)
def armed_group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = ArmedGroup.objects.select_related("split_from").prefetch_related(
        "coalition_memberships__coalition"
    )
    context = {
        "groups": groups,
        "coalitions": Coalition.objects.all(),
        "can_edit": has_role(request.user, MASTER_DATA_EDIT_ROLES),
    }
    return render(request, "ddr/armed_group_list.html", context)


@role_required(*MASTER_DATA_READ_ROLES)
def armed_group_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(ArmedGroup.objects.select_related("split_from"), pk=pk)
    context = {
        "group": group,
        "memberships": group.coalition_memberships.select_related("coalition").order_by("start"),
        "splinters": group.splinters.all(),
        "lists": group.lists.select_related("decision").order_by("-submitted_on")[:20],
        "case_roles": CASE_ROLES,
        "can_edit": has_role(request.user, MASTER_DATA_EDIT_ROLES),
        # Analysts: no history (who changed what, free text before and after).
        "history": [] if for_analyst(request.user) else history_of(group),
    }
    return render(request, "ddr/armed_group_detail.html", context)


@role_required(*MASTER_DATA_EDIT_ROLES)
def armed_group_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    group = get_object_or_404(ArmedGroup, pk=pk) if pk else None
    form = ArmedGroupForm(request.POST or None, instance=group)
    return edit_page(
        request,
        form=form,
        save=lambda values: services.armed_group_save(group=group, by=request.user, **values),
        title=_("Change the group %(code)s") % {"code": group.code} if group else _("New armed group"),
        back=group.get_absolute_url() if group else reverse("ddr:armed-group-list"),
        record=group,
    )


@role_required(*MASTER_DATA_EDIT_ROLES)
def coalition_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    coalition = get_object_or_404(Coalition, pk=pk) if pk else None
    form = CoalitionForm(request.POST or None, instance=coalition)
    return edit_page(
        request,
        form=form,
        save=lambda values: services.coalition_save(coalition=coalition, by=request.user, **values),
        title=_("Change the coalition %(code)s") % {"code": coalition.code}
        if coalition
        else _("New coalition"),
        back=reverse("ddr:armed-group-list"),
        record=coalition,
    )


@role_required(*MASTER_DATA_EDIT_ROLES)
def membership_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(ArmedGroup, pk=pk)
    return _membership_page(request, group, None)


@role_required(*MASTER_DATA_EDIT_ROLES)
def membership_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(CoalitionMembership.objects.select_related("group", "coalition"), pk=pk)
    return _membership_page(request, membership.group, membership)


def _membership_page(
    request: AuthenticatedHttpRequest, group: ArmedGroup, membership: CoalitionMembership | None
) -> HttpResponse:
    form = MembershipForm(request.POST or None, instance=membership, group=group)
    return edit_page(
        request,
        form=form,
        save=lambda values: services.membership_save(
            membership=membership, group=group, by=request.user, **values
        ),
        title=(
            _("Change or end %(group)s's membership of the %(coalition)s")
            % {"group": group.code, "coalition": membership.coalition.code}
            if membership
            else _("%(group)s joins a coalition") % {"group": group.code}
        ),
        back=group.get_absolute_url(),
        record=membership,
        intro=_("A group is in one coalition at a time; a membership that ended keeps its dates."),
    )
