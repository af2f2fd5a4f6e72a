"""The dashboard's map in figures: people per region, and the cantonment sites and CVR projects
gathered into one circle per place (their cercle, else their region), so that nearby points no
longer pile up into blobs. The page's map (static/js/dashboard-map.js) and the PDF's map
(core.maps) draw the same figures.

Access is the dashboard's: sites and projects through `for_user` and the dashboard's filters;
for analysts, aggregates only (a place's counts, no record named or linked) and every count of
people a sum of visible cells (`core.suppression`), like the panels beside the map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext, ngettext

from cantonment.models import Site
from cantonment.sites.selectors import people_on_sites
from core import maps
from core.charts import figure
from core.models import Cercle, Region
from core.suppression import visible
from cvr.models import Project
from ddr.registration.selectors import Scope

SITE, CVR = "site", "cvr"
LISTED = 8  # records named in a place's pop-up (staff only); the rest are counted


@dataclass
class Place:
    kind: str  # SITE or CVR
    name: str  # the cercle, else the region
    region: str  # region code
    latitude: float  # the mean of its records' positions
    longitude: float
    records: int  # sites or projects
    people: int  # people present on the sites, or beneficiaries reached by the projects
    listed: list[tuple[str, str]] = field(default_factory=list)  # (name, url), staff only

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "region": self.region,
            "lat": round(self.latitude, 4),
            "lon": round(self.longitude, 4),
            "records": self.records,
            "people": self.people,
            "listed": [{"name": n, "url": u} for n, u in self.listed],
        }


@dataclass(frozen=True)
class RegionFigure:
    code: str
    name: str
    people: int | None  # on the register's pathways, as the "Pathways by region" table sums them


Row = tuple[int, int | None, int, Any, Any, str, int]  # pk, cercle, region, lat, lon, name, people


def _gathered(
    kind: str,
    rows: Iterable[Row],
    cercles: dict[int, str],
    regions: dict[int, tuple[str, str]],
    url: str,
    named: bool,
) -> list[Place]:
    groups: dict[tuple[str, int], list[Row]] = defaultdict(list)
    for row in rows:
        _pk, cercle, region, *_rest = row
        groups[("cercle", cercle) if cercle else ("region", region)].append(row)
    places = []
    for (level, key), members in groups.items():
        region_id = members[0][2]
        code, region_name = regions.get(region_id, ("", ""))
        place = Place(
            kind=kind,
            name=cercles.get(key, region_name) if level == "cercle" else region_name,
            region=code,
            latitude=sum(float(m[3]) for m in members) / len(members),
            longitude=sum(float(m[4]) for m in members) / len(members),
            records=len(members),
            people=sum(m[6] for m in members),
        )
        if named:
            place.listed = [(m[5], reverse(url, args=[m[0]])) for m in sorted(members, key=lambda m: m[5])]
            place.listed = place.listed[:LISTED]
        places.append(place)
    return sorted(places, key=lambda p: (p.kind, p.region, p.name))


def places(scope: Scope) -> list[Place]:
    """Sites and CVR projects with a position, one circle per place and kind. Four queries, and one
    more for analysts (the sites' base table)."""
    regions = {pk: (code, name) for pk, code, name in Region.objects.values_list("pk", "code", "name")}
    cercles = dict(Cercle.objects.values_list("pk", "name"))
    placed = {"latitude__isnull": False, "longitude__isnull": False}
    sites = scope._filter(Site.objects.for_user(scope.user)).filter(**placed)
    site_rows = list(
        sites.order_by().values_list(
            "pk", "cercle_id", "region_id", "latitude", "longitude", "name", "occupancy"
        )
    )
    if scope.analyst:  # each site's people as the sites' panel counts them: visible cells only
        on_sites = people_on_sites(sites)
        site_rows = [(*row[:6], on_sites.where(site=row[0]).total()) for row in site_rows]
    projects = scope._period(scope._filter(Project.objects.for_user(scope.user)), "start").filter(**placed)
    project_rows = [
        (pk, cercle, region, lat, lon, f"{code} {title}", _reached(ex, community, scope.analyst))
        for pk, cercle, region, lat, lon, code, title, ex, community in projects.order_by().values_list(
            "pk",
            "cercle_id",
            "region_id",
            "latitude",
            "longitude",
            "code",
            "title",
            "beneficiaries_ex_combatants",
            "beneficiaries_community",
        )
    ]
    named = not scope.analyst  # analysts read aggregates: a place's counts, no record named
    return _gathered(SITE, site_rows, cercles, regions, "cantonment:site-detail", named) + _gathered(
        CVR, project_rows, cercles, regions, "cvr:project-detail", named
    )


def _reached(ex: int | None, community: int | None, analyst: bool) -> int:
    """A project's beneficiaries; for analysts each count is its own base cell (cvr.selectors)."""
    if analyst:
        return visible(ex) + visible(community)
    return (ex or 0) + (community or 0)


def region_figures(scope: Scope, pathways: dict[str, dict[str, int]]) -> list[RegionFigure]:
    """People per region from the dashboard's pathway table (region names as its columns), so the
    map says exactly what the table says. Every region is drawn; a region outside the reader's
    (a regional officer's other regions, or the filter's) has no figure rather than a false 0."""
    totals: dict[str, int] = defaultdict(int)
    for row in pathways.values():
        for region, n in row.items():
            totals[region] += n
    mine = (
        scope.region_id
        if scope.region_id is not None
        else (scope.user.region_id if scope.user.is_regional else None)
    )
    return [
        RegionFigure(code, name, totals.get(name, 0) if mine is None or pk == mine else None)
        for pk, code, name in Region.objects.order_by("name").values_list("pk", "code", "name")
    ]


SITE_COLOUR, CVR_COLOUR = "#fd7e14", "#198754"


def _describe(place: Place, hidden: bool) -> str:
    """A place's circle in words; for analysts a 0 reads "hidden", as on the charts."""
    people = gettext("hidden") if hidden and not place.people else figure(place.people)
    if place.kind == SITE:
        return ngettext(
            "%(place)s: %(n)s site, %(people)s people present",
            "%(place)s: %(n)s sites, %(people)s people present",
            place.records,
        ) % {"place": place.name, "n": place.records, "people": people}
    return ngettext(
        "%(place)s: %(n)s CVR project, %(people)s beneficiaries",
        "%(place)s: %(n)s CVR projects, %(people)s beneficiaries",
        place.records,
    ) % {"place": place.name, "n": place.records, "people": people}


def legend() -> list[maps.Key]:
    return [
        maps.Key(SITE_COLOUR, gettext("Cantonment sites (circle by number of sites)"), ring=True),
        maps.Key(CVR_COLOUR, gettext("CVR projects (circle by number of projects)")),
    ]


def static_map(scope: Scope, pathways: dict[str, dict[str, int]]) -> maps.Map:
    """The PDF's map: people per region, and the places' circles, drawn on the server."""
    points = [
        maps.Point(
            p.longitude,
            p.latitude,
            p.records,
            SITE_COLOUR if p.kind == SITE else CVR_COLOUR,
            p.kind == SITE,
            _describe(p, scope.analyst),
        )
        for p in places(scope)
    ]
    return maps.region_map(
        "regions",
        gettext("People on the register per region, cantonment sites and CVR projects"),
        {r.code: (r.name, r.people) for r in region_figures(scope, pathways)},
        points,
        legend(),
        hidden=scope.analyst,
    )


def map_data(scope: Scope, pathways: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The page's map (static/js/dashboard-map.js): the same figures as JSON."""
    centres = maps.label_points()
    return {
        "suppressed": scope.analyst,
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "people": r.people,
                "label": None
                if r.code not in centres
                else {"lon": centres[r.code][0], "lat": centres[r.code][1]},
            }
            for r in region_figures(scope, pathways)
        ],
        "places": [{**p.as_json(), "title": _describe(p, scope.analyst)} for p in places(scope)],
        "legend": [{"colour": k.colour, "label": k.label, "ring": k.ring} for k in legend()],
    }
