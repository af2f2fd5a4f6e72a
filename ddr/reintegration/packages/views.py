"""Browser screens: the package catalogue and its versions, enrolment of a person or a cohort,
and the budget per funding source and package."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import (
    BUDGET_ROLES,
    MASTER_DATA_EDIT_ROLES,
    PACKAGE_EDIT_ROLES,
    REINTEGRATION_ROLES,
    has_role,
    role_required,
)
from core.dates import shown_date
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.masterdata import edit_page
from core.models import Job
from ddr.registration.models import Combatant
from ddr.reintegration.packages import rules, selectors, services
from ddr.reintegration.packages.forms import (
    CatalogueFilterForm,
    CohortFilterForm,
    CohortPackageForm,
    ComponentForm,
    DropForm,
    EnrolForm,
    FundingSourceForm,
    PackageForm,
)
from ddr.reintegration.packages.models import Component, Enrolment, FundingSource, Package

# --- the catalogue ------------------------------------------------------------------------


@role_required(*REINTEGRATION_ROLES)
def package_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    on = timezone.localdate()
    filters = CatalogueFilterForm(request.GET)
    context = {
        "entries": selectors.catalogue(filters.apply(Package.objects.all(), on), on),
        "filter": filters,
        "can_edit": has_role(request.user, PACKAGE_EDIT_ROLES),
    }
    return render(request, "ddr/reintegration/package_list.html", context)


@role_required(*REINTEGRATION_ROLES)
def package_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    package = get_object_or_404(Package.objects.select_related("funding_source"), pk=pk)
    enrolments = dict(package.enrolments.values_list("status").annotate(n=Count("pk")).order_by())
    labels = dict(Enrolment.Status.choices)
    context = {
        "package": package,
        "served": selectors.who_may_receive(package),
        "in_force": rules.in_force(package, timezone.localdate()),
        "components": package.components.select_related("trade").order_by("position", "id"),
        "versions": Package.objects.filter(code=package.code)
        .annotate(enrolled=Count("enrolments"))
        .order_by("-version"),
        "enrolments": [(labels[s], enrolments[s]) for s in labels if s in enrolments],
        "enrolled": sum(enrolments.values()),
        "can_edit": has_role(request.user, PACKAGE_EDIT_ROLES),
    }
    return render(request, "ddr/reintegration/package_detail.html", context)


@role_required(*PACKAGE_EDIT_ROLES)
def package_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PackageForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            package = services.package_create(package=form.save(commit=False), by=request.user)
            messages.success(request, _("Package created: add what it gives."))
            return redirect("ddr:package-detail", pk=package.pk)
    status = 400 if form.errors else 200
    return render(request, "ddr/reintegration/package_edit.html", {"form": form}, status=status)


@role_required(*PACKAGE_EDIT_ROLES)
def package_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    package = get_object_or_404(Package, pk=pk)
    if package.enrolments.exists():
        messages.error(request, _("People are enrolled in this version: make a new version to change it."))
        return redirect("ddr:package-detail", pk=package.pk)
    form = PackageForm(request.POST or None, instance=package)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.package_save(package=form.save(commit=False), by=request.user)
            messages.success(request, _("Package saved."))
            return redirect("ddr:package-detail", pk=package.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "package": package}
    return render(request, "ddr/reintegration/package_edit.html", context, status=status)


@role_required(*PACKAGE_EDIT_ROLES)
@require_POST
def package_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Package, pk=pk)
    with refusal_to(request):
        copy = services.package_new_version(source=source, by=request.user)
        messages.success(
            request,
            _("Version %(v)s made from version %(old)s: it starts on %(d)s. Change it before it is used.")
            % {"v": copy.version, "old": source.version, "d": shown_date(copy.effective_from)},
        )
        return redirect("ddr:package-detail", pk=copy.pk)
    return redirect("ddr:package-detail", pk=source.pk)


@role_required(*PACKAGE_EDIT_ROLES)
def component_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    package = get_object_or_404(Package, pk=pk)
    position = package.components.count() + 1
    form = ComponentForm(request.POST or None, instance=Component(package=package, position=position))
    return _component_form(request, form, package)


@role_required(*PACKAGE_EDIT_ROLES)
def component_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    component = get_object_or_404(Component.objects.select_related("package"), pk=pk)
    return _component_form(
        request, ComponentForm(request.POST or None, instance=component), component.package
    )


def _component_form(request: AuthenticatedHttpRequest, form: ComponentForm, package: Package) -> HttpResponse:
    if package.enrolments.exists():
        messages.error(request, _("People are enrolled in this version: make a new version to change it."))
        return redirect("ddr:package-detail", pk=package.pk)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.component_save(component=form.save(commit=False), by=request.user)
            messages.success(request, _("Component saved."))
            return redirect("ddr:package-detail", pk=package.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "package": package}
    return render(request, "ddr/reintegration/component_edit.html", context, status=status)


@role_required(*PACKAGE_EDIT_ROLES)
@require_POST
def component_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    component = get_object_or_404(Component, pk=pk)
    package_pk = component.package_id
    with refusal_to(request):
        services.component_remove(component=component, by=request.user)
        messages.success(request, _("Component removed."))
    return redirect("ddr:package-detail", pk=package_pk)


# --- enrolment ----------------------------------------------------------------------------


def _person_page(person_pk: int) -> str:
    return reverse("ddr:person-detail", kwargs={"pk": person_pk}) + "?tab=reintegration#reintegration"


@role_required(*REINTEGRATION_ROLES)
@require_POST
def person_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Out of scope (another region, a child) is "not found", like the person's page.
    person = get_object_or_404(Combatant.objects.for_user(request.user), pk=pk)
    form = EnrolForm(request.POST, packages=Package.objects.all())
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_person_page(person.pk))
    with refusal_to(request):
        enrolment = services.enrolment_create(
            person=person,
            package=form.cleaned_data["package"],
            on=form.cleaned_data["enrolled_on"],
            by=request.user,
        )
        messages.success(
            request,
            _("Enrolled in %(package)s: %(n)s entitlements planned.")
            % {"package": enrolment.package, "n": enrolment.entitlements.count()},
        )
    return redirect(_person_page(person.pk))


@role_required(*REINTEGRATION_ROLES)
@require_POST
def enrolment_drop(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.for_user(request.user), pk=pk)
    form = DropForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_person_page(enrolment.combatant_id))
    with refusal_to(request):
        services.enrolment_drop(
            enrolment=enrolment,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(request, _("Dropout recorded; what was still due is cancelled."))
    return redirect(_person_page(enrolment.combatant_id))


@role_required(*REINTEGRATION_ROLES)
def cohort_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose a package and a filter of people, see who may be enrolled and why the others may
    not, then confirm (POST, same query): enrolled at once, or on the worker when it is large."""
    query = request.GET.copy()
    if "package" in query and not query.get("on"):
        query["on"] = timezone.localdate().isoformat()  # a link from the package's page: today
    chosen = CohortPackageForm(query if "package" in query else None)
    people_filter = CohortFilterForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {
        "package_form": chosen,
        "filter": people_filter,
        "query": query.urlencode(),
    }
    if not (chosen.is_valid() and people_filter.is_valid()):
        return render(
            request, "ddr/reintegration/cohort_enrol.html", context, status=_status(request, chosen)
        )
    package, on = chosen.cleaned_data["package"], chosen.cleaned_data["on"]
    filters = people_filter.filters()
    people = selectors.cohort_people(request.user, filters)
    refusal = ""
    if not rules.in_force(package, on):
        refusal = str(rules.MESSAGES[rules.NOT_IN_FORCE]) % {
            "package": package,
            "on": shown_date(on),
        }
    elif not package.components.exists():
        refusal = str(rules.NO_COMPONENT) % {"package": package}
    preview = selectors.cohort_preview(people, package)
    if request.method == "POST" and not refusal and preview.may:
        if preview.may > services.COHORT_JOB_THRESHOLD:
            job = services.cohort_enrol_queue(
                package=package, filters=filters, on=on, by=request.user, total=preview.total
            )
            return redirect("ddr:package-enrol-cohort-job", pk=job.pk)
        with refusal_to(request):
            enrolled, left_out = services.cohort_enrol(people=people, package=package, on=on, by=request.user)
            messages.success(
                request,
                _("%(n)s enrolled in %(package)s, %(m)s left out.")
                % {"n": enrolled, "m": left_out, "package": package},
            )
            return redirect("ddr:package-detail", pk=package.pk)
        return redirect(f"{reverse('ddr:package-enrol-cohort')}?{query.urlencode()}")
    context |= {
        "package": package,
        "on": on,
        "preview": preview,
        "refusal": refusal,
        "on_worker": preview.may > services.COHORT_JOB_THRESHOLD,
    }
    return render(request, "ddr/reintegration/cohort_enrol.html", context)


