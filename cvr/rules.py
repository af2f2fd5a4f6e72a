"""CVR rules as plain functions, tested without a database: which SOP is in force, the funding
caps, and the beneficiary mix measured against the SOP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from core.masterdata import Problem, period_problem


class SOP(Protocol):
    name: str
    effective_from: dt.date
    ex_combatant_share: Decimal
    mix_tolerance: Decimal
    cap_single_usd: Decimal
    cap_consortium_usd: Decimal | None
    women_projects_share: Decimal
    women_benefit_threshold: Decimal | None
    women_leadership_share: Decimal


def sop_in_force(versions: Iterable[Any], day: dt.date) -> Any | None:
    """The latest version that took effect on or before `day` (None before the first one)."""
    eligible = [v for v in versions if v.effective_from <= day]
    return max(eligible, key=lambda v: v.effective_from) if eligible else None


# The report: after the high-level meeting of August 2022 the transitional authorities had the
# governors approve every CVR project. Projects approved by the PAC from then on wait for theirs.
GOVERNOR_APPROVAL_FROM = dt.date(2022, 8, 1)


def needs_governor(approved_on: dt.date | None) -> bool:
    """Whether a project approved by the PAC on `approved_on` also needs the governor's approval."""
    return approved_on is not None and approved_on >= GOVERNOR_APPROVAL_FROM


def cap_refusal(sop: SOP, budget_usd: Decimal, *, consortium: bool) -> str:
    """Why the budget is over the SOP's cap ('' when it is within), quoting the rule."""
    if consortium and sop.cap_consortium_usd is None:
        return _("Under the %(sop)s, consortia cannot be funded: a project has one NGO.") % {"sop": sop.name}
    cap = sop.cap_consortium_usd if consortium else sop.cap_single_usd
    if cap is not None and budget_usd > cap:
        return _("The budget of USD %(budget)s is over the cap of the %(sop)s: USD %(cap)s for %(whom)s.") % {
            "budget": f"{budget_usd:,.0f}",
            "cap": f"{cap:,.0f}",
            "sop": sop.name,
            "whom": _("a consortium") if consortium else _("one NGO"),
        }
    return ""


@dataclass(frozen=True)
class BeneficiaryMix:
    ex_combatants: int
    community: int
    women: int
    youth: int

    @property
    def total(self) -> int:
        return self.ex_combatants + self.community

    def share(self, part: int) -> Decimal:
        return Decimal(part) / Decimal(self.total) if self.total else Decimal(0)

    @property
    def ex_share(self) -> Decimal:
        return self.share(self.ex_combatants)

    @property
    def women_share(self) -> Decimal:
        return self.share(self.women)

    @property
    def youth_share(self) -> Decimal:
        return self.share(self.youth)


@dataclass(frozen=True)
class Deviation:
    code: str
    message: str


def pct(value: Decimal) -> str:
    return f"{value * 100:.0f} %"


def mix_deviations(
    mix: BeneficiaryMix, sop: SOP, *, leaders: int = 0, leaders_women: int = 0
) -> list[Deviation]:
    """How a project's beneficiaries differ from the SOP in force. It informs; it never blocks."""
    found: list[Deviation] = []
    if mix.total:
        low = sop.ex_combatant_share - sop.mix_tolerance
        high = sop.ex_combatant_share + sop.mix_tolerance
        if not low <= mix.ex_share <= high:
            found.append(
                Deviation(
                    "mix",
                    _(
                        "Ex-combatants are %(share)s of the %(total)s beneficiaries (%(ex)s); the %(sop)s "
                        "asks for %(target)s ex-combatants and %(community)s community members."
                    )
                    % {
                        "share": pct(mix.ex_share),
                        "total": mix.total,
                        "ex": mix.ex_combatants,
                        "sop": sop.name,
                        "target": pct(sop.ex_combatant_share),
                        "community": pct(1 - sop.ex_combatant_share),
                    },
                )
            )
    if leaders and Decimal(leaders_women) / Decimal(leaders) < sop.women_leadership_share:
        found.append(
            Deviation(
                "leadership",
                _(
                    "Women hold %(n)s of %(total)s project committee leadership posts; "
                    "IDDRS 2.30 asks for %(share)s."
                )
                % {"n": leaders_women, "total": leaders, "share": pct(sop.women_leadership_share)},
            )
        )
    return found


def benefits_women(mix: BeneficiaryMix, sop: SOP) -> bool | None:
    """None when the SOP sets no share that makes a project benefit women: not judged."""
    if sop.women_benefit_threshold is None:
        return None
    return mix.total > 0 and mix.women_share >= sop.women_benefit_threshold


def portfolio_deviations(projects: int, benefiting_women: int | None, sop: SOP) -> list[Deviation]:
    """Across projects with beneficiaries: at least 30% must benefit women (IDDRS 2.30), judged
    only under an SOP that says what "benefit women" means."""
    if not projects or benefiting_women is None or sop.women_benefit_threshold is None:
        return []
    share = Decimal(benefiting_women) / Decimal(projects)
    if share >= sop.women_projects_share:
        return []
    return [
        Deviation(
            "women_projects",
            _(
                "%(share)s of projects benefit women (women at least %(threshold)s of their beneficiaries); "
                "IDDRS 2.30 asks for %(target)s."
            )
            % {
                "share": pct(share),
                "threshold": pct(sop.women_benefit_threshold),
                "target": pct(sop.women_projects_share),
            },
        )
    ]


def consultation_problem(participants: int, women: int, on: dt.date, today: dt.date) -> Problem | None:
    """A consultation's women are among its participants, and it took place (not in the future)."""
    if women > participants:
        return Problem("women", _("More women than participants."))
    if on > today:
        return Problem("on", _("A consultation cannot be dated in the future."))
    return None


def committee_problem(
    members: int, women: int, women_leaders: int, formed_on: dt.date | None, dissolved_on: dt.date | None
) -> Problem | None:
    """A committee's figures hold together: its women are among its members, its women leaders
    among its women; it is dissolved on or after the day it was formed."""
    if women > members:
        return Problem("women", _("A committee cannot have more women than members."))
    if women_leaders > women:
        return Problem("women_leaders", _("Its women leaders are among its women: no more than them."))
    return period_problem(
        formed_on, dissolved_on, "dissolved_on", _("A committee is dissolved after it was formed.")
    )
