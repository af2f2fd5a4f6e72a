"""Browser screens for sites: the list and the map, a site's page with its lifecycle, occupancy and
stays; check-in, check-out, capacity and lifecycle steps."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import ALL_ROLES, CANTONMENT_ROLES, CASE_ROLES, role_required
from cantonment.sites import rules, selectors, services
from cantonment.sites.forms import CapacityForm, CheckInForm, CheckOutForm, SiteAdvanceForm, SiteProposalForm
from cantonment.sites.models import CantonmentStay, Site
from cantonment.weapons.models import WamItem
from core.audit import history_of
from core.dates import past_interim_end, shown_date
from core.errors import refusal_to
from core.exports import Column, table_export
from core.forms import form_errors
from core.pagination import CappedPaginator
from core.suppression import for_analyst

STAYS_PER_PAGE = 100


def _site(request: HttpRequest, pk: int) -> Site:
    return get_object_or_404(Site.objects.for_user(request.user), pk=pk)


SITE_COLUMNS = [
    Column(gettext_lazy("Name"), "name"),
    Column(gettext_lazy("Type"), "get_kind_display"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Region"), "region.name"),
    Column(gettext_lazy("Proposed by"), lambda s: str(s.proposed_by or "")),
    Column(gettext_lazy("Capacity"), "capacity"),
    Column(gettext_lazy("Places for women"), "places_for_women"),
    Column(gettext_lazy("Present"), "occupancy"),
    Column(gettext_lazy("Overstays"), "overstays"),
]
STAY_COLUMNS = [
    Column(gettext_lazy("Registration no."), "combatant.registration_number"),
    Column(gettext_lazy("Name"), "combatant.family_name"),
    Column(gettext_lazy("Given name"), "combatant.given_name"),
    Column(gettext_lazy("Checked in on"), "checked_in_on"),
    Column(gettext_lazy("Leave by"), "leave_by"),
    Column(gettext_lazy("Alert"), "get_flag_display"),
]


@role_required(*ALL_ROLES)
def site_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    sites = (
        Site.objects.for_user(request.user)
        .select_related("region", "proposed_by")
        .annotate(
            overstays=Count("stays", filter=Q(stays__checked_out_on__isnull=True, stays__flag="overstay"))
        )
    )
    today = timezone.localdate()
    late_ids = set(selectors.late(sites, today).values_list("pk", flat=True))
    late_only = bool(request.GET.get("late"))
    if late_only:
        sites = sites.filter(pk__in=late_ids)
    shown = _as_analyst_reads(request, sites)
    if exported := table_export(request, "sites", SITE_COLUMNS, shown):
        return exported
    return render(
        request, "cantonment/site_list.html", {"sites": shown, "late_ids": late_ids, "late_only": late_only}
    )


STAY_LIST_COLUMNS = [*STAY_COLUMNS[:3], Column(gettext_lazy("Site"), "site.name"), *STAY_COLUMNS[3:]]


@role_required(*CANTONMENT_ROLES)
def stay_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open stays the user may see, on every site (a stay is the person's, whatever the site's
    region): all, or those of one flag (`?flag=overstay`, `?flag=ending_soon`), as the home page
    counts them."""
    flag = request.GET.get("flag", "")
    stays: QuerySet[CantonmentStay] = CantonmentStay.objects.for_user(request.user).filter(
        checked_out_on__isnull=True
    )
    if flag in (CantonmentStay.Flag.OVERSTAY, CantonmentStay.Flag.ENDING_SOON):
        stays = selectors.open_flagged(stays, flag)
    else:
        flag = ""
    stays = stays.select_related("combatant", "site").order_by("leave_by", "id")
    if exported := table_export(request, "sejours", STAY_LIST_COLUMNS, stays, identity=True):
        return exported
    page = CappedPaginator(stays, STAYS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "flag": flag,
        "flags": CantonmentStay.Flag.choices[1:],
        # A site is opened where the user may read it; another region's is named only.
        "openable_sites": set(Site.objects.for_user(request.user).values_list("pk", flat=True)),
        "query": f"flag={flag}" if flag else "",
    }
    return render(request, "cantonment/stay_list.html", context)


