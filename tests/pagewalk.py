"""The walk of every page: which routes are pages, how their URLs are filled, and how a page's
text is told to come from the French catalogue, from the data, or from neither.

The routes come from the URL conf (`routes()`), so a page added later is walked without anyone
listing it: its parameters must be filled from the seeded data (`FILL`), or the route set aside
with its reason (`NOT_PAGES`); a route that answers GET with 405 is an action, not a page, and
needs neither. `tests/test_page_walk.py` fails on a route that is none of these.

Untranslated text is found by marking the catalogue rather than by guessing the language. While
`marked_catalogue()` is active, every French msgstr is served with an invisible mark (U+E000, from
Unicode's private use area) after each of its letters, placeholders and tags left intact; the
page is rendered as usual. A letter on the page then came through gettext if it carries the mark;
an unmarked word came from somewhere else: a template's or a view's literal text (in English or
in French), a msgid missing from the catalogue or a fuzzy one, text frozen at import time, a
choice's raw value shown instead of its label, a third-party widget. Such a word is accepted only
when it is data: a word of a text stored in the seeded database (names, places, titles; not
choices' values, not machine codes like `under_age`), or a word of `INVARIANT`. Digits, dates,
codes (a chunk with a digit in it) and punctuation carry no letters to judge. Text inside an
element whose `lang` differs from the page's (the language switch says "English") is left out.
Compared with matching the page's text against the catalogue's strings, the mark needs no guess
about where an interpolated string was cut into text nodes, and a French word that happens to be
English too ("date", "site", "total") is not let through by chance.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.translation import trans_real

# --- routes -----------------------------------------------------------------------------------

# Not walked at all: the API and the admin (their own tests), by their URL prefix.
SKIPPED_PREFIXES = ("api/", "admin/")

# Routes that answer GET but are no page of their own, and why.
NOT_PAGES = {
    "core:healthz": "the load balancer's probe, in JSON",
    "core:favicon": "a redirect to the static icon",
    "core:set_language": "the language switch's target: sets the language, goes back",
    "core:javascript-catalog": "JavaScript, not a page",
    "core:job-progress": "a fragment polled into the page that started the job (walked there)",
    "ddr:consent-scan": "the scanned consent form itself, an image or a PDF",
    "ddr:person-photo": "the person's photo itself, an image",
    "programme:decision-minutes": "a decision's minutes themselves, a PDF or an image",
    "programme:dashboard-pdf-job": "one user's PDF in the making (walked by the dashboard's browser test)",
    "programme:dashboard-pdf-file": "one user's PDF itself",
    "programme:service-worker": "the offline app's service worker, JavaScript, not a page",
}


@dataclass(frozen=True)
class Route:
    name: str  # "ddr:person-detail"
    pattern: str  # "personnes/<int:pk>/"
    converters: dict[str, str]  # parameter: converter ("int", "slug"...)


def _converter_name(converter: Any) -> str:
    return type(converter).__name__.removesuffix("Converter").lower()


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
            yield from _walk(entry, pattern, inner or namespace)
        elif isinstance(entry, URLPattern) and entry.name and not pattern.startswith(SKIPPED_PREFIXES):
            converters = {key: _converter_name(c) for key, c in entry.pattern.converters.items()}
            yield Route(f"{namespace}:{entry.name}" if namespace else entry.name, pattern, converters)


def routes() -> list[Route]:
    """Every named route of the HTML apps, from the URL conf."""
    return list(_walk(get_resolver(), "", ""))


# --- filling the URLs from the seeded data ------------------------------------------------------


def _first(queryset: models.QuerySet[Any]) -> Any:
    found = queryset.order_by("pk").first()
    assert found is not None, f"the seeded data has no {queryset.model._meta.label} as the walk needs it"
    return found


def _objects() -> dict[str, Callable[[], Any]]:
    """How each object the walk needs is found in the seeded data: in Gao where a region applies
    (the regional officer walked is Gao's), in the state where its page shows the most."""
    from cantonment.models import Handover, InventoryItem, Site, StockCheck, WamItem
    from core.models import Decision, Job
    from cvr.models import BeneficiaryImport, Committee, Partner, Project
    from ddr.models import (
        Appeal,
        ArmedGroup,
        Coalition,
        CoalitionMembership,
        Combatant,
        Component,
        DeclaredWeapon,
        DuplicatePair,
        EligibilityRun,
        FollowUp,
        FundingSource,
        Grievance,
        ListImport,
        Opportunity,
        Package,
        PaymentBatch,
        ReintegrationRules,
        RuleSet,
        StatementImport,
        SubmittedList,
    )
    from integration.models import Cohort, Intake, Unit
    from programme.models import Roadmap, SyncConflict

    def person() -> Any:
        return _first(Combatant.objects.filter(region__code="GAO", weapons__isnull=False).distinct())

    return {
        "person": person,
        "weapon": lambda: _first(DeclaredWeapon.objects.filter(combatant=person())),
        "list": lambda: _first(SubmittedList.objects.all()),
        "list-import": lambda: _first(ListImport.objects.all()),
        "pair": lambda: _first(DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN)),
        "ruleset": lambda: _first(RuleSet.objects.all()),
        "ruleset-draft": lambda: _first(RuleSet.objects.filter(status=RuleSet.Status.DRAFT)),
        "eligibility-run": lambda: _first(EligibilityRun.objects.all()),
        "opportunity": lambda: _first(Opportunity.objects.filter(region__code="GAO")),
        "package": lambda: _first(Package.objects.filter(enrolments__isnull=False).distinct()),
        "package-unused": lambda: _first(Package.objects.filter(enrolments__isnull=True)),
        "component-unused": lambda: _first(Component.objects.filter(package__enrolments__isnull=True)),
        "cohort-enrol-job": lambda: _first(Job.objects.filter(kind="package_cohort_enrol")),
        "payment-batch": lambda: _first(PaymentBatch.objects.all()),
        "statement-import": lambda: _first(StatementImport.objects.all()),
        "follow-up": lambda: _first(
            FollowUp.objects.filter(combatant__region__code="GAO", status=FollowUp.Status.PLANNED)
        ),
        "reintegration-rules": lambda: _first(ReintegrationRules.objects.all()),
        "reintegration-rules-draft": lambda: _first(
            ReintegrationRules.objects.filter(status=ReintegrationRules.Status.DRAFT)
        ),
        "grievance": lambda: _first(Grievance.objects.filter(region__code="GAO", sensitive=False)),
        "appeal": lambda: _first(Appeal.objects.all()),
        "site": lambda: _first(Site.objects.filter(region__code="GAO", stays__isnull=False).distinct()),
        "wam-item": lambda: _first(WamItem.objects.filter(site__region__code="GAO")),
        "stock-check": lambda: _first(StockCheck.objects.filter(location__region__code="GAO")),
        "inventory-item": lambda: _first(InventoryItem.objects.filter(site__region__code="GAO")),
        "handover": lambda: _first(Handover.objects.all()),
        "unit": lambda: _first(Unit.objects.filter(region__code="GAO")),
        "partner": lambda: _first(Partner.objects.filter(committees__region__code="GAO").distinct()),
        "committee": lambda: _first(Committee.objects.filter(region__code="GAO")),
        "armed-group": lambda: _first(ArmedGroup.objects.filter(coalition_memberships__isnull=False).distinct()),
        "membership": lambda: _first(CoalitionMembership.objects.all()),
        "coalition": lambda: _first(Coalition.objects.all()),
        "funding-source": lambda: _first(FundingSource.objects.all()),
        "cohort": lambda: _first(Cohort.objects.all()),
        "intake": lambda: _first(
            Intake.objects.filter(region__code="GAO", placements__isnull=False).distinct()
        ),
        "project": lambda: _first(Project.objects.filter(region__code="GAO")),
        "beneficiary-import": lambda: _first(BeneficiaryImport.objects.all()),
        "decision": lambda: _first(Decision.objects.filter(roadmaps__isnull=False)),
        "roadmap": lambda: _first(Roadmap.objects.all()),
        "sync-conflict": lambda: _first(SyncConflict.objects.filter(person__region__code="GAO")),
    }


