"""Browser screens for rule sets: edit a draft, see its what-if, activate it, follow the run."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import RULESET_EDIT_ROLES, RULESET_READ_ROLES, role_required
from core.errors import refusal_to
from core.exports import Column, table_export
from core.pagination import CappedPaginator
from ddr.eligibility import selectors, services
from ddr.eligibility.forms import RuleSetForm
from ddr.eligibility.models import EligibilityRun, RuleSet
from ddr.registration.models import Category, Combatant, Pathway

RULESET_COLUMNS = [
    Column(_("Rule set"), str),
    Column(_("Status"), "get_status_display"),
    Column(_("From"), "effective_from"),
    Column(_("Until"), "effective_to"),
    Column(_("Activated by"), lambda r: str(r.activated_by or "")),
]
WHAT_IF_COLUMNS = [
    Column(_("Registration number"), "registration_number"),
    Column(_("Name"), "family_name"),
    Column(_("Given name"), "given_name"),
    Column(_("Region"), "region.code"),
    Column(_("Movement"), "movement.code"),
    Column(_("Category"), "get_category_display"),
]
QUOTA_COLUMNS = [
    Column(_("Pathway"), "label"),
    Column(_("Region"), "region__code"),
    Column(_("People"), "people"),
    Column(_("Engaged"), "engaged"),
    Column(_("Waiting"), "waiting"),
    Column(_("Regional quota"), "region_quota"),
    Column(_("National quota"), "total_quota"),
]


@role_required(*RULESET_READ_ROLES)
def ruleset_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rulesets = RuleSet.objects.select_related("activated_by")
    if exported := table_export(request, "regles", RULESET_COLUMNS, rulesets):
        return exported
    context = {
        "rulesets": rulesets,
        "runs": EligibilityRun.objects.select_related("ruleset", "started_by", "job")[:10],
        "active": selectors.active_ruleset(),
    }
    return render(request, "ddr/ruleset_list.html", context)


@role_required(*RULESET_EDIT_ROLES)
@require_POST
def ruleset_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new draft starts as a copy of the rule set in force (or the defaults)."""
    draft = services.ruleset_draft_from(selectors.active_ruleset(), by=request.user)
    return redirect("ddr:ruleset-edit", pk=draft.pk)


@role_required(*RULESET_READ_ROLES)
def ruleset_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ruleset = get_object_or_404(RuleSet, pk=pk)
    categories, labels = dict(Category.choices), dict(Pathway.choices)
    context = {
        "ruleset": ruleset,
        "category_pathways": [
            (categories.get(c, c), labels.get(p, p)) for c, p in (ruleset.category_pathways or {}).items()
        ],
        "quotas": [
            (labels.get(p, p), q.get("total"), sorted((q.get("regions") or {}).items()))
            for p, q in (ruleset.quotas or {}).items()
        ],
        "problems": selectors.ruleset_check(ruleset) if ruleset.status == "draft" else [],
    }
    return render(request, "ddr/ruleset_detail.html", context)


@role_required(*RULESET_EDIT_ROLES)
def ruleset_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ruleset = get_object_or_404(RuleSet, pk=pk, status=RuleSet.Status.DRAFT)  # only drafts change
    form = RuleSetForm(request.POST or None, instance=ruleset)
    if request.method == "POST" and form.is_valid():
        services.ruleset_save(ruleset=form.save(commit=False), by=request.user)
        messages.success(request, _("Draft saved."))
        return redirect("ddr:ruleset-detail", pk=ruleset.pk)
    return render(
        request,
        "ddr/ruleset_edit.html",
        {"form": form, "ruleset": ruleset},
        status=400 if form.errors else 200,
    )


@role_required(*RULESET_EDIT_ROLES)
def ruleset_what_if(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ruleset = get_object_or_404(RuleSet, pk=pk)
    return render(
        request, "ddr/ruleset_what_if.html", {"ruleset": ruleset, "result": selectors.what_if(ruleset)}
    )


@role_required(*RULESET_EDIT_ROLES)
def ruleset_what_if_people(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ruleset = get_object_or_404(RuleSet, pk=pk)
    source, target = request.GET.get("from", ""), request.GET.get("to", "")
    if source not in Pathway.values or target not in Pathway.values:
        return HttpResponse(_("Unknown pathway."), status=400)
    people = selectors.what_if_people(ruleset, from_pathway=source, to_pathway=target).filter(
        pk__in=Combatant.objects.for_user(request.user).values("pk")
    )
    if exported := table_export(request, "simulation", WHAT_IF_COLUMNS, people, identity=True):
        return exported
    page = CappedPaginator(people, 50).get_page(request.GET.get("page"))
    context = {
        "ruleset": ruleset,
        "page": page,
        "source": Pathway(source).label,
        "target": Pathway(target).label,
        "query": f"from={source}&to={target}",
    }
    return render(request, "ddr/ruleset_what_if_people.html", context)


@role_required(*RULESET_EDIT_ROLES)
@require_POST
def ruleset_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ruleset = get_object_or_404(RuleSet, pk=pk)
    with refusal_to(request):
        run = services.ruleset_activate(ruleset=ruleset, by=request.user)
        messages.success(request, _("Rule set activated: every pathway is being recomputed."))
        return redirect("ddr:eligibility-run", pk=run.pk)
    return redirect("ddr:ruleset-detail", pk=ruleset.pk)


@role_required(*RULESET_READ_ROLES)
def eligibility_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(EligibilityRun.objects.select_related("ruleset", "job", "started_by"), pk=pk)
    labels = dict(Pathway.choices)
    counts = sorted(((labels.get(p, p), n) for p, n in run.counts.items()), key=lambda t: -t[1])
    # The page polls itself (htmx) until the run is done, then shows its counts.
    template = (
        "ddr/_eligibility_run_status.html"
        if request.headers.get("HX-Request")
        else "ddr/eligibility_run.html"
    )
    return render(request, template, {"run": run, "job": run.job, "counts": counts})


@role_required(*RULESET_READ_ROLES)
def quota_use(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per pathway and region: the quota, places taken, people oriented and people waiting."""
    ruleset = selectors.active_ruleset()
    rows = (
        Combatant.objects.for_user(request.user)
        .exclude(status__in=selectors.GONE)
        .values("pathway", "region__code")
        .annotate(
            people=Count("id"),
            waiting=Count("waiting_place"),
            engaged=Count("id", filter=~Q(status__in=selectors.DECIDABLE)),
        )
        .order_by("pathway", "region__code")
    )
    quotas = (ruleset.quotas if ruleset else {}) or {}
    labels = dict(Pathway.choices)
    table = [
        {
            **r,
            "label": labels.get(r["pathway"], r["pathway"]),
            "total_quota": quotas.get(r["pathway"], {}).get("total"),
            "region_quota": (quotas.get(r["pathway"], {}).get("regions") or {}).get(r["region__code"]),
        }
        for r in rows
    ]
    if exported := table_export(request, "quotas", QUOTA_COLUMNS, table):
        return exported
    return render(request, "ddr/quota_use.html", {"table": table, "ruleset": ruleset})
