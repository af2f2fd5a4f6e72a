"""Browser screens for duplicates: the review queue, one pair side by side, merges and their
undoing, the thresholds, and the integrity of lists."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import IMPORT_ROLES, REGISTER_ROLES, role_required
from core.errors import refusal_to
from core.exports import Column, table_export
from core.models import Job
from core.pagination import CappedPaginator
from ddr.duplicates import selectors, services
from ddr.duplicates.explain import compare_fields, explain
from ddr.duplicates.forms import MatchingSettingsForm
from ddr.duplicates.models import MatchingSettings, Merge


def _person(side: str) -> list[Column]:
    return [
        Column(_("Registration no."), f"{side}.registration_number"),
        Column(_("Name"), f"{side}.family_name"),
        Column(_("Given name"), f"{side}.given_name"),
        Column(_("Birth year"), f"{side}.birth_year"),
        Column(_("Movement"), f"{side}.movement.code"),
        Column(_("Region"), f"{side}.region.code"),
    ]


PAIR_COLUMNS = [*_person("first"), *_person("second"), Column(_("Score"), lambda p: round(p.score, 2))]


@role_required(*REGISTER_ROLES)
def duplicate_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    tuned = MatchingSettings.current()
    pairs = selectors.queue(request.user, kind=request.GET.get("kind", ""), strong=tuned.strong)
    if exported := table_export(
        request, "doublons", PAIR_COLUMNS, pairs.select_related(*selectors.PAIR_PEOPLE), identity=True
    ):
        return exported
    # The page is chosen on ids, then its fifty pairs are read whole (selectors.pairs_in_order).
    page = CappedPaginator(pairs.values_list("pk", flat=True), 50).get_page(request.GET.get("page"))
    rows = [(pair, explain(pair.first, pair.second)) for pair in selectors.pairs_in_order(list(page))]
    context = {
        "page": page,
        "rows": rows,
        "settings": tuned,
        # The user's last search over the register, with its progress bar while it runs.
        "job": Job.objects.filter(kind="duplicates_find", created_by=request.user.pk).order_by("-pk").first(),
        "merges": Merge.objects.for_user(request.user)
        .filter(undone_at__isnull=True)
        .select_related("kept", "absorbed", "merged_by")[:10],
    }
    return render(request, "ddr/duplicate_queue.html", context)


@role_required(*REGISTER_ROLES)
def duplicate_pair(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(selectors.pairs_for(request.user).select_related(*selectors.PAIR_PEOPLE), pk=pk)
    people = (pair.first, pair.second)
    documents = [list(p.documents.all()) for p in people]
    weapons = [list(p.weapons.all()) for p in people]
    entries = [list(p.list_entries.select_related("submitted_list__movement")) for p in people]
    context = {
        "pair": pair,
        "first": pair.first,
        "second": pair.second,
        "people": people,
        "documents": documents,
        "weapons": weapons,
        "entries": entries,
        "explained": explain(pair.first, pair.second),
        # Field by field, compared as the matcher reads them (canonical spellings, identifiers).
        "fields": compare_fields(
            pair.first,
            pair.second,
            documents=(
                [(d.kind, d.number) for d in documents[0]],
                [(d.kind, d.number) for d in documents[1]],
            ),
            serials=([w.serial_number for w in weapons[0]], [w.serial_number for w in weapons[1]]),
        ),
        # The latest merge of the pair: in force (undo at the top of the page), or undone.
        "merge": pair.merges.select_related("merged_by", "undone_by", "kept", "absorbed").first(),
    }
    return render(request, "ddr/duplicate_pair.html", context)


@require_POST
@role_required(*REGISTER_ROLES)
def duplicate_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(selectors.pairs_for(request.user), pk=pk)
    with refusal_to(request):
        if request.POST.get("decision") == "same":
            services.pair_merge(pair=pair, by=request.user)
            messages.success(request, _("Merged: one person, every list entry and document kept."))
            return redirect("ddr:duplicate-pair", pk=pk)  # the merged page, its undo at the top
        services.pair_different(pair=pair, by=request.user)
        messages.success(
            request, _("Recorded as two different people; this pair will not be proposed again.")
        )
        return redirect("ddr:duplicate-pair", pk=pk)  # the decided page, its undo at the top
    return redirect("ddr:duplicate-pair", pk=pk)


@require_POST
@role_required(*REGISTER_ROLES)
def pair_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(selectors.pairs_for(request.user), pk=pk)
    with refusal_to(request):
        services.pair_reopen(pair=pair, by=request.user)
        messages.success(request, _("Decision undone: the pair is back in the queue, undecided."))
    return redirect("ddr:duplicate-pair", pk=pk)


@require_POST
@role_required(*REGISTER_ROLES)
def merge_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(
        Merge.objects.for_user(request.user), pk=pk, pair__in=selectors.pairs_for(request.user)
    )
    with refusal_to(request):
        services.merge_undo(merge=merge, by=request.user)
        messages.success(
            request, _("Merge undone: both records are back as they were, and the pair is back in the queue.")
        )
    return redirect("ddr:duplicate-pair", pk=merge.pair_id)


@require_POST
@role_required(*IMPORT_ROLES)
def duplicate_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.duplicates_queue(by=request.user)
    messages.success(request, _("The search runs on the worker; you can leave this page."))
    return redirect("ddr:duplicate-queue")


@role_required(Role.ADMINISTRATOR)
def matching_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    tuned = MatchingSettings.current()
    form = MatchingSettingsForm(request.POST or request.GET or None, instance=tuned)
    effect = None
    if form.is_bound and form.is_valid():
        if request.method == "POST":
            services.matching_settings_save(
                strong=form.cleaned_data["strong"],
                review=form.cleaned_data["review"],
                list_hold_share=form.cleaned_data["list_hold_share"],
                by=request.user,
            )
            messages.success(request, _("Thresholds saved."))
            return redirect("ddr:matching-settings")
        effect = selectors.threshold_effect(form.cleaned_data["strong"], form.cleaned_data["review"])
    current = selectors.threshold_effect(tuned.strong, tuned.review)
    return render(
        request,
        "ddr/matching_settings.html",
        {"form": form, "effect": effect, "current": current, "model": selectors.model_explained(tuned)},
        status=400 if form.is_bound and form.errors else 200,
    )