@role_required(*CANTONMENT_ROLES)
def site_propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SiteProposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            site = services.site_propose(by=request.user, **form.cleaned_data)
            messages.success(request, _("Site %(name)s recorded as proposed.") % {"name": site.name})
            return redirect("cantonment:site-detail", pk=site.pk)
    return render(request, "cantonment/site_propose.html", {"form": form})


def _wam_held(site: Site) -> list[dict[str, Any]]:
    """Weapons and ammunition on the site by kind and status, labelled in the reader's language."""
    kinds, statuses = dict(WamItem.Kind.choices), dict(WamItem.Status.choices)
    rows = site.wam_items.values("kind", "status").annotate(n=Count("id")).order_by("kind", "status")
    return [
        {**r, "kind_label": kinds.get(r["kind"]), "status_label": statuses.get(r["status"])} for r in rows
    ]


def _as_analyst_reads(request: HttpRequest, sites: Any) -> Any:
    """Analysts: each site's people figures replaced by sums of the visible cells of the sites'
    base table (`selectors.people_on_sites`), on the instances only (nothing is saved)."""
    if not for_analyst(request.user):
        return sites
    sites = list(sites)
    on_sites = selectors.people_on_sites(Site.objects.filter(pk__in=[s.pk for s in sites]))
    for site in sites:
        for name, n in selectors.site_figures(on_sites, site.pk).items():
            setattr(site, name, n)
    return sites


@role_required(*ALL_ROLES)
def site_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"tile_url": settings.MAP_TILE_URL, "statuses": Site.Status.choices}
    return render(request, "cantonment/site_map.html", context)


@role_required(*ALL_ROLES)
def site_map_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The sites as GeoJSON points, with status and occupancy for the map's pop-ups."""
    sites = Site.objects.for_user(request.user).exclude(latitude=None).exclude(longitude=None)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(s.longitude), float(s.latitude)]},
            "properties": {
                "name": s.name,
                "status": s.status,
                "status_label": s.get_status_display(),
                "kind": s.get_kind_display(),
                "capacity": s.capacity,
                "occupancy": s.occupancy,
                "url": reverse("cantonment:site-detail", args=[s.pk]),
            },
        }
        for s in _as_analyst_reads(
            request,
            sites.only(
                "name", "status", "kind", "capacity", "occupancy", "occupancy_women", "latitude", "longitude"
            ),
        )
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@role_required(*ALL_ROLES)
def site_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(
        Site.objects.for_user(request.user).select_related("region", "cercle", "proposed_by"), pk=pk
    )
    # Names are for case staff; analysts see the figures only.
    user = request.user
    sees_people = user.role in CASE_ROLES
    # Soonest to leave first: overstays head the list. Paged: a built site holds 1,500 people.
    # The people listed are those the user may see (another region's, a child: not listed);
    # the occupancy and the alerts below count everyone.
    open_stays = (
        CantonmentStay.objects.for_user(user)
        .filter(site=site, checked_out_on__isnull=True)
        .select_related("combatant")
        .order_by("leave_by", "id")
        if sees_people
        else CantonmentStay.objects.none()
    )
    if exported := table_export(request, f"site-{site.pk}", STAY_COLUMNS, open_stays, identity=True):
        return exported
    page = Paginator(open_stays, STAYS_PER_PAGE).get_page(request.GET.get("page"))
    flags = site.stays.filter(checked_out_on__isnull=True).values("flag").annotate(n=Count("id"))
    flag_counts = {r["flag"]: r["n"] for r in flags}
    analyst = for_analyst(user)
    if analyst:
        # The site's figures from the visible cells of its base table. Nothing day by day (the
        # headcounts, the history of the occupancy: a day's difference is who came or left), and
        # the weapons are read from the reconciliation's base table (`/api/weapons/reconciliation/`).
        _as_analyst_reads(request, [site])
        flag_counts = {
            CantonmentStay.Flag.OVERSTAY: site.overstays,  # type: ignore[attr-defined]
            CantonmentStay.Flag.ENDING_SOON: site.ending_soon,  # type: ignore[attr-defined]
        }
    can_edit = user.role in CANTONMENT_ROLES
    context = {
        "site": site,
        "events": site.events.select_related("recorded_by"),
        "page": page,
        "sees_people": sees_people,
        "analyst": analyst,
        "flag_counts": flag_counts,
        "headcounts": [] if analyst else site.headcounts.all()[:14],
        "wam": [] if analyst else _wam_held(site),
        "can_edit": can_edit,
        "advance_form": SiteAdvanceForm(site=site) if can_edit else None,
        "capacity_form": CapacityForm(
            initial={"capacity": site.capacity, "places_for_women": site.places_for_women}
        ),
        # Beside the step form, which has an "on" too: ids of its own keep each label on its field.
        "check_in_form": CheckInForm(user=request.user, auto_id="check-in-%s"),
        "check_out_form": CheckOutForm(auto_id=False),  # one per row: no clashing ids
        "history": [] if analyst else history_of(site),
        **_calendar(site),
    }
    return render(request, "cantonment/site_detail.html", context)