def _status(request: AuthenticatedHttpRequest, form: CohortPackageForm) -> int:
    return 400 if request.method == "POST" or form.errors else 200


@role_required(*REINTEGRATION_ROLES)
def cohort_enrol_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk, kind="package_cohort_enrol", created_by=request.user)
    return render(request, "ddr/reintegration/cohort_enrol_job.html", {"job": job})


# --- the budget ---------------------------------------------------------------------------

BUDGET_COLUMNS = [
    Column(gettext_lazy("Funding source"), "source"),
    Column(gettext_lazy("Package"), "package"),
    Column(gettext_lazy("Envelope (XOF)"), "envelope"),
    Column(gettext_lazy("Committed (XOF)"), "committed"),
    Column(gettext_lazy("Disbursed (XOF)"), "disbursed"),
    Column(gettext_lazy("Remaining (XOF)"), "remaining"),
    Column(gettext_lazy("Overdue (XOF)"), "overdue"),
    Column(gettext_lazy("Due within 30 days (XOF)"), "due_30"),
    Column(gettext_lazy("Due within 90 days (XOF)"), "due_90"),
]


def _budget_rows(sources: list[selectors.SourceBudget], total: selectors.Figures) -> list[dict[str, Any]]:
    def row(source: str, package: str, f: selectors.Figures) -> dict[str, Any]:
        return {
            "source": source,
            "package": package,
            "envelope": f.envelope,
            "committed": f.committed,
            "disbursed": f.disbursed,
            "remaining": f.remaining,
            "overdue": f.overdue,
            "due_30": f.due_30,
            "due_90": f.due_90,
        }

    rows = []
    for entry in sources:
        rows.append(row(entry.source.name, _("All its packages"), entry.figures))
        rows += [
            row(entry.source.name, f"{line.name} ({line.code})", line.figures) for line in entry.packages
        ]
    rows.append(row(_("Total"), "", total))
    return rows


