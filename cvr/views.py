"""Browser screens for CVR: projects (list, map, page, new), lifecycle steps, beneficiaries and
their import, partners and consortia, the yearly record."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import (
    ALL_ROLES,
    CASE_ROLES,
    MASTER_DATA_EDIT_ROLES,
    REGISTER_ROLES,
    VETTING_ROLES,
    has_role,
    role_required,
)
from core.audit import history_of
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.masterdata import edit_page
from core.models import Region
from core.suppression import for_analyst, visible
from core.uploads import errors_csv, errors_page
from cvr import selectors, services
from cvr.forms import (
    AdvanceForm,
    AnalysisForm,
    BeneficiaryForm,
    CommitteeForm,
    ConsortiumForm,
    ConsultationForm,
    ImportForm,
    PartnerForm,
    ProjectForm,
)
from cvr.models import (
    Beneficiary,
    BeneficiaryImport,
    Committee,
    Consortium,
    ParticipantMatch,
    Partner,
    Project,
    SOPVersion,
)
from ddr.models import Combatant, VettingMatch, VettingStatus
from ddr.screening.forms import VettingReviewForm

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
    Column(gettext_lazy("Code"), "code"),
    Column(gettext_lazy("Title"), "title"),
    Column(gettext_lazy("Type"), "get_kind_display"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Region"), "region.name"),
    Column(gettext_lazy("Partner"), lambda p: str(p.implementer or "")),
    Column(gettext_lazy("Budget (USD)"), "budget_usd"),
    Column(gettext_lazy("Planned start"), "start"),
    Column(gettext_lazy("Planned end"), "end"),
    Column(gettext_lazy("Target beneficiaries"), "target_beneficiaries"),
    Column(gettext_lazy("Target women"), "target_women"),
    Column(gettext_lazy("Ex-combatants"), "beneficiaries_ex_combatants"),
    Column(gettext_lazy("Community members"), "beneficiaries_community"),
    Column(gettext_lazy("Women"), "beneficiaries_women"),
    Column(gettext_lazy("Mix deviations"), lambda p: ", ".join(p.mix_flags)),
    Column(gettext_lazy("M&E visit due on"), "me_due_on"),
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
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("Registration no."), "combatant.registration_number"),
    Column(gettext_lazy("Name"), lambda b: b.combatant.full_name if b.combatant else b.name),
    Column(gettext_lazy("Sex"), "get_sex_display"),
    Column(gettext_lazy("Age band"), "age_band"),
    Column(gettext_lazy("Youth at risk"), lambda b: _("yes") if b.youth_at_risk else ""),
    Column(gettext_lazy("Village"), "village"),
]
PARTNER_COLUMNS = [
    Column(gettext_lazy("Name"), "name"),
    Column(gettext_lazy("Acronym"), "acronym"),
    Column(gettext_lazy("Type"), "get_kind_display"),
    Column(gettext_lazy("Registration number"), "registration_number"),
    Column(gettext_lazy("Regions of work"), lambda p: ", ".join(str(r) for r in p.regions.all())),
    Column(gettext_lazy("Capacity notes"), "capacity_notes"),
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
    can_vet = sees_people and user.role in VETTING_ROLES
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
        "analysis_form": AnalysisForm(instance=project) if can_edit else None,
        "consultation_form": ConsultationForm() if can_edit else None,
        "consultations": project.consultations.all(),
        # Free text may name people (a chief, a commander): analysts see that it exists, not what it says.
        "reads_notes": not analyst,
        # Weapons handed in count people (core.suppression): for analysts, a small count is not shown.
        "collected_weapons": (visible if analyst else int)(project.collected_weapons.count())
        if project.with_wam
        else None,
        "beneficiary_form": BeneficiaryForm(),
        "imports": project.imports.select_related("job")[:5],
        "vetting": _vetting_summary(project) if sees_people else [],
        "can_vet": can_vet,
        "matches": ParticipantMatch.objects.filter(
            beneficiary__project=project, status=VettingMatch.Status.PENDING
        ).select_related("beneficiary", "entry")
        if can_vet
        else [],
        "review_form": VettingReviewForm(),
        # Analysts: no history, whose before and after would give the exact counts.
        "history": [] if analyst else history_of(project),
    }
    return render(request, "cvr/project_detail.html", context)


def _vetting_summary(project: Project) -> list[tuple[str, int]]:
    """How many participants stand at each vetting status (an ex-combatant: the register's)."""
    counts = project.participants.aggregate(
        **{
            status: Count(
                "id",
                filter=Q(kind=Beneficiary.Kind.COMMUNITY, vetting_status=status)
                | Q(kind=Beneficiary.Kind.EX_COMBATANT, combatant__vetting_status=status),
            )
            for status in VettingStatus.values
        }
    )
    return [(str(VettingStatus(s).label), counts[s]) for s in VettingStatus.values if counts[s]]


@role_required(*VETTING_ROLES)
@require_POST
def participants_screen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    found = services.participants_screen(project=project, by=request.user)
    messages.success(request, _("%(n)s possible matches to review.") % {"n": found})
    return redirect(reverse("cvr:project-detail", args=[pk]) + "#vetting")


@role_required(*VETTING_ROLES)
@require_POST
def participant_match_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(
        ParticipantMatch.objects.select_related("beneficiary__project"),
        pk=pk,
        beneficiary__project__in=Project.objects.for_user(request.user),
    )
    back = reverse("cvr:project-detail", args=[match.beneficiary.project_id]) + "#vetting"
    form = VettingReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Decision not recorded: %(errors)s") % {"errors": form_errors(form)})
        return redirect(back)
    with refusal_to(request):
        services.participant_match_review(match=match, by=request.user, **form.cleaned_data)
        messages.success(request, _("Decision recorded."))
    return redirect(back)


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
def project_analysis(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = AnalysisForm(request.POST, instance=project)
    if not form.is_valid():
        messages.error(request, _("Analysis not recorded: %(errors)s") % {"errors": form_errors(form)})
        return redirect("cvr:project-detail", pk=pk)
    services.project_analysis_record(project=project, by=request.user, **form.cleaned_data)
    messages.success(request, _("Analysis recorded."))
    return redirect("cvr:project-detail", pk=pk)


@role_required(*CVR_ROLES)
@require_POST
def consultation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = ConsultationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Consultation not recorded: %(errors)s") % {"errors": form_errors(form)})
        return redirect("cvr:project-detail", pk=pk)
    with refusal_to(request):
        services.consultation_record(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("Consultation recorded."))
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
    context = {
        "partners": partners,
        "consortia": consortia,
        "can_edit": has_role(request.user, MASTER_DATA_EDIT_ROLES),
    }
    return render(request, "cvr/partner_list.html", context)


@role_required(*ALL_ROLES)
def partner_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.prefetch_related("regions"), pk=pk)
    # A regional officer reads the committees of their region only.
    committees = (
        Committee.objects.for_user(request.user).filter(partner=partner).select_related("project", "region")
    )
    analyst = for_analyst(request.user)
    context = {
        "partner": partner,
        "committees": committees,
        "can_edit": has_role(request.user, MASTER_DATA_EDIT_ROLES),
        "history": [] if analyst else history_of(partner),
        "reads_contact": not analyst,  # a named person
    }
    return render(request, "cvr/partner_detail.html", context)


@role_required(*MASTER_DATA_EDIT_ROLES)
def partner_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk) if pk else None
    form = PartnerForm(request.POST or None, instance=partner)
    return edit_page(
        request,
        form=form,
        save=lambda values: services.partner_save(partner=partner, by=request.user, **values),
        title=_("Change the partner %(name)s") % {"name": partner} if partner else _("New partner"),
        back=partner.get_absolute_url() if partner else reverse("cvr:partner-list"),
        record=partner,
    )