def _calendar(site: Site) -> dict[str, Any]:
    """The agreement's deadlines for the site, each with how late it was or is, and how long an
    interim site has outlived the end it was meant to have."""
    today = timezone.localdate()
    reached: dict[str, Any] = {}
    for status, on in site.events.order_by("-on", "-id").values_list("status", "on"):
        reached[status] = on  # the first time it reached the step wins (read last)
    ended = site.status in (Site.Status.CLOSED, Site.Status.HANDED_OVER)
    return {
        "calendar": [(d, d.late_days(today)) for d in rules.agreement_calendar(reached)],
        "interim_late_days": past_interim_end(site.interim_until, ended, today),
    }


@role_required(*CANTONMENT_ROLES)
@require_POST
def site_check_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    form = CheckInForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Not checked in: %(errors)s") % {"errors": form_errors(form)})
        return redirect("cantonment:site-detail", pk=pk)
    person = form.cleaned_data["registration_number"]
    with refusal_to(request):
        stay = services.check_in(person=person, site=site, on=form.cleaned_data["on"], by=request.user)
        messages.success(
            request,
            _("%(who)s checked in; leave by %(date)s.")
            % {"who": person.registration_number, "date": shown_date(stay.leave_by)},
        )
    return redirect("cantonment:site-detail", pk=pk)


@role_required(*CANTONMENT_ROLES)
@require_POST
def stay_check_out(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    stay = get_object_or_404(CantonmentStay.objects.for_user(request.user), pk=pk)
    form = CheckOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not checked out: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.check_out(stay=stay, on=form.cleaned_data["on"], by=request.user)
            messages.success(request, _("Checked out."))
    return redirect("cantonment:site-detail", pk=stay.site_id)


@role_required(*CANTONMENT_ROLES)
@require_POST
def site_capacity(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Capacity not changed: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.site_capacity(site=site, by=request.user, **form.cleaned_data)
            messages.success(request, _("Capacity changed."))
    return redirect("cantonment:site-detail", pk=pk)


@role_required(*CANTONMENT_ROLES)
@require_POST
def site_advance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    form = SiteAdvanceForm(request.POST, site=site)
    if not form.is_valid():
        messages.error(request, _("Status not changed: %(errors)s") % {"errors": form_errors(form)})
    else:
        with refusal_to(request):
            services.site_advance(site=site, by=request.user, **form.cleaned_data)
            messages.success(request, _("Status changed."))
    return redirect("cantonment:site-detail", pk=pk)