# The users walked, one per role (the demo's): the regional officer is Gao's.
WALKERS = {
    "commission_officer": "commission",
    "regional_officer": "gao",
    "analyst": "analyste",
    "child_protection": "protection",
    "focal_point": "focal",
    "administrator": "admin",
}


def seed() -> None:
    """The demo at its smallest useful size, then what it leaves out, in Gao: a cantonment site
    with an overstay, a weapon and its stock check, equipment, a list import and a beneficiary import
    with errors, draft rules, a child handed to child protection, a cohort enrolment's job.
    Celery tasks run in-process (as `eager_tasks`); nothing is left on the broker."""
    from config.celery import app

    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True, CELERY_TASK_EAGER_PROPAGATES=True)
    try:
        call_command("seed_demo", people=120, print_logins=False, stdout=StringIO())
        _top_up()
    finally:
        app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_TASK_EAGER_PROPAGATES=False)


def _top_up() -> None:
    from accounts.models import User
    from cantonment.inventory import services as inventory
    from cantonment.models import Site
    from cantonment.sites import services as sites
    from cantonment.weapons import services as weapons
    from cantonment.weapons.models import StorageLocation, WamItem
    from core.models import Job, Region
    from cvr import services as cvr
    from cvr.models import Project
    from ddr.eligibility import services as eligibility
    from ddr.lists import services as lists
    from ddr.models import ArmedGroup, Category, Combatant, DeclaredWeapon, RuleSet
    from ddr.reintegration.followup import services as followup
    from ddr.screening import services as screening

    from .factories import CombatantFactory

    admin, today = User.objects.get(username="admin"), timezone.localdate()
    gao = Region.objects.get(code="GAO")
    site = _first(Site.objects.filter(region=gao, status=Site.Status.BUILT))
    sites.site_advance(site=site, to=Site.Status.OPERATIONAL, on=today - dt.timedelta(days=365), by=admin)
    site.refresh_from_db()
    weapon = _first(DeclaredWeapon.objects.filter(combatant__region=gao))
    person = weapon.combatant
    # Past the longest stay: the overstay's tinted row, whose links must stay readable.
    arrived = today - dt.timedelta(days=sites.max_stay_days() + 10)
    sites.check_in(person=person, site=site, on=arrived, by=admin)
    sites.stays_flag(today)
    armoury = StorageLocation.objects.create(name=f"Armurerie de {site.name}", region=gao, site=site)
    weapons.hand_in(
        site=site,
        location=armoury,
        kind=WamItem.Kind.WEAPON,
        received_on=arrived,
        custodian="Sergent-chef Maïga",
        by=admin,
        person=person,
        weapon_type=weapon.kind,
        calibre=weapon.calibre,
        serial_number=weapon.serial_number,
        condition=weapon.condition,
    )
    weapons.stock_checks_generate(today)
    inventory.inventory_item_create(
        code="GAO-TENTES-01",
        contents="Tentes et bâches",
        region=gao,
        location=site.name,
        custodian="Sergent-chef Maïga",
        by=admin,
        kind="stock",
        quantity=40,
        unit="lots",
        site=site,
    )
    lists.list_import_start(
        data="Nom;Prénom;Sexe;Date de naissance;Région;Matricule\n"
        "Ag Mohamed;Alhousseini;M;1988;Gao;GATIA-00901\n;Issa;X;vers 3000;Nulle part;\n".encode(),
        filename="liste-gatia-complement.csv",
        title="Liste complémentaire GATIA",
        movement=ArmedGroup.objects.get(code="GATIA"),
        submitted_to="cnddr",
        submitted_on=today,
        certified_by="Secrétaire général GATIA",
        previous=None,
        by=User.objects.get(username="commission"),
    )
    project = _first(Project.objects.filter(region=gao))
    cvr.beneficiary_import_start(  # seen by whoever started it only: the commission officer
        project=project,
        file=ContentFile(
            "type;nom;sexe;tranche d'âge\ncommunauté;Aminata Touré;F;18-24\ninconnu;;X;99\n".encode(),
            name="beneficiaires.csv",
        ),
        by=User.objects.get(username="commission"),
    )
    eligibility.ruleset_draft_from(RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).first(), by=admin)
    followup.reintegration_rules_draft_from(None, by=admin)
    child = CombatantFactory.create(
        region=gao,
        category=Category.CHILD,
        birth_year=today.year - 15,
        has_weapon=False,
        given_name="Ousmane",
    )
    screening.child_separate(person=Combatant.objects.get(pk=child.pk), by=admin)
    _sync_conflict(gao)
    Job.objects.create(
        kind="package_cohort_enrol",
        created_by=User.objects.get(username="commission"),
        status=Job.Status.DONE,
        done=3,
        total=3,
        finished_at=timezone.now(),
    )


