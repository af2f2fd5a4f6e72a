"""Browser screens for equipment: the inventory, movements in and out, and handovers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import CANTONMENT_ROLES, role_required
from cantonment.inventory import services
from cantonment.inventory.forms import HandoverForm, InventoryItemForm, MovementForm
from cantonment.inventory.models import Handover, InventoryItem
from core.audit import history_of
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.pagination import CappedPaginator

INVENTORY_COLUMNS = [
    Column(gettext_lazy("ID"), "code"),
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("Contents"), "contents"),
    Column(gettext_lazy("Quantity"), "quantity"),
    Column(gettext_lazy("Unit"), "unit"),
    Column(gettext_lazy("Region"), "region.name"),
    Column(gettext_lazy("Site"), "site.name"),
    Column(gettext_lazy("Location"), "location"),
    Column(gettext_lazy("Custodian"), "custodian"),
    Column(gettext_lazy("Handover"), "handover.reference"),
]


@role_required(*CANTONMENT_ROLES)
def inventory_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = InventoryItem.objects.for_user(request.user).select_related("region", "site", "handover")
    if request.GET.get("held") == "1":
        items = items.filter(handover__isnull=True)
    items = items.order_by("code")
    if exported := table_export(request, "materiel", INVENTORY_COLUMNS, items):
        return exported
    page = CappedPaginator(items, 50).get_page(request.GET.get("page"))
    handovers = Handover.objects.for_user(request.user).select_related("handed_over_by")[:20]
    return render(request, "cantonment/inventory_list.html", {"page": page, "handovers": handovers})


@role_required(*CANTONMENT_ROLES)
def inventory_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InventoryItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        item = services.inventory_item_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Item %(code)s recorded.") % {"code": item.code})
        return redirect("cantonment:inventory-detail", pk=item.pk)
    return render(request, "cantonment/inventory_new.html", {"form": form})


def _item(request: HttpRequest, pk: int) -> InventoryItem:
    return get_object_or_404(
        InventoryItem.objects.for_user(request.user).select_related("site", "handover"), pk=pk
    )


@role_required(*CANTONMENT_ROLES)
def inventory_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    context = {
        "item": item,
        "movements": item.movements.select_related("recorded_by"),
        "form": MovementForm(),
        "history": history_of(item),
    }
    return render(request, "cantonment/inventory_detail.html", context)


@role_required(*CANTONMENT_ROLES)
@require_POST
def inventory_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = MovementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Movement not recorded: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.movement_record(item=item, by=request.user, **form.cleaned_data)
            messages.success(request, _("Movement recorded."))
    return redirect("cantonment:inventory-detail", pk=pk)


@role_required(*CANTONMENT_ROLES)
def handover_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HandoverForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
            handover = services.handover_make(
                items=list(data["items"]),
                reference=data["reference"],
                authority=data["authority"],
                received_by=data["received_by"],
                on=data["on"],
                note=data["note"],
                by=request.user,
            )
            messages.success(
                request, _("Handover %(ref)s recorded; its receipt is ready.") % {"ref": handover.reference}
            )
            return redirect("cantonment:handover-detail", pk=handover.pk)
    return render(request, "cantonment/handover_new.html", {"form": form})


@role_required(*CANTONMENT_ROLES)
def handover_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    handover = get_object_or_404(
        Handover.objects.for_user(request.user).select_related("handed_over_by"), pk=pk
    )
    return render(
        request,
        "cantonment/handover_detail.html",
        {"handover": handover, "items": handover.items.select_related("site")},
    )


@role_required(*CANTONMENT_ROLES)
def handover_receipt(request: AuthenticatedHttpRequest, pk: int) -> Any:  # a streamed FileResponse
    handover = get_object_or_404(Handover.objects.for_user(request.user), pk=pk)
    if not handover.receipt:
        raise Http404
    return FileResponse(
        handover.receipt.open("rb"), content_type="application/pdf", filename=f"{handover.reference}.pdf"
    )
