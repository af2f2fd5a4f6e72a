"""The profile's checks and the fit of a preferred trade with a place of return: data in, result out.

Nothing here reads the database: the service and the admin pass the records (or anything with
their attributes), and the tests pass plain values.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

# --- mobile money -------------------------------------------------------------------------

# Mali's numbers: +223 and 8 digits, or the 8 digits alone. Spaces, dots and dashes are how
# people write them; 00223 is how a phone dials +223.
_SEPARATORS = re.compile(r"[\s.\-/()]")
_MALI = re.compile(r"(?:\+223|00223)?(\d{8})")


def mobile_money_normalise(text: str) -> str | None:
    """`text` as +223 and 8 digits ('' for nothing given), or None when it is not a Malian number."""
    compact = _SEPARATORS.sub("", text or "")
    if not compact:
        return ""
    match = _MALI.fullmatch(compact)
    return f"+223{match.group(1)}" if match else None


# --- the profile's checks -----------------------------------------------------------------


def profile_problems(profile: Any, *, registered_at: dt.date, today: dt.date) -> list[tuple[str, str]]:
    """What is wrong with a profile, as (field, message); the mobile-money number is checked as
    typed (see `mobile_money_normalise`)."""
    problems: list[tuple[str, str]] = []
    region, cercle = profile.return_region, profile.return_cercle
    if cercle is not None and region is not None and cercle.region_id != region.pk:
        problems.append(
            (
                "return_cercle",
                str(_("The cercle chosen (%(cercle)s) is not in the region chosen (%(region)s)."))
                % {"cercle": cercle, "region": region},
            )
        )
    if mobile_money_normalise(profile.mobile_money) is None:
        problems.append(
            (
                "mobile_money",
                str(
                    _("A Malian mobile-money number: 8 digits, or +223 and 8 digits (e.g. +223 76 12 34 56).")
                ),
            )
        )
    if profile.household_size < 1:
        problems.append(("household_size", str(_("A household counts at least the person."))))
    elif profile.household_size < profile.dependants:
        problems.append(
            ("household_size", str(_("The household cannot be smaller than the number of dependants.")))
        )
    if profile.profiled_on is None:
        problems.append(("profiled_on", str(_("Give the date of the profile."))))
    elif profile.profiled_on > today:
        problems.append(("profiled_on", str(_("A profile cannot be dated in the future."))))
    elif profile.profiled_on < registered_at:
        problems.append(
            ("profiled_on", str(_("A profile cannot be dated before the person's registration.")))
        )
    return problems


# --- the opportunity map's checks ---------------------------------------------------------


def opportunity_problems(opportunity: Any, *, today: dt.date) -> list[tuple[str, str]]:
    """What is wrong with a line of the opportunity map, as (field, message)."""
    problems: list[tuple[str, str]] = []
    cercle = opportunity.cercle
    if cercle is not None and opportunity.region_id is not None and cercle.region_id != opportunity.region_id:
        problems.append(
            (
                "cercle",
                str(_("The cercle chosen (%(cercle)s) is not in the region chosen (%(region)s)."))
                % {"cercle": cercle, "region": opportunity.region},
            )
        )
    if not (opportunity.source or "").strip():
        problems.append(("source", str(_("Name the study this line comes from."))))
    if opportunity.studied_on is None:
        problems.append(("studied_on", str(_("Give the date of the study."))))
    elif opportunity.studied_on > today:
        problems.append(("studied_on", str(_("A study cannot be dated in the future."))))
    if opportunity.capacity and not (opportunity.provider or "").strip():
        problems.append(("provider", str(_("Training places need a training provider."))))
    return problems


# --- the fit of a preferred trade with a place of return -----------------------------------

# Outcome codes are kept; their sentences are translated when shown.
NO_TRADE, NO_PLACE, NO_STUDY, LISTED, NOT_LISTED = "no_trade", "no_place", "no_study", "listed", "not_listed"
OUTCOMES: dict[str, Any] = {
    NO_TRADE: _("No preferred trade recorded."),
    NO_PLACE: _("No place of return recorded."),
    NO_STUDY: _("No study for this place: the opportunity map has no line here."),
    LISTED: _("Demand for %(trade)s (%(place)s): %(demand)s."),
    NOT_LISTED: _("%(trade)s: not in demand according to the studies (%(place)s)."),
}
# Most wanted first.
DEMAND_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Fit:
    """How a preferred trade fits a place of return, and from which study.

    `place` is the cercle when the map has a line for the trade there, else the region.
    `in_demand_here` lists the trades the place's studies ask for (most wanted first, the
    preferred one left out): the alternatives to suggest. `elsewhere` names the region's
    other cercles whose studies ask for the preferred trade."""

    outcome: str
    trade: str = ""
    place: str = ""
    demand: str = ""  # high, medium, low
    demand_label: str = ""
    provider: str = ""
    training_places: int = 0
    partners: str = ""
    source: str = ""
    studied_on: dt.date | None = None
    in_demand_here: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()

    @property
    def good(self) -> bool:
        return self.outcome == LISTED and self.demand in WANTED

    @property
    def explanation(self) -> str:
        return str(OUTCOMES[self.outcome]) % {
            "trade": self.trade,
            "place": self.place,
            "demand": self.demand_label,
        }


WANTED = ("high", "medium")


def _rank(line: Any) -> tuple[int, str]:
    """Most wanted first, then by name as a reader sorts it (É with the E's)."""
    name = unicodedata.normalize("NFKD", str(line.trade).casefold())
    return DEMAND_ORDER.get(line.demand, len(DEMAND_ORDER)), "".join(
        c for c in name if not unicodedata.combining(c)
    )


def trade_fit(preferred_trade: Any, region: Any, cercle: Any, opportunities: Iterable[Any]) -> Fit:
    """The fit of `preferred_trade` with a return to `region` (and `cercle`, when known).

    `opportunities`: lines of the map (those of other regions are ignored). The place is
    described by the cercle's lines and the region-wide ones (no cercle): the cercle's line
    for the trade decides, else the region-wide one. Without any line for the place there is
    no study for it; without one for the trade, the place's other lines say what is wanted."""
    if preferred_trade is None:
        return Fit(NO_TRADE)
    trade = str(preferred_trade)
    if region is None:
        return Fit(NO_PLACE, trade=trade)
    cercle_id = cercle.pk if cercle is not None else None
    in_region = [o for o in opportunities if o.region_id == region.pk]
    here = [o for o in in_region if o.cercle_id is None or o.cercle_id == cercle_id]
    elsewhere = tuple(
        sorted(
            {
                str(o.cercle)
                for o in in_region
                if o.trade_id == preferred_trade.pk
                and o.cercle_id not in (None, cercle_id)
                and o.demand in WANTED
            }
        )
    )
    place = str(cercle or region)
    if not here:
        return Fit(NO_STUDY, trade=trade, place=place, elsewhere=elsewhere)
    wanted = tuple(
        dict.fromkeys(
            str(o.trade)
            for o in sorted(here, key=_rank)
            if o.demand in WANTED and o.trade_id != preferred_trade.pk
        )
    )
    own = {o.cercle_id: o for o in here if o.trade_id == preferred_trade.pk}
    line = own.get(cercle_id) if cercle_id is not None else None
    line = line or own.get(None)
    if line is None:
        return Fit(NOT_LISTED, trade=trade, place=place, in_demand_here=wanted, elsewhere=elsewhere)
    return Fit(
        LISTED,
        trade=trade,
        place=str(line.cercle or region),
        demand=line.demand,
        demand_label=str(line.get_demand_display()),
        provider=line.provider,
        training_places=line.capacity,
        partners=line.partners,
        source=line.source,
        studied_on=line.studied_on,
        in_demand_here=wanted,
        elsewhere=elsewhere,
    )