@role_required(*BUDGET_ROLES)
def budget(request: AuthenticatedHttpRequest) -> HttpResponse:
    on = timezone.localdate()
    sources, total = selectors.budget(request.user, on)
    if exported := table_export(
        request, "budget-reintegration", BUDGET_COLUMNS, _budget_rows(sources, total)
    ):
        return exported
    return render(request, "ddr/reintegration/budget.html", {"sources": sources, "total": total, "on": on})


# --- funding sources: master data kept by national staff ----------------------------------


@role_required(*BUDGET_ROLES)
def funding_source_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    sources = FundingSource.objects.annotate(package_count=Count("packages"))
    context = {"sources": sources, "can_edit": has_role(request.user, MASTER_DATA_EDIT_ROLES)}
    return render(request, "ddr/reintegration/funding_source_list.html", context)


@role_required(*MASTER_DATA_EDIT_ROLES)
def funding_source_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    source = get_object_or_404(FundingSource, pk=pk) if pk else None
    form = FundingSourceForm(request.POST or None, instance=source)
    return edit_page(
        request,
        form=form,
        save=lambda values: services.funding_source_save(source=source, by=request.user, **values),
        title=_("Change the funding source %(name)s") % {"name": source.name}
        if source
        else _("New funding source"),
        back=reverse("ddr:funding-source-list"),
        record=source,
    )
