"""Payment batches, statements, hand-overs in kind and the paid-twice list: thin views, each
calling one service; every record through the user's scope (out of scope: 404)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import PAYMENT_APPROVER_ROLES, REINTEGRATION_ROLES, has_role, role_required
from core.audit import history_of
from core.errors import refusal_to
from core.forms import form_errors
from core.uploads import errors_csv, errors_page
from ddr.reintegration.packages.models import Component, Entitlement
from ddr.reintegration.payments import selectors, services
from ddr.reintegration.payments.forms import BatchForm, CardForm, DistributionForm, StatementForm
from ddr.reintegration.payments.models import PaymentBatch, PaymentLine, StatementImport

B = PaymentBatch.Status
LINES_PER_PAGE = 100


def _batch_for(request: AuthenticatedHttpRequest, pk: int) -> PaymentBatch:
    return get_object_or_404(selectors.batches_for(request.user), pk=pk)


@role_required(*REINTEGRATION_ROLES)
def batch_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    batches = selectors.batches_for(request.user)
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    return render(request, "ddr/reintegration/payment_batch_list.html", {"page": page})


@role_required(*REINTEGRATION_ROLES)
def batch_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filters, what they select now ("preview"), and the batch prepared on request."""
    user = request.user
    form = BatchForm(request.POST or None, user=user)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filters = {
            "region": data.get("region"),
            "package": data["package"],
            "component_kind": data["component_kind"],
            "due_by": data["due_by"],
        }
        if request.POST.get("action") != "prepare":
            preview = selectors.due_cash(user, **filters).aggregate(
                n=Count("id"),
                xof=Sum("amount_xof"),
                with_number=Count("id", filter=Q(combatant__profile__mobile_money__gt="")),
            )
            return render(
                request, "ddr/reintegration/payment_batch_new.html", {"form": form, "preview": preview}
            )
        with refusal_to(form):
            batch = services.batch_prepare(
                by=user, channel=data["channel"], provider=data["provider"], **filters
            )
            messages.success(
                request,
                _("Batch %(batch)s prepared: %(n)s lines. Another person must approve it.")
                % {"batch": batch.reference, "n": batch.line_count},
            )
            return redirect("ddr:payment-batch-detail", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "ddr/reintegration/payment_batch_new.html", {"form": form, "preview": preview}, status=status
    )


@role_required(*REINTEGRATION_ROLES)
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    user = request.user
    approver = has_role(user, PAYMENT_APPROVER_ROLES)
    lines = selectors.lines_for(batch, user)
    status = request.GET.get("status", "")
    if status in PaymentLine.Status.values:
        lines = lines.filter(status=status)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    totals = selectors.batch_totals(batch)
    kind = batch.criteria.get("component_kind", "")
    context = {
        "batch": batch,
        "component_kind": Component.Kind(kind).label if kind in Component.Kind.values else kind,
        "due_by": parse_date(batch.criteria.get("due_by") or ""),
        "page": page,
        "query": urlencode({"status": status}) if status else "",
        "status": status,
        "statuses": PaymentLine.Status.choices,
        "totals": [
            (label, totals[value]["n"], totals[value]["xof"])
            for value, label in PaymentLine.Status.choices
            if value in totals
        ],
        "imports": batch.statement_imports.select_related("job", "created_by")[:20],
        "may_approve": approver and batch.status == B.PREPARED and batch.prepared_by_id != user.pk,
        "may_cancel": batch.status in (B.PREPARED, B.APPROVED)
        and (approver or batch.prepared_by_id == user.pk),
        "may_export": approver and batch.status in (B.APPROVED, B.EXPORTED),
        "may_reconcile": approver and batch.status == B.EXPORTED,
        "statement_form": StatementForm(),
        "history": history_of(batch),
    }
    return render(request, "ddr/reintegration/payment_batch_detail.html", context)


@require_POST
@role_required(*PAYMENT_APPROVER_ROLES)
def batch_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    with refusal_to(request):
        services.batch_approve(batch=batch, by=request.user)
        messages.success(request, _("Batch approved: it can be sent to the provider."))
    return redirect("ddr:payment-batch-detail", pk=pk)


