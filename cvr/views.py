"""Browser screens for CVR: projects (list, map, page, new), lifecycle steps, beneficiaries and
their import, partners and consortia, the yearly record."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import ALL_ROLES, CASE_ROLES, REGISTER_ROLES, role_required
from core.audit import history_of
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.models import Region
from core.suppression import for_analyst
from core.uploads import errors_csv, errors_page
from cvr import selectors, services
from cvr.forms import AdvanceForm, BeneficiaryForm, ConsortiumForm, ImportForm, ProjectForm
from cvr.models import Beneficiary, BeneficiaryImport, Consortium, Partner, Project, SOPVersion
from ddr.models import Combatant

CVR_ROLES = REGISTER_ROLES
# Decided in Bamako: the project appraisal committee and the Human Rights section's vetting.
NATIONAL_STEPS = frozenset({Project.Status.PAC, Project.Status.VETTED})
BENEFICIARIES_PER_PAGE = 100


def _filtered(request: HttpRequest) -> tuple[QuerySet[Project], dict[str, str]]:
    projects: QuerySet[Project] = Project.objects.for_user(request.user)
    chosen = {k: request.GET.get(k, "") for k in ("region", "status", "kind", "year", "flag")}
    if chosen["region"]:
        projects = projects.filter(region__code=chosen["region"])
    if chosen["status"] in Project.Status.values:
        projects = projects.filter(status=chosen["status"])
    if chosen["kind"] in Project.Kind.values:
        projects = projects.filter(kind=chosen["kind"])
    if chosen["year"][:4].isdigit():
        projects = projects.annotate(year=selectors.budget_year()).filter(year=int(chosen["year"][:4]))
    if chosen["flag"] == "mix":
        projects = projects.exclude(mix_flags=[])
    elif chosen["flag"] in Project.VisitFlag.values[1:]:
        projects = projects.filter(me_flag=chosen["flag"])
    return projects, chosen


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


PROJECT_COLUMNS = [
    Column(_("Code"), "code"),
    Column(_("Title"), "title"),
    Column(_("Type"), "get_kind_display"),
    Column(_("Status"), "get_status_display"),
    Column(_("Region"), "region.name"),
    Column(_("Partner"), lambda p: str(p.implementer or "")),
    Column(_("Budget (USD)"), "budget_usd"),
    Column(_("Planned start"), "start"),
    Column(_("Planned end"), "end"),
    Column(_("Target beneficiaries"), "target_beneficiaries"),
    Column(_("Target women"), "target_women"),
    Column(_("Ex-combatants"), "beneficiaries_ex_combatants"),
    Column(_("Community members"), "beneficiaries_community"),
    Column(_("Women"), "beneficiaries_women"),
    Column(_("Mix deviations"), lambda p: ", ".join(p.mix_flags)),
    Column(_("M&E visit due on"), "me_due_on"),
]


@role_required(*ALL_ROLES)
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    projects, chosen = _filtered(request)
    projects = projects.select_related("region", "partner", "consortium").order_by("-start", "code")
    analyst = for_analyst(request.user)
    sops = list(SOPVersion.objects.all())
    shown = (
        [selectors.as_analyst_reads(p, sops) for p in projects.select_related("sop")] if analyst else projects
    )
    if exported := table_export(request, "cvr-projects", PROJECT_COLUMNS, shown):
        return exported
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "chosen": chosen,
        "query": _without_page(request),
        "regions": Region.objects.order_by("name"),
        "statuses": Project.Status.choices,
        "kinds": Project.Kind.choices,
        "portfolio": selectors.portfolio_mix(projects, suppressed=analyst),
        "can_edit": request.user.role in CVR_ROLES,
    }
    return render(request, "cvr/project_list.html", context)


def _project(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(
        Project.objects.for_user(request.user).select_related(
            "region", "cercle", "partner", "consortium__lead", "sop", "transferred_to"
        ),
        pk=pk,
    )


BENEFICIARY_COLUMNS = [
    Column(_("Kind"), "get_kind_display"),
    Column(_("Registration no."), "combatant.registration_number"),
    Column(_("Name"), lambda b: b.combatant.full_name if b.combatant else b.name),
    Column(_("Sex"), "get_sex_display"),
    Column(_("Age band"), "age_band"),
    Column(_("Youth at risk"), lambda b: _("yes") if b.youth_at_risk else ""),
    Column(_("Village"), "village"),
]
PARTNER_COLUMNS = [
    Column(_("Name"), "name"),
    Column(_("Acronym"), "acronym"),
    Column(_("Type"), "get_kind_display"),
    Column(_("Registration number"), "registration_number"),
    Column(_("Regions of work"), lambda p: ", ".join(str(r) for r in p.regions.all())),
    Column(_("Capacity notes"), "capacity_notes"),
]


@role_required(*ALL_ROLES)
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    user = request.user
    sees_people = user.role in CASE_ROLES
    # Beneficiaries the user may see (community members: by the project's region); the mix counts
    # everyone.
    participants = (
        Beneficiary.objects.for_user(user)
        .filter(project=project)
        .select_related("combatant")
        .order_by("kind", "name", "id")
    )
    if sees_people and (
        exported := table_export(
            request, f"rvc-{project.code}", BENEFICIARY_COLUMNS, participants, identity=True
        )
    ):
        return exported
    analyst = for_analyst(user)
    if analyst:  # the counts as visible cells, the mix and its deviations judged on them
        selectors.as_analyst_reads(project)
    can_edit = user.role in CVR_ROLES
    context = {
        "project": project,
        "events": project.events.select_related("recorded_by"),
        "mix": services.mix_of(project),
        "deviations": services.deviations(project),
        "sees_people": sees_people,
        "page": Paginator(participants, BENEFICIARIES_PER_PAGE).get_page(request.GET.get("page"))
        if sees_people
        else None,
        "can_edit": can_edit,
        "advance_form": AdvanceForm(project=project) if can_edit else None,
        "beneficiary_form": BeneficiaryForm(),
        "imports": project.imports.select_related("job")[:5],
        # Analysts: no history, whose before and after would give the exact counts.
        "history": [] if analyst else history_of(project),
    }
    return render(request, "cvr/project_detail.html", context)


@role_required(*CVR_ROLES)
def project_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Project %(code)s saved as a draft.") % {"code": project.code})
        return redirect("cvr:project-detail", pk=project.pk)
    return render(request, "cvr/project_new.html", {"form": form})


@role_required(*CVR_ROLES)
@require_POST
def project_advance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = AdvanceForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, _("Step not recorded: %(errors)s") % {"errors": form_errors(form)})
        return redirect("cvr:project-detail", pk=pk)
    if form.cleaned_data["to"] in NATIONAL_STEPS and request.user.role == Role.REGIONAL_OFFICER:
        messages.error(
            request, _("This step is decided nationally (Bamako): a commission officer records it.")
        )
        return redirect("cvr:project-detail", pk=pk)
    with refusal_to(request):
        services.project_advance(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("Step recorded."))
    return redirect("cvr:project-detail", pk=pk)


@role_required(*CVR_ROLES)
@require_POST
def beneficiary_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = BeneficiaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Beneficiary not added: %(errors)s") % {"errors": form_errors(form)})
        return redirect("cvr:project-detail", pk=pk)
    data = form.cleaned_data
    person = None
    if data["kind"] == "ex_combatant":
        number = data["registration_number"].strip().upper()
        person = Combatant.objects.for_user(request.user).filter(registration_number=number).first()
        if person is None:
            messages.error(request, _("No registered person %(n)s in your scope.") % {"n": number or "—"})
            return redirect("cvr:project-detail", pk=pk)
    values = {k: data[k] for k in ("sex", "age_band", "village", "youth_at_risk", "name")}
    with refusal_to(request):
        services.beneficiary_add(project=project, by=request.user, person=person, **values)
        messages.success(request, _("Beneficiary added; the mix is being recomputed."))
    return redirect("cvr:project-detail", pk=pk)


@role_required(*CVR_ROLES)
def beneficiary_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    user = request.user
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = services.beneficiary_import_start(project=project, file=form.cleaned_data["file"], by=user)
        return redirect("cvr:import-detail", pk=record.pk)
    return render(request, "cvr/beneficiary_import.html", {"project": project, "form": form})


@role_required(*CVR_ROLES)
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    record = get_object_or_404(
        BeneficiaryImport.objects.select_related("job", "project").filter(created_by=user), pk=pk
    )
    context = {
        "record": record,
        "errors": errors_page(request, record.errors),
        "error_count": record.error_count or len(record.errors),
    }
    if request.headers.get("HX-Request"):
        return render(request, "cvr/_import_status.html", context)
    return render(request, "cvr/import_detail.html", context)


@role_required(*CVR_ROLES)
def import_errors(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    record = get_object_or_404(BeneficiaryImport.objects.filter(created_by=user), pk=pk)
    return errors_csv(
        f"erreurs-beneficiaires-{record.pk}.csv",
        record.errors,
        total=record.error_count or len(record.errors),
        message=record.message,
    )


@role_required(*ALL_ROLES)
def partner_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    partners = Partner.objects.prefetch_related("regions").order_by("name")
    consortia = Consortium.objects.select_related("lead").prefetch_related("members")
    if exported := table_export(request, "partenaires", PARTNER_COLUMNS, partners):
        return exported
    return render(request, "cvr/partner_list.html", {"partners": partners, "consortia": consortia})


@role_required(*CVR_ROLES)
def consortium_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ConsortiumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.consortium_create(by=request.user, **form.cleaned_data)
            messages.success(request, _("Consortium recorded."))
            return redirect("cvr:partner-list")
    return render(request, "cvr/consortium_new.html", {"form": form})


YEARLY_COLUMNS = [
    Column(_("Budget year"), "year"),
    Column(_("Group"), "group"),
    Column(_("Projects"), "projects"),
    Column(_("Budget (USD)"), "budget_usd"),
    Column(_("Targeted"), "targeted"),
    Column(_("of whom women"), "targeted_women"),
    Column(_("Reached"), "reached"),
    Column(_("of whom women"), "reached_women"),
    Column(_("Ex-combatants"), "ex_combatants"),
]


@role_required(*ALL_ROLES)
def yearly_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    projects, chosen = _filtered(request)
    by = request.GET.get("by", "")
    rows = selectors.yearly_record(projects, by, suppressed=for_analyst(request.user))
    if exported := table_export(request, "cvr-yearly-record", YEARLY_COLUMNS, rows):
        return exported
    context = {"rows": rows, "by": by, "chosen": chosen, "query": request.GET.urlencode()}
    return render(request, "cvr/yearly_record.html", context)


@role_required(*ALL_ROLES)
def project_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "cvr/project_map.html", {"tile_url": settings.MAP_TILE_URL})


@role_required(*ALL_ROLES)
def project_map_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    projects = Project.objects.for_user(request.user).exclude(latitude=None).exclude(longitude=None)
    sops = list(SOPVersion.objects.all())
    placed: list[Project] = (
        [selectors.as_analyst_reads(p, sops) for p in projects.select_related("sop")]
        if for_analyst(request.user)
        else list(
            projects.only(
                "code",
                "title",
                "status",
                "kind",
                "latitude",
                "longitude",
                "beneficiaries_ex_combatants",
                "beneficiaries_community",
            )
        )
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(p.longitude or 0), float(p.latitude or 0)]},
            "properties": {
                "name": f"{p.code} {p.title}",
                "status": p.status,
                "status_label": p.get_status_display(),
                "kind": p.get_kind_display(),
                "beneficiaries": p.beneficiaries,
                "url": reverse("cvr:project-detail", args=[p.pk]),
            },
        }
        for p in placed
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