@role_required(*MASTER_DATA_EDIT_ROLES)
def committee_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _committee_page(request, get_object_or_404(Partner, pk=pk), None)


@role_required(*MASTER_DATA_EDIT_ROLES)
def committee_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(Committee.objects.select_related("partner"), pk=pk)
    return _committee_page(request, committee.partner, committee)


def _committee_page(
    request: AuthenticatedHttpRequest, partner: Partner, committee: Committee | None
) -> HttpResponse:
    form = CommitteeForm(request.POST or None, instance=committee, partner=partner)
    return edit_page(
        request,
        form=form,
        save=lambda values: services.committee_save(
            committee=committee, partner=partner, by=request.user, **values
        ),
        title=(
            _("Change the committee %(name)s") % {"name": committee.name}
            if committee
            else _("New committee of %(partner)s") % {"partner": partner}
        ),
        back=partner.get_absolute_url(),
        record=committee,
        intro=_("A committee that stops is dissolved (give the date): it is never deleted."),
    )


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
    Column(gettext_lazy("Budget year"), "year"),
    Column(gettext_lazy("Group"), "group"),
    Column(gettext_lazy("Projects"), "projects"),
    Column(gettext_lazy("Budget (USD)"), "budget_usd"),
    Column(gettext_lazy("Targeted"), "targeted"),
    Column(gettext_lazy("of whom women"), "targeted_women"),
    Column(gettext_lazy("Reached"), "reached"),
    Column(gettext_lazy("of whom women"), "reached_women"),
    Column(gettext_lazy("Ex-combatants"), "ex_combatants"),
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
