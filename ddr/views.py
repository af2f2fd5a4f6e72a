from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import CASE_ROLES, IMPORT_ROLES, role_required
from core.audit import history_of

from . import services
from .filters import PersonFilter
from .forms import ListImportForm
from .models import Combatant, ListImport, SubmittedList


@role_required(*CASE_ROLES)
def person_list(request: HttpRequest) -> HttpResponse:
    people = Combatant.objects.for_user(request.user).select_related("region", "movement")
    filterset = PersonFilter(request.GET, queryset=people.order_by("family_name", "given_name", "pk"))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "ddr/person_list.html", {"page": page, "filter": filterset, "query": query.urlencode()}
    )


@role_required(*CASE_ROLES)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Out of scope is "not found", never "forbidden": a refusal must not confirm existence.
    person = get_object_or_404(
        Combatant.objects.for_user(request.user).select_related("region", "movement", "registered_by"), pk=pk
    )
    context = {
        "person": person,
        "documents": person.documents.all(),
        "weapons": person.weapons.all(),
        "entries": person.list_entries.select_related("submitted_list__movement"),
        "history": history_of(person),
    }
    return render(request, "ddr/person_detail.html", context)


@role_required(*CASE_ROLES)
def list_index(request: HttpRequest) -> HttpResponse:
    lists = SubmittedList.objects.select_related("movement", "previous")
    imports = ListImport.objects.select_related("movement").filter(created_by=request.user.pk)[:10]
    return render(request, "ddr/list_index.html", {"lists": lists, "imports": imports})


@role_required(*CASE_ROLES)
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submitted = get_object_or_404(
        SubmittedList.objects.select_related("movement", "previous", "created_by"), pk=pk
    )
    # Entries go through the same scoping as people: a regional officer sees their region's lines.
    people = Combatant.objects.for_user(request.user)
    entries = submitted.entries.filter(combatant__in=people).select_related("combatant__region")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(
        request, "ddr/list_detail.html", {"list": submitted, "page": page, "history": history_of(submitted)}
    )


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


def _import_for(request: HttpRequest, pk: int) -> ListImport:
    return get_object_or_404(
        ListImport.objects.select_related("job", "movement", "previous", "result"), pk=pk
    )


@role_required(*IMPORT_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _import_for(request, pk)
    template = "ddr/_import_status.html" if request.headers.get("HX-Request") else "ddr/import_detail.html"
    return render(request, template, {"record": record, "errors": record.errors[:200]})


@require_POST
@role_required(*IMPORT_ROLES)
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _import_for(request, pk)
    try:
        services.list_import_queue_commit(record=record, by=request.user)
    except services.ImportRejected as exc:
        messages.error(request, str(exc))
    return redirect("import-detail", pk=pk)


@role_required(*IMPORT_ROLES)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every bad row as CSV (`;` and BOM: opens cleanly in French Excel)."""
    record = _import_for(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="erreurs-import-{record.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Line"), _("Column"), _("Reason")])
    if record.message:
        writer.writerow(["", "", record.message])
    for error in record.errors:
        writer.writerow([error["line"], error["column"], error["reason"]])
    return response