@require_POST
@role_required(*REINTEGRATION_ROLES)
def batch_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    with refusal_to(request):
        services.batch_cancel(batch=batch, by=request.user)
        messages.success(request, _("Batch cancelled: its entitlements are due again."))
    return redirect("ddr:payment-batch-detail", pk=pk)


@require_POST
@role_required(*PAYMENT_APPROVER_ROLES)
def batch_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    with refusal_to(request):
        exported = services.batch_export(batch=batch, fmt=request.POST.get("format", ""), by=request.user)
        response = HttpResponse(exported.data, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response
    return redirect("ddr:payment-batch-detail", pk=pk)


@require_POST
@role_required(*PAYMENT_APPROVER_ROLES)
def statement_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    form = StatementForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with refusal_to(request):
            record = services.statement_import_start(
                batch=batch, data=upload.read(), filename=upload.name, by=request.user
            )
            return redirect("ddr:payment-statement-detail", pk=record.pk)
    else:
        messages.error(request, form_errors(form))
    return redirect("ddr:payment-batch-detail", pk=pk)


def _import_for(request: AuthenticatedHttpRequest, pk: int) -> StatementImport:
    imports = StatementImport.objects.filter(batch__in=selectors.batches_for(request.user))
    return get_object_or_404(imports.select_related("job", "batch", "statement", "created_by"), pk=pk)


@role_required(*REINTEGRATION_ROLES)
def statement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The statement's check and reconciliation: a progress bar, then the errors by line, or what
    was reconciled and the batch's lines that were not in the statement."""
    record = _import_for(request, pk)
    waiting = None
    if record.status == StatementImport.Status.IMPORTED:
        still = selectors.lines_for(record.batch, request.user).filter(status=PaymentLine.Status.WAITING)
        waiting = {"count": still.count(), "sample": list(still[:50])}
    context = {
        "record": record,
        "errors": errors_page(request, record.errors),
        "error_count": record.error_count,
        "waiting": waiting,
    }
    partial = request.headers.get("HX-Request")
    template = (
        "ddr/reintegration/_statement_status.html" if partial else "ddr/reintegration/statement_detail.html"
    )
    return render(request, template, context)


@role_required(*REINTEGRATION_ROLES)
def statement_errors(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = _import_for(request, pk)
    return errors_csv(
        f"releve-{record.pk}-erreurs.csv", record.errors, total=record.error_count, message=record.message
    )


# --- distributions in kind ------------------------------------------------------------------


@role_required(*REINTEGRATION_ROLES)
def distribution(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Type or scan the card's token: the holder's photo and number, what is due in kind, and
    the hand-over recorded with the recipient's confirmation."""
    user = request.user
    token = (request.POST.get("token") or request.GET.get("token") or "").strip()
    card = CardForm(initial={"token": token})
    context: dict[str, object] = {"card": card, "token": token}
    if not token:
        return render(request, "ddr/reintegration/distribution.html", context)
    person, refusal = services.card_refusal(token, user)
    context.update(person=person, refusal=refusal)
    if person is None or refusal:
        return render(
            request, "ddr/reintegration/distribution.html", context, status=404 if person is None else 200
        )
    entitlements = Entitlement.objects.filter(combatant=person).select_related("component__package")
    form = DistributionForm(request.POST or None, initial={"token": token}, entitlements=entitlements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
            services.distribution_record(
                token=token,
                entitlement=data["entitlement"],
                place=data["place"],
                confirmation=data["confirmation"],
                on=data["on"],
                by=user,
            )
            messages.success(
                request,
                _("Handed over to %(who)s: %(what)s.")
                % {"who": person.registration_number, "what": data["entitlement"].component.label},
            )
            return redirect(f"{request.path}?{urlencode({'token': token})}")
    context.update(
        form=form,
        due=list(selectors.due_in_kind(person)),
        handed_over=list(selectors.handed_over(person)[:20]),
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "ddr/reintegration/distribution.html", context, status=status)


@role_required(*REINTEGRATION_ROLES)
def paid_twice(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Entitlements settled on two records later merged as one person: to recover."""
    page = Paginator(selectors.paid_twice(request.user), 100).get_page(request.GET.get("page"))
    rows = selectors.recovery_rows(page.object_list)
    return render(request, "ddr/reintegration/paid_twice.html", {"page": page, "rows": rows})
