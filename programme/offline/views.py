"""Browser screens of offline work: the conflicts to decide and the devices to revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import role_required
from core.errors import refusal_to
from programme.offline import selectors, services
from programme.offline.forms import ConflictForm
from programme.offline.models import Device, SyncConflict

# Who decides a conflict: national staff, a regional officer for the people of their region, and
# child protection for the children's records (their corrections made offline conflict too).
CONFLICT_ROLES = (Role.COMMISSION_OFFICER, Role.ADMINISTRATOR, Role.REGIONAL_OFFICER, Role.CHILD_PROTECTION)
PER_PAGE = 50


@role_required(*CONFLICT_ROLES)
def conflict_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    conflicts = selectors.conflicts_for(request.user)
    decided = request.GET.get("status") == SyncConflict.Status.RESOLVED
    conflicts = conflicts.filter(status=SyncConflict.Status.RESOLVED if decided else SyncConflict.Status.OPEN)
    page = Paginator(conflicts, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(c, selectors.field_label(c.field)) for c in page]
    context = {"page": page, "rows": rows, "decided": decided}
    return render(request, "programme/offline/conflict_list.html", context)


@role_required(*CONFLICT_ROLES)
def conflict_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(selectors.conflicts_for(request.user), pk=pk)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.conflict_resolve(conflict=conflict, by=request.user, **form.cleaned_data)
            messages.success(request, _("Conflict decided: the value is recorded."))
            return redirect("programme:offline-conflict-list")
    status = 400 if request.method == "POST" else 200
    context = {
        "conflict": conflict,
        "form": form,
        "label": selectors.field_label(conflict.field),
        "device_value": selectors.shown(conflict.field, conflict.device_value),
        "server_value": selectors.shown(conflict.field, conflict.server_value),
        "resolved_value": selectors.shown(conflict.field, conflict.resolved_value),
    }
    return render(request, "programme/offline/conflict_detail.html", context, status=status)


@role_required(Role.ADMINISTRATOR)
def device_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    devices = Device.objects.select_related("user", "revoked_by").order_by(
        "revoked_at", "-last_sync_at", "name"
    )
    page = Paginator(devices, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "lock_after_days": services.lock_after_days()}
    return render(request, "programme/offline/device_list.html", context)


@role_required(Role.ADMINISTRATOR)
@require_POST
def device_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Device, pk=pk)
    with refusal_to(request):
        services.device_revoke(device=device, by=request.user)
        messages.success(
            request,
            _("Device “%(name)s” revoked: it wipes its data at its next contact.") % {"name": device.name},
        )
    return redirect("programme:offline-device-list")
