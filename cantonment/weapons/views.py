"""Browser screens for weapons and ammunition: register, hand-in and receipt, chain of custody,
stock checks, reconciliation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import CANTONMENT_ROLES, role_required
from cantonment.sites.models import Site
from cantonment.weapons import selectors, services
from cantonment.weapons.forms import DisposalForm, HandInForm, TransferForm
from cantonment.weapons.models import StockCheck, StockCheckLine, StorageLocation, WamItem
from core.audit import history_of
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.pagination import CappedPaginator
from ddr.models import ArmedGroup


def _int(value: str | None) -> int:
    """A numeric id from the query string; 0 (no record) for anything else."""
    return int(value) if value and value.isdecimal() and len(value) < 16 else 0


WAM_COLUMNS = [
    Column(gettext_lazy("Receipt"), "receipt_number"),
    Column(gettext_lazy("Kind"), lambda i: i.get_weapon_type_display() or i.get_kind_display()),
    Column(gettext_lazy("Serial number"), "serial_number"),
    Column(gettext_lazy("Calibre"), "calibre"),
    Column(gettext_lazy("Quantity"), "quantity"),
    Column(gettext_lazy("Handed in by"), lambda i: i.combatant.registration_number if i.holder_id else ""),
    Column(gettext_lazy("Received at"), "where"),
    Column(gettext_lazy("Storage location"), lambda i: str(i.location)),
    Column(gettext_lazy("Received on"), "received_on"),
    Column(gettext_lazy("Status"), "get_status_display"),
]
STOCK_CHECK_COLUMNS = [
    Column(gettext_lazy("Storage location"), lambda c: str(c.location)),
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("Generated on"), "generated_on"),
    Column(gettext_lazy("Due on"), "due_on"),
    Column(gettext_lazy("Done"), "done_on"),
    Column(gettext_lazy("By"), "done_by.username"),
]
RECONCILIATION_COLUMNS = [
    Column(gettext_lazy("Movement"), "movement"),
    Column(gettext_lazy("Declared at registration"), "declared"),
    Column(gettext_lazy("Handed in"), "handed_in"),
    Column(gettext_lazy("Declared and handed in"), "matched"),
    Column(gettext_lazy("Declared, not handed in"), "not_handed_in"),
]
SITE_WEAPON_COLUMNS = [
    Column(gettext_lazy("Site"), lambda r: r[0]),
    Column(gettext_lazy("Weapons"), lambda r: r[1]),
    Column(gettext_lazy("Rounds"), lambda r: r[2]),
]
UNDECLARED_COLUMNS = [
    Column(gettext_lazy("Serial number"), "serial_number"),
    Column(gettext_lazy("Handed in by"), lambda i: i.combatant.registration_number if i.holder_id else ""),
    Column(gettext_lazy("Received at"), "where"),
    Column(gettext_lazy("Receipt"), "receipt_number"),
]
DECLARED_TWICE_COLUMNS = [
    Column(gettext_lazy("Serial number"), lambda r: r[0]),
    Column(gettext_lazy("Declared by"), lambda r: ", ".join(r[1])),
]


@role_required(*CANTONMENT_ROLES)
def wam_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = selectors.items_for(request.user).select_related("site", "location", "combatant", "project")
    site, status = _int(request.GET.get("site")), request.GET.get("status")
    if site:
        items = items.filter(site_id=site)
    if project := _int(request.GET.get("project")):  # collected by a CVR project's WAM component
        items = items.filter(project_id=project)
    if status in WamItem.Status.values:
        items = items.filter(status=status)
    items = items.order_by("-received_on", "-id")
    if exported := table_export(request, "armes", WAM_COLUMNS, items, identity=True):
        return exported
    page = CappedPaginator(items, 50).get_page(request.GET.get("page"))
    overdue = (
        selectors.overdue_checks().filter(location__in=StorageLocation.objects.for_user(request.user)).count()
    )
    context = {
        "page": page,
        "sites": Site.objects.for_user(request.user).filter(wam_items__isnull=False).distinct(),
        "statuses": WamItem.Status.choices,
        "overdue": overdue,
    }
    return render(request, "cantonment/wam_list.html", context)


@role_required(*CANTONMENT_ROLES)
def wam_hand_in(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HandInForm(request.POST or None, user=request.user, initial={"site": request.GET.get("site")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
            item = services.hand_in(
                site=data["site"],
                collection_place=data["collection_place"],
                project=data["project"],
                location=data["location"],
                kind=data["kind"],
                received_on=data["received_on"],
                custodian=data["custodian"],
                by=request.user,
                person=data["registration_number"],
                weapon_type=data["weapon_type"],
                calibre=data["calibre"],
                serial_number=data["serial_number"],
                quantity=data["quantity"],
                condition=data["condition"],
            )
            messages.success(request, _("Registered: receipt %(n)s.") % {"n": item.receipt_number})
            return redirect("cantonment:wam-detail", pk=item.pk)
    return render(request, "cantonment/wam_hand_in.html", {"form": form})


def _item(request: HttpRequest, pk: int) -> WamItem:
    return get_object_or_404(
        selectors.items_for(request.user).select_related(
            "site", "location", "combatant", "declared", "received_by", "project"
        ),
        pk=pk,
    )


@role_required(*CANTONMENT_ROLES)
def wam_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    context = {
        "item": item,
        "custody": item.custody.select_related("from_location", "to_location", "recorded_by"),
        "transfer_form": TransferForm(user=request.user, initial={"from_location": item.location_id}),
        "disposal_form": DisposalForm(auto_id="disposal-%s"),  # beside the transfer's "on" and "reference"
        "history": history_of(item),
    }
    return render(request, "cantonment/wam_detail.html", context)


@role_required(*CANTONMENT_ROLES)
def wam_receipt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "cantonment/wam_receipt.html", {"item": _item(request, pk), "now": timezone.now()})


@role_required(*CANTONMENT_ROLES)
@require_POST
def wam_transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = TransferForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Not transferred: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.transfer(item=item, by=request.user, **form.cleaned_data)
            messages.success(request, _("Transfer recorded."))
    return redirect("cantonment:wam-detail", pk=pk)


@role_required(*CANTONMENT_ROLES)
@require_POST
def wam_dispose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = DisposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not recorded: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.dispose(item=item, by=request.user, **form.cleaned_data)
            messages.success(request, _("Final disposal recorded."))
    return redirect("cantonment:wam-detail", pk=pk)


@role_required(*CANTONMENT_ROLES)
def stock_check_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    overdue_only = bool(request.GET.get("overdue"))  # the home page's line
    checks = selectors.overdue_checks(today) if overdue_only else StockCheck.objects.all()
    checks = checks.filter(location__in=StorageLocation.objects.for_user(request.user))
    checks = checks.select_related("location", "done_by").order_by("done_on", "-due_on")[:200]
    if exported := table_export(request, "inventaires", STOCK_CHECK_COLUMNS, checks):
        return exported
    context = {"checks": checks, "today": today, "overdue_only": overdue_only}
    return render(request, "cantonment/stock_check_list.html", context)


@role_required(*CANTONMENT_ROLES)
def stock_check_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(
        StockCheck.objects.filter(location__in=StorageLocation.objects.for_user(request.user)).select_related(
            "location"
        ),
        pk=pk,
    )
    lines = check.lines.select_related("item").order_by("item__serial_number", "item_id")
    if request.method == "POST":
        results = {
            line.pk: (request.POST.get(f"result-{line.pk}", ""), request.POST.get(f"note-{line.pk}", ""))
            for line in lines
        }
        with refusal_to(request):
            services.stock_check_record(
                check=check, results=results, on=timezone.localdate(), by=request.user
            )
            messages.success(request, _("Stock check recorded."))
            return redirect("cantonment:stock-check-list")
    context = {"check": check, "lines": lines, "results": StockCheckLine.Result.choices[1:]}
    return render(request, "cantonment/stock_check_detail.html", context)


@role_required(*CANTONMENT_ROLES)
def reconciliation(request: AuthenticatedHttpRequest) -> HttpResponse:
    movement = ArmedGroup.objects.filter(pk=_int(request.GET.get("movement"))).first()
    site = Site.objects.for_user(request.user).filter(pk=_int(request.GET.get("site"))).first()
    report = selectors.reconciliation(request.user, movement=movement, site=site)
    for table, columns, rows, identity in (
        ("", RECONCILIATION_COLUMNS, report.by_movement, False),
        ("by-site", SITE_WEAPON_COLUMNS, report.by_site, False),
        ("undeclared", UNDECLARED_COLUMNS, report.undeclared, True),
        ("declared-twice", DECLARED_TWICE_COLUMNS, report.declared_twice, True),
    ):
        what = f"rapprochement-{table}" if table else "rapprochement"
        if exported := table_export(request, what, columns, rows, identity=identity, table=table):
            return exported
    context = {
        "report": report,
        "movements": ArmedGroup.objects.order_by("code"),
        "sites": Site.objects.for_user(request.user).order_by("name"),
        "movement": movement,
        "site": site,
    }
    return render(request, "cantonment/reconciliation.html", context)
