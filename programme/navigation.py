"""The menu, in one place: grouped by phase of the programme, each link shown to the roles that
may open it, the current page marked (`aria-current`). Read by `templates/base.html` through the
context processor below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import (
    BUDGET_ROLES,
    CASE_ROLES,
    GOVERNANCE_READ_ROLES,
    GRIEVANCE_ROLES,
    MASTER_DATA_READ_ROLES,
    REGISTER_ROLES,
    RULESET_READ_ROLES,
    VETTING_ROLES,
    has_role,
)
from programme.fieldapp.selectors import FIELD_WORK_ROLES

EVERYONE = frozenset(Role.values)
FIELD_ROLES = EVERYONE - {Role.FOCAL_POINT}  # sites, units, CVR: everyone but the focal point


@dataclass(frozen=True)
class Link:
    url: str
    label: Promise
    roles: frozenset[str] = EVERYONE
    testid: str = ""


@dataclass(frozen=True)
class Group:
    label: Promise
    testid: str
    links: tuple[Link, ...] = field(default_factory=tuple)


MENU: tuple[Link | Group, ...] = (
    Link("programme:home", _("Home")),
    Group(
        _("Programme"),
        "nav-programme",
        (
            Link("programme:dashboard", _("Dashboard")),
            Link("programme:decision-list", _("Decisions"), GOVERNANCE_READ_ROLES),
            Link("programme:roadmap-list", _("Roadmaps"), GOVERNANCE_READ_ROLES),
            Link("ddr:armed-group-list", _("Armed groups"), MASTER_DATA_READ_ROLES),
        ),
    ),
    Group(
        _("Registration"),
        "nav-registration",
        (
            Link("ddr:person-list", _("People"), CASE_ROLES),
            Link("ddr:list-index", _("Lists"), CASE_ROLES),
            Link("programme:offline-app", _("Offline app"), FIELD_WORK_ROLES, "nav-offline-app"),
            Link("ddr:duplicate-queue", _("Duplicates"), REGISTER_ROLES),
            Link("ddr:vetting-queue", _("Vetting"), VETTING_ROLES),
            Link("ddr:referral-list", _("Referrals"), frozenset({Role.CHILD_PROTECTION})),
            Link("ddr:ruleset-list", _("Rules"), RULESET_READ_ROLES),
            Link("ddr:waiting-list", _("Waiting lists"), CASE_ROLES),
        ),
    ),
    Group(
        _("Cantonment"),
        "nav-cantonment",
        (
            Link("cantonment:site-list", _("Sites"), FIELD_ROLES),
            Link("cantonment:wam-list", _("Weapons"), REGISTER_ROLES),
        ),
    ),
    Group(
        _("Reintegration"),
        "nav-reintegration",
        (
            Link("ddr:package-list", _("Packages"), REGISTER_ROLES),
            Link("ddr:package-enrol-cohort", _("Enrol a cohort"), REGISTER_ROLES),
            Link("ddr:payment-batch-list", _("Payment batches"), REGISTER_ROLES),
            Link("ddr:distribution", _("Distributions in kind"), REGISTER_ROLES),
            Link("ddr:follow-up-list", _("Follow-ups"), REGISTER_ROLES),
            Link("ddr:opportunity-map", _("Opportunity map"), REGISTER_ROLES),
            Link("ddr:reintegration-budget", _("Budget"), BUDGET_ROLES),
            Link("ddr:funding-source-list", _("Funding sources"), BUDGET_ROLES),
            Link("ddr:paid-twice", _("Paid twice"), REGISTER_ROLES),
        ),
    ),
    Group(
        _("Integration"),
        "nav-integration",
        (
            Link("integration:unit-list", _("Units"), FIELD_ROLES),
            Link("integration:state-list", _("Pathways into the State"), FIELD_ROLES),
        ),
    ),
    Group(
        _("CVR"),
        "nav-cvr",
        (
            Link("cvr:project-list", _("CVR projects"), FIELD_ROLES),
            Link("cvr:partner-list", _("Partners and committees"), FIELD_ROLES),
        ),
    ),
    Group(
        _("Grievances and appeals"),
        "nav-accountability",
        (
            Link("ddr:grievance-list", _("Grievances"), GRIEVANCE_ROLES, "nav-grievances"),
            Link("ddr:appeal-list", _("Appeals"), CASE_ROLES, "nav-appeals"),
            Link("ddr:consent-text-list", _("Consent texts"), frozenset({Role.ADMINISTRATOR})),
        ),
    ),
)


@dataclass
class Entry:
    """A link or a group of links as the current user sees it."""

    label: Promise
    url: str = ""
    current: bool = False
    testid: str = ""
    links: list[Entry] = field(default_factory=list)


def _current(path: str, url: str) -> bool:
    # A section's pages live under its list's address (/personnes/12/ under /personnes/).
    return path == url or (url != "/" and path.startswith(url))


def menu_for(request: HttpRequest) -> list[Entry]:
    user = request.user
    entries: list[Entry] = []
    for item in MENU:
        links = item.links if isinstance(item, Group) else (item,)
        shown = [
            Entry(link.label, url, _current(request.path, url), link.testid)
            for link in links
            if has_role(user, link.roles)
            for url in [reverse(link.url)]
        ]
        if not shown:
            continue
        if isinstance(item, Group) and len(shown) > 1:
            entries.append(Entry(item.label, "", any(e.current for e in shown), item.testid, shown))
        else:
            entries.extend(shown)
    return entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the menu, for signed-in users only."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"menu": menu_for(request)}