def _sync_conflict(gao: Any) -> None:
    """An offline device of Gao's officer changed a person's commune while Bamako changed it too."""
    import uuid

    from accounts.models import User
    from ddr.models import Combatant
    from ddr.registration import services as registration
    from programme.offline import selectors
    from programme.offline import services as offline

    officer = User.objects.get(username="gao")
    person = _first(Combatant.objects.filter(region=gao).exclude(status=Combatant.Status.MERGED))
    device, _created = offline.device_register(device_id=uuid.uuid4(), name="Tablette Gao", by=officer)
    selectors.snapshot_people(officer)  # what the device downloaded
    registration.combatant_update(
        person=person, changes={"commune": "Ansongo"}, by=User.objects.get(username="commission")
    )
    update = {"op_id": uuid.uuid4(), "kind": "update", "made_at": timezone.now(), "person": person.pk,
              "temp_id": None, "base_versions": {}, "data": {"commune": "Bourem"}}  # fmt: skip
    offline.operations_apply(device=device, by=officer, operations=[update])


# Each page's URL parameters: which seeded object fills them.
FILL = {
    "ddr:person-detail": {"pk": "person"},
    "ddr:person-card": {"pk": "person"},
    "ddr:weapon-receipt": {"pk": "person", "weapon_pk": "weapon"},
    "ddr:list-detail": {"pk": "list"},
    "ddr:import-detail": {"pk": "list-import"},
    "ddr:import-errors": {"pk": "list-import"},
    "ddr:duplicate-pair": {"pk": "pair"},
    "ddr:ruleset-detail": {"pk": "ruleset"},
    "ddr:ruleset-edit": {"pk": "ruleset-draft"},
    "ddr:ruleset-what-if": {"pk": "ruleset-draft"},
    "ddr:ruleset-what-if-people": {"pk": "ruleset-draft"},
    "ddr:eligibility-run": {"pk": "eligibility-run"},
    "ddr:profile-edit": {"pk": "person"},
    "ddr:opportunity-edit": {"pk": "opportunity"},
    "ddr:package-detail": {"pk": "package"},
    "ddr:package-edit": {"pk": "package-unused"},
    "ddr:component-new": {"pk": "package-unused"},
    "ddr:component-edit": {"pk": "component-unused"},
    "ddr:package-enrol-cohort-job": {"pk": "cohort-enrol-job"},
    "ddr:payment-batch-detail": {"pk": "payment-batch"},
    "ddr:payment-statement-detail": {"pk": "statement-import"},
    "ddr:payment-statement-errors": {"pk": "statement-import"},
    "ddr:follow-up-record": {"pk": "follow-up"},
    "ddr:reintegration-rules-detail": {"pk": "reintegration-rules"},
    "ddr:reintegration-rules-edit": {"pk": "reintegration-rules-draft"},
    "ddr:grievance-detail": {"pk": "grievance"},
    "ddr:appeal-detail": {"pk": "appeal"},
    "ddr:consent-declaration": {"pk": "person"},
    "ddr:consent-subject-access": {"pk": "person"},
    "cantonment:site-detail": {"pk": "site"},
    "cantonment:wam-detail": {"pk": "wam-item"},
    "cantonment:wam-receipt": {"pk": "wam-item"},
    "cantonment:stock-check-detail": {"pk": "stock-check"},
    "cantonment:inventory-detail": {"pk": "inventory-item"},
    "cantonment:handover-detail": {"pk": "handover"},
    "cantonment:handover-receipt": {"pk": "handover"},
    "integration:unit-detail": {"pk": "unit"},
    "integration:cohort-detail": {"pk": "cohort"},
    "integration:state-intake-detail": {"pk": "intake"},
    "cvr:project-detail": {"pk": "project"},
    "cvr:beneficiary-import": {"pk": "project"},
    "cvr:import-detail": {"pk": "beneficiary-import"},
    "cvr:import-errors": {"pk": "beneficiary-import"},
    "ddr:ruleset-what-if-waiting": {"pk": "ruleset-draft"},
    "programme:decision-detail": {"pk": "decision"},
    "programme:roadmap-detail": {"pk": "roadmap"},
    "integration:unit-edit": {"pk": "unit"},
    "cvr:partner-detail": {"pk": "partner"},
    "cvr:partner-edit": {"pk": "partner"},
    "cvr:committee-new": {"pk": "partner"},
    "cvr:committee-edit": {"pk": "committee"},
    "ddr:armed-group-detail": {"pk": "armed-group"},
    "ddr:armed-group-edit": {"pk": "armed-group"},
    "ddr:membership-new": {"pk": "armed-group"},
    "ddr:membership-edit": {"pk": "membership"},
    "ddr:coalition-edit": {"pk": "coalition"},
    "ddr:funding-source-edit": {"pk": "funding-source"},
    "programme:offline-conflict-detail": {"pk": "sync-conflict"},
}

