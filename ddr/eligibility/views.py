"""Browser screens for rule sets: edit a draft, see its what-if, activate it, follow the run."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import CASE_ROLES, RULESET_EDIT_ROLES, RULESET_READ_ROLES, role_required
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.pagination import CappedPaginator
from ddr.eligibility import selectors, services
from ddr.eligibility.forms import RuleSetActivateForm, RuleSetForm
from ddr.eligibility.models import EligibilityRun, RuleSet
from ddr.registration.models import Category, Combatant, Pathway

RULESET_COLUMNS = [
    Column(gettext_lazy("Rule set"), str),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("From"), "effective_from"),
    Column(gettext_lazy("Until"), "effective_to"),
    Column(gettext_lazy("Activated by"), lambda r: str(r.activated_by or "")),
]
WHAT_IF_COLUMNS = [
    Column(gettext_lazy("Registration number"), "registration_number"),
    Column(gettext_lazy("Name"), "family_name"),
    Column(gettext_lazy("Given name"), "given_name"),
    Column(gettext_lazy("Region"), "region.code"),
    Column(gettext_lazy("Movement"), "movement.code"),
    Column(gettext_lazy("Category"), "get_category_display"),
]
QUOTA_COLUMNS = [
    Column(gettext_lazy("Pathway"), "label"),
    Column(gettext_lazy("Region"), lambda r: r.region or _("All regions")),
    Column(gettext_lazy("People"), "people"),
    Column(gettext_lazy("Places taken"), "taken"),
    Column(gettext_lazy("Waiting"), "waiting"),
    Column(gettext_lazy("Quota"), "quota"),
]
WAITING_COLUMNS = [
    Column(gettext_lazy("Position"), "position"),
    Column(gettext_lazy("Registration number"), "combatant.registration_number"),
    Column(gettext_lazy("Name"), "combatant.family_name"),
    Column(gettext_lazy("Given name"), "combatant.given_name"),
    Column(gettext_lazy("Region"), "combatant.region.code"),
    Column(gettext_lazy("Movement"), "combatant.movement.code"),
    Column(gettext_lazy("Registered on"), "combatant.registered_at"),
    Column(gettext_lazy("Birth year"), "combatant.birth_year"),
    Column(gettext_lazy("Waiting since"), "since"),
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
    ruleset = get_object_or_404(RuleSet.objects.select_related("decision"), pk=pk)
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
        "requirements": selectors.requirement_table(ruleset),
        "problems": selectors.ruleset_check(ruleset) if ruleset.status == "draft" else [],
        "activate_form": RuleSetActivateForm(auto_id="activate-%s"),
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
    if request.POST.get("confirm") != "yes":  # it may change thousands of decisions at once
        messages.error(request, _("Not activated: tick the confirmation first."))
        return redirect("ddr:ruleset-detail", pk=ruleset.pk)
    form = RuleSetActivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not activated: %(errors)s") % {"errors": form_errors(form)})
        return redirect("ddr:ruleset-detail", pk=ruleset.pk)
    with refusal_to(request):
        run = services.ruleset_activate(
            ruleset=ruleset, by=request.user, decision=form.cleaned_data["decision"]
        )
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
    """Per pathway, nationally and per region: the quota, places taken (with a bar), people waiting."""
    ruleset = selectors.active_ruleset()
    table = selectors.quota_table(request.user, ruleset)
    if exported := table_export(request, "quotas", QUOTA_COLUMNS, table):
        return exported
    return render(request, "ddr/quota_use.html", {"table": table, "ruleset": ruleset})


@role_required(*CASE_ROLES)
def waiting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who waits for a place on a pathway, in the order they would get one, and the rule that
    orders them; only the people the reader may see (positions stay the national ones)."""
    ruleset = selectors.active_ruleset()
    pathways = selectors.quota_pathways(ruleset)
    pathway = request.GET.get("pathway") or (pathways[0] if pathways else "")
    if pathway and pathway not in Pathway.values:
        return HttpResponse(_("Unknown pathway."), status=400)
    places = selectors.waiting_list(request.user, pathway)
    if exported := table_export(request, "attente", WAITING_COLUMNS, places, identity=True):
        return exported
    counts = selectors.waiting_counts(request.user)
    labels = dict(Pathway.choices)
    context = {
        "ruleset": ruleset,
        "pathway": pathway,
        "label": labels.get(pathway, pathway),
        "quota": ((ruleset.quotas if ruleset else None) or {}).get(pathway),
        "tabs": [(p, labels.get(p, p), counts.get(p, 0)) for p in sorted({*pathways, *counts})],
        "page": CappedPaginator(places, 50).get_page(request.GET.get("page")),
        "query": f"pathway={pathway}",
    }
    return render(request, "ddr/waiting_list.html", context)


@role_required(*RULESET_EDIT_ROLES)
def ruleset_what_if_waiting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who would wait on a pathway if the rule set were activated, in the order they would get a place."""
    ruleset = get_object_or_404(RuleSet, pk=pk)
    pathway = request.GET.get("pathway", "")
    if pathway not in Pathway.values:
        return HttpResponse(_("Unknown pathway."), status=400)
    predicted = selectors.what_if_waiting(
        ruleset, pathway=pathway, visible=Combatant.objects.for_user(request.user)
    )
    if exported := table_export(
        request, "simulation-attente", WAITING_COLUMNS[:-1], predicted[0 : predicted.count()], identity=True
    ):
        return exported
    context: dict[str, Any] = {
        "ruleset": ruleset,
        "pathway": pathway,
        "label": Pathway(pathway).label,
        "quota": (ruleset.quotas or {}).get(pathway),
        # ranked once (ids and positions), then the page reads its fifty people
        "page": Paginator(cast("Any", predicted), 50).get_page(request.GET.get("page")),
        "query": f"pathway={pathway}",
    }
    return render(request, "ddr/ruleset_what_if_waiting.html", context)
