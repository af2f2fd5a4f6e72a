"""A static map drawn on the server as SVG (`core/_map.html`) from the regions' GeoJSON shipped
in static/geo/: each region shaded by its figure and labelled with its name and figure, sized
circles for places. For printing (WeasyPrint draws SVG) and wherever no JavaScript runs; the
page's interactive map labels its regions from the same `label_points`."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.charts import figure

GEOJSON = "geo/mali-regions.geojson"
WIDTH = 600  # drawing units
SHADES = ("#f4efe1", "#cfe2f3", "#9ec5e8", "#5b9bd5", "#2f6fae")  # none, then four quarters of the top
NO_FIGURE = "#e9ecef"
Ring = list[tuple[float, float]]


@cache
def regions_geojson() -> dict[str, Any]:
    """The regions' outlines (read once per process)."""
    data: dict[str, Any] = json.loads((Path(settings.BASE_DIR) / "static" / GEOJSON).read_text("utf-8"))
    return data


def _rings(geometry: dict[str, Any]) -> list[Ring]:
    """The outer rings of a Polygon or MultiPolygon."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [[(float(x), float(y)) for x, y, *_z in polygon[0]] for polygon in polygons]


def _area_and_centroid(ring: Ring) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not area:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area / 2, cx / (3 * area), cy / (3 * area)


def label_points() -> dict[str, tuple[float, float]]:
    """Region code -> (longitude, latitude) of the centroid of its largest part: where its name goes."""
    points = {}
    for feature in regions_geojson()["features"]:
        parts = [_area_and_centroid(ring) for ring in _rings(feature["geometry"])]
        _area, lon, lat = max(parts, key=lambda p: abs(p[0]))
        points[feature["properties"]["code"]] = (lon, lat)
    return points


@dataclass(frozen=True)
class Area:
    code: str
    path: str  # SVG path data
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    name: str
    figure: str

    @property
    def figure_y(self) -> float:
        return self.y + 14


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    colour: str
    ring: bool  # drawn as a ring (sites) rather than a disc (projects)
    title: str


@dataclass(frozen=True)
class Key:
    colour: str
    label: str
    ring: bool = False


@dataclass(frozen=True)
class Point:
    longitude: float
    latitude: float
    count: int  # sets the circle's area
    colour: str
    ring: bool
    title: str


@dataclass(frozen=True)
class Map:
    key: str
    title: str
    width: int
    height: float
    areas: list[Area]
    labels: list[Label]
    circles: list[Circle]
    shades: list[Key]  # the shading's legend
    marks: list[Key]  # the circles' legend
    description: str
    off_map: list[tuple[str, str]]  # regions with a figure but no outline: name, figure


def _shade(value: int | None, top: int) -> str:
    if value is None:
        return NO_FIGURE
    if not value:
        return SHADES[0]
    return SHADES[min(4, 1 + int(4 * (value - 1) / max(top, 1)))]


def _bands(top: int) -> list[Key]:
    """The shading's legend: 0, then four bands up to the largest figure."""
    keys = [Key(SHADES[0], "0")]
    if top <= 0:
        return keys
    edges = [0] + [math.ceil(top * i / 4) for i in range(1, 5)]
    for i in range(4):
        low, high = edges[i] + 1, edges[i + 1]
        if high >= low:
            keys.append(Key(SHADES[i + 1], f"{figure(low)} – {figure(high)}" if high > low else figure(high)))
    return keys


def region_map(
    key: str,
    title: str,
    figures: dict[str, tuple[str, int | None]],
    points: Sequence[Point],
    marks: Sequence[Key],
    *,
    unit: str = "",
    hidden: bool = False,
) -> Map:
    """Regions shaded and labelled by `figures` (code -> name, figure; None: not the reader's),
    and `points` as circles whose area follows their count. `hidden` (analysts): a figure of 0
    reads "hidden", as on the charts (`core.charts`)."""
    features = regions_geojson()["features"]
    rings = {f["properties"]["code"]: _rings(f["geometry"]) for f in features}
    xs = [x for parts in rings.values() for ring in parts for x, _y in ring]
    ys = [y for parts in rings.values() for ring in parts for _x, y in ring]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    squeeze = math.cos(math.radians((north + south) / 2))  # degrees of longitude are shorter
    scale = WIDTH / ((east - west) * squeeze)

    def at(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * squeeze * scale, 1), round((north - lat) * scale, 1)

    def said(value: int | None) -> str:
        if value is None:
            return ""
        return _("hidden") if hidden and not value else f"{figure(value)}{unit}"

    top = max([v for _n, v in figures.values() if v], default=0)
    areas, labels = [], []
    centres = label_points()
    for code, parts in rings.items():
        name, value = figures.get(code, (code, None))
        path = " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in (at(lon, lat) for lon, lat in ring)) + " Z"
            for ring in parts
        )
        text = said(value)
        areas.append(Area(code, path, _shade(None if hidden and not value else value, top), f"{name} {text}"))
        x, y = at(*centres[code])
        labels.append(Label(x, y, name, text))
    circles = []
    # Each kind of mark (its colour) sized against its own largest: a few sites next to many projects.
    biggest: dict[str, int] = {}
    for p in points:
        biggest[p.colour] = max(biggest.get(p.colour, 1), p.count)
    for p in sorted(points, key=lambda p: -p.count):  # small ones on top, to be seen
        x, y = at(p.longitude, p.latitude)
        radius = round(4 + 14 * math.sqrt(p.count / biggest[p.colour]), 1)
        circles.append(Circle(x, y, radius, p.colour, p.ring, p.title))
    off_map = [(n, said(v)) for code, (n, v) in figures.items() if code not in rings and v is not None]
    description = "; ".join(
        _("%(group)s: %(figures)s") % {"group": label.name, "figures": label.figure}
        for label in labels
        if label.figure
    )
    shades = _bands(top)
    if any(v is None for _n, v in figures.values()):
        shades.append(Key(NO_FIGURE, _("Outside your scope")))
    return Map(
        key=key,
        title=title,
        width=WIDTH,
        height=round((north - south) * scale, 1),
        areas=areas,
        labels=labels,
        circles=circles,
        shades=shades,
        marks=list(marks),
        description=description,
        off_map=off_map,
    )