# Pages that need a query to be more than a 400.
QUERIES = {
    "ddr:ruleset-what-if-people": "from=reinsertion&to=integration_army",
    "ddr:ruleset-what-if-waiting": "pathway=reinsertion",
}

# A value of each converter's type, for asking a route that is not filled whether it is an action.
DUMMY = {"int": 999999, "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def dummy_url(route: Route) -> str:
    return reverse(route.name, kwargs={key: DUMMY[kind] for key, kind in route.converters.items()})


def filled_urls(wanted: Iterable[Route]) -> dict[str, str]:
    """Route name: URL, for the routes without parameters and those `FILL` fills."""
    objects, found, urls = _objects(), {}, {}
    for route in wanted:
        if route.converters and route.name not in FILL:
            continue
        kwargs = {}
        for key, name in FILL.get(route.name, {}).items():
            if name not in found:
                found[name] = objects[name]()
            kwargs[key] = found[name].pk
        query = QUERIES.get(route.name)
        urls[route.name] = reverse(route.name, kwargs=kwargs) + (f"?{query}" if query else "")
    return urls


# --- the marked catalogue -----------------------------------------------------------------------

MARK = "\ue000"
# Left as they are in a msgstr: python-format and brace placeholders, tags, entities.
_KEEP = re.compile(r"%(?:\([^)]*\))?[-#0+]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[^{}]*\}|<[^>]*>|&#?\w+;")


def mark(text: str) -> str:
    """The msgstr with the mark after each of its letters, placeholders and tags left intact."""
    out, at = [], 0
    for kept in _KEEP.finditer(text):
        out.append("".join(c + MARK if c.isalpha() else c for c in text[at : kept.start()]))
        out.append(kept.group())
        at = kept.end()
    out.append("".join(c + MARK if c.isalpha() else c for c in text[at:]))
    return "".join(out)


@contextmanager
def marked_catalogue() -> Iterator[None]:
    """French served with every translated letter marked, in every thread (the live server's too)."""
    french = trans_real.translation("fr")
    catalogue = french._catalog  # type: ignore[attr-defined]
    original = catalogue._catalogs
    catalogue._catalogs = [
        {key: (value if key == "" else mark(value)) for key, value in part.items()} for part in original
    ]
    try:
        yield
    finally:
        catalogue._catalogs = original


# --- the text of a page -------------------------------------------------------------------------

# Attributes a reader hears or sees (buttons' values: `input[type=submit]` and the like).
SPOKEN = ("placeholder", "title", "aria-label", "alt")
BUTTONS = {"submit", "button", "reset"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Texts(HTMLParser):
    """The texts of a served page (no JavaScript run): text nodes, title, spoken attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.stack: list[tuple[str, str | None]] = []  # open elements: (tag, lang)
        self.page_lang: str | None = None

    def _skipped(self) -> bool:
        if any(tag in ("script", "style", "noscript", "template") for tag, _ in self.stack):
            return True
        langs = [lang for _, lang in self.stack if lang is not None]
        return bool(langs) and langs[-1] != self.page_lang

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.page_lang = found.get("lang")
            return
        if tag not in VOID:
            self.stack.append((tag, found.get("lang")))
        if self._skipped() or (tag in VOID and found.get("lang") not in (None, self.page_lang)):
            return
        self.texts += [found[name] or "" for name in SPOKEN if found.get(name)]
        if tag == "input" and found.get("type") in BUTTONS and found.get("value"):
            self.texts.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in (t for t, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipped():
            self.texts.append(data)


def texts_of_html(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return parser.texts


# The same, in the browser, after the page's scripts ran (htmx fragments, the map's controls).
TEXTS_JS = """() => {
  const page = document.documentElement.lang;
  const foreign = (el) => { const holder = el.closest("[lang]"); return !!holder && holder.lang !== page; };
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, template") || foreign(parent)) continue;
    if (node.nodeValue.trim()) texts.push(node.nodeValue);
  }
  for (const el of document.body.querySelectorAll("[placeholder], [title], [aria-label], [alt], input")) {
    if (foreign(el)) continue;
    for (const name of ["placeholder", "title", "aria-label", "alt"]) {
      const value = el.getAttribute(name);
      if (value && value.trim()) texts.push(value);
    }
    if (el.matches("input[type=submit], input[type=button], input[type=reset]") && el.value) texts.push(el.value);
  }
  return texts;
}"""


# --- judging the text ---------------------------------------------------------------------------

# Words that are the same in every language and stand in templates as they are. Keep it short.
# File formats and currencies by their codes, the map library by its name.
INVARIANT = {"CSV", "PDF", "XLSX", "USD", "XOF", "Leaflet"}

_WORD = re.compile(rf"(?:[^\W\d_]{MARK}?)+")
# Machine values stored as text (codes of a rule, a job's kind): not data a reader is shown.
_CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")


def _words(text: str) -> Iterator[str]:
    """The words of a text, chunk by chunk; a chunk with a digit in it (a number, a date, a code,
    a pseudonym) has none to judge."""
    for chunk in text.split():
        if not any(c.isdigit() for c in chunk):
            yield from _WORD.findall(chunk)


def unmarked(texts: Iterable[str], data: set[str]) -> list[str]:
    """The texts with a word neither marked (the catalogue's) nor data nor invariant, each shown
    as served with those words in [brackets]."""
    found = []
    for text in texts:
        bad = [w for w in _words(text) if MARK not in w and w.casefold() not in data and w not in INVARIANT]
        # A word half marked is a translated word glued to literal letters: no word of either.
        bad += [w for w in _words(text) if MARK in w and w.count(MARK) != len(w.replace(MARK, ""))]
        if bad:
            shown = text.replace(MARK, "")
            for word in sorted({w.replace(MARK, "") for w in bad}, key=len, reverse=True):
                shown = re.sub(rf"(?<!\[)\b{re.escape(word)}\b(?!\])", f"[{word}]", shown)
            found.append(" ".join(shown.split()))
    return found


# Text the system keeps for itself and never shows as it is (a job's kind has its label, the
# fields two records agree on have theirs): not data, or their English words would pass.
MACHINE = {
    "core.Job": ("kind",),
    "ddr.RegistrationCounter": ("name",),
    "ddr.RegisterTally": ("grouping", "status", "pathway", "category", "sex"),
    "ddr.DuplicatePair": ("agreed", "differed"),
    "ddr.MatchingSettings": ("model",),
}


def _text_fields(model: type[models.Model]) -> list[str]:
    kinds = (models.CharField, models.TextField, models.FileField, models.JSONField)
    machine = MACHINE.get(model._meta.label.replace(".Historical", "."), ())
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, kinds)
        and not f.choices
        and (not f.name.startswith("history_") or f.name == "history_change_reason")
        and f.name not in ("password", *machine)
    ]


def _strings(value: Any) -> Iterator[str]:
    """The strings of a value, those inside a JSON document included (not its keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


DATA_APPS = ("accounts", "core", "ddr", "cantonment", "integration", "cvr", "programme")


def _codes() -> set[str]:
    """Every value of every choice in the project: shown raw, a code is what the walk looks for."""
    return {
        str(value)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        for value, _label in field.flatchoices
    }


def data_words() -> set[str]:
    """Every word of the text stored in the project's tables (history included), case-folded;
    not choices' values, nor codes (`under_age`), nor rows written in another language than the
    page's (`language`: an English consent text shown on a French page says so with `lang`)."""
    words: set[str] = set()
    codes = _codes()
    for model in apps.get_models():
        fields = _text_fields(model)
        if model._meta.app_label not in DATA_APPS or not fields:
            continue
        rows = model._base_manager.all()
        if any(f.name == "language" for f in model._meta.concrete_fields):
            rows = rows.filter(language="fr")
        for row in rows.values_list(*fields):
            for value in row:
                for text in _strings(value):
                    if text not in codes and not _CODE.match(text):
                        words.update(w.casefold() for w in _words(text))
    return words
