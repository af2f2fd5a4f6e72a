"""Quotas: the places taken on each pathway, who waits for one and in which order, and the
what-if's prediction of who would wait under a draft rule set."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from ddr.accountability.appeals.models import Appeal
from ddr.eligibility import selectors as eligibility_selectors
from ddr.eligibility import services as eligibility
from ddr.models import Combatant, EligibilityRun, Pathway, RuleSet, WaitingPlace

from ..factories import CombatantFactory, RuleSetFactory, UserFactory, region
from .accountability.appeals_setup import filed

K = Appeal.Kind

pytestmark = pytest.mark.django_db

SCREENED = {"medical_status": "fit", "vetting_status": "clear"}
# Unarmed: the 2018 rules send them to socio-economic reinsertion (DDR).
UNARMED = {**SCREENED, "has_weapon": False}


def activate(ruleset: RuleSet, by: User, eager_tasks: Any) -> EligibilityRun:
    with eager_tasks():
        run = eligibility.ruleset_activate(ruleset=ruleset, by=by)
    run.refresh_from_db()
    return run


def day(n: int) -> dt.date:
    return dt.date(2019, 1, n)


# --- places taken ---------------------------------------------------------------------------


def test_oriented_people_hold_their_places_and_only_people_not_yet_oriented_wait(
    commission_officer: Any, eager_tasks: Any
) -> None:
    """The demo's finding: 460 people oriented to reinsertion (enrolled in a package, some paid)
    counted as no place taken, and, over a quota, put on the waiting list behind newcomers."""
    oriented = [
        CombatantFactory.create(**UNARMED, status="oriented", pathway="reinsertion", registered_at=day(n))
        for n in (10, 11, 12)
    ]
    newcomer = CombatantFactory.create(**UNARMED, registered_at=day(1))  # registered before them all
    assert eligibility_selectors.quota_use("reinsertion") == 3
    assert eligibility_selectors.quota_use("reinsertion", "GAO") == 3
    assert eligibility_selectors.quota_use("reinsertion", "KID") == 0

    # Three places taken: a quota of 3 may be activated, not one of 2.
    assert not eligibility_selectors.ruleset_check(RuleSetFactory.build(quotas={"reinsertion": {"total": 3}}))
    assert eligibility_selectors.ruleset_check(RuleSetFactory.build(quotas={"reinsertion": {"total": 2}}))

    run = activate(RuleSetFactory.create(quotas={"reinsertion": {"total": 3}}), commission_officer, eager_tasks)
    assert run.waitlisted == 1
    place = WaitingPlace.objects.get()
    assert (place.combatant_id, place.pathway, place.position) == (newcomer.pk, "reinsertion", 1)
    assert all(Combatant.objects.get(pk=p.pk).pathway == "reinsertion" for p in oriented)


def test_a_full_region_is_passed_over_and_the_national_places_go_to_the_next(
    commission_officer: Any, eager_tasks: Any
) -> None:
    """Gao's two places are given; the third Gao man waits, but the national third place goes to
    the Kidal man behind him instead of staying empty."""
    gao = [CombatantFactory.create(**SCREENED, registered_at=day(n)) for n in (1, 2, 3)]
    kidal = CombatantFactory.create(**SCREENED, registered_at=day(4), region=region("KID"))
    late = CombatantFactory.create(**SCREENED, registered_at=day(5), region=region("KID"))
    quotas = {"integration_army": {"total": 3, "regions": {"GAO": 2}}}
    activate(RuleSetFactory.create(quotas=quotas), commission_officer, eager_tasks)
    assert list(WaitingPlace.objects.values_list("combatant_id", "position")) == [(gao[2].pk, 1), (late.pk, 2)]
    assert not WaitingPlace.objects.filter(combatant=kidal).exists()


# --- the what-if predicts who would wait ----------------------------------------------------


def test_the_what_if_predicts_the_waiting_lists_that_activation_and_recompute_then_build(
    commission_officer: Any, eager_tasks: Any
) -> None:
    """The tester's case: the what-if said who changes pathway but not who would wait (it missed
    782). Its prediction is compared, person by person and position by position, with the lists
    the activation's run really builds."""
    # In force: integration requires a weapon, one place in integration.
    first = RuleSetFactory.create(effective_to=None, quotas={"integration_army": {"total": 1}})
    armed = [
        CombatantFactory.create(**SCREENED, registered_at=day(n), birth_year=1970 + n, region=region(code))
        for n, code in [(1, "GAO"), (2, "GAO"), (3, "KID"), (4, "GAO"), (5, "KID")]
    ]
    unarmed = [
        CombatantFactory.create(**UNARMED, registered_at=day(n), birth_year=year, region=region("GAO"))
        for n, year in [(6, 1960), (7, None), (8, 1999)]
    ]
    # A woman associated with a movement: reinsertion by her category under both rule sets.
    oriented = CombatantFactory.create(
        **UNARMED, category="woman_associated", sex="F", status="oriented", registered_at=day(20)
    )
    in_training = CombatantFactory.create(
        **SCREENED, status="in_training", pathway="integration_army", registered_at=day(21)
    )
    activate(first, commission_officer, eager_tasks)
    assert set(WaitingPlace.objects.values_list("combatant_id", flat=True)) == {p.pk for p in armed}

    # An unarmed man contests his pathway: no run moves him while his appeal is open.
    frozen = unarmed[2]
    filed(K.ELIGIBILITY, frozen.pk, commission_officer)

    # The draft: the unarmed go to integration too; oldest first; 3 places in integration, 2 in
    # Gao; one place in reinsertion (held by the oriented man).
    draft = RuleSetFactory.create(
        effective_from=dt.date(2019, 1, 1),
        integration_requires_weapon=False,
        priority=RuleSet.Priority.OLDEST,
        quotas={"integration_army": {"total": 3, "regions": {"GAO": 2}}, "reinsertion": {"total": 1}},
    )
    predicted = eligibility_selectors.what_if_waiting(draft).rows()
    summary = {row["pathway"]: row for row in eligibility_selectors.what_if(draft)["waiting"]}
    assert Combatant.objects.filter(pk=frozen.pk, pathway="reinsertion").exists()  # nothing changed yet

    activate(draft, commission_officer, eager_tasks)
    actual = list(
        WaitingPlace.objects.order_by("pathway", "position").values_list("combatant_id", "pathway", "position")
    )
    assert predicted == actual
    # In integration, the man in training holds a place and the oldest (born 1960, from Gao) takes
    # Gao's second; the Gao men born 1971, 1972 and 1974 are passed over (Gao full), so the Kidal
    # man born 1973 takes the third national place; the Kidal man of 1975 waits, and the man of
    # unknown age comes last. The man under appeal stays in reinsertion, where the oriented man
    # holds the only place.
    assert [pk for pk, pathway, _n in actual if pathway == "integration_army"] == [
        armed[0].pk,
        armed[1].pk,
        armed[3].pk,
        armed[4].pk,
        unarmed[1].pk,
    ]
    assert [pk for pk, pathway, _n in actual if pathway == "reinsertion"] == [frozen.pk]
    assert {oriented.pk, in_training.pk, unarmed[0].pk, armed[2].pk}.isdisjoint(pk for pk, _p, _n in actual)
    waiting_integration = [pk for pk, pathway, _n in actual if pathway == "integration_army"]
    # The summary's figures are the same people: how many would wait, and the change from today.
    assert summary["integration_army"]["waiting"] == len(waiting_integration)
    assert summary["reinsertion"] == {
        "pathway": "reinsertion",
        "label": str(Pathway.REINSERTION.label),  # in the language active when the summary was made
        "waiting": 1,
        "newly": 1,
        "leaving": 0,
        "quota": {"total": 1},
    }
    stayed = {p.pk for p in armed} & set(waiting_integration)
    assert summary["integration_army"]["newly"] == len(waiting_integration) - len(stayed)
    assert summary["integration_army"]["leaving"] == len(armed) - len(stayed)


def test_the_what_if_leaves_people_under_appeal_where_they_are(
    commission_officer: Any, eager_tasks: Any
) -> None:
    activate(RuleSetFactory.create(effective_to=dt.date(2019, 1, 1)), commission_officer, eager_tasks)
    frozen, free = CombatantFactory.create_batch(2, **UNARMED)
    eligibility.person_decide(person=frozen, ruleset=RuleSet.objects.get(), by=commission_officer)
    eligibility.person_decide(person=free, ruleset=RuleSet.objects.get(), by=commission_officer)
    filed(K.ELIGIBILITY, frozen.pk, commission_officer)
    draft = RuleSetFactory.create(effective_from=dt.date(2019, 1, 1), integration_requires_weapon=False)
    result = eligibility_selectors.what_if(draft)
    assert [(t[2], t[3], t[4]) for t in result["transitions"]] == [("reinsertion", "integration_army", 1)]
    inspect = eligibility_selectors.what_if_people(draft, from_pathway="reinsertion", to_pathway="integration_army")
    assert list(inspect) == [free]
    run = activate(draft, commission_officer, eager_tasks)
    assert run.changed == result["changes"] == 1


# --- the pages ------------------------------------------------------------------------------


def waiting(person: Combatant, position: int, pathway: str = "integration_army") -> WaitingPlace:
    return WaitingPlace.objects.create(combatant=person, pathway=pathway, position=position, since=timezone.now())


def in_force(**quotas: Any) -> RuleSet:
    return RuleSetFactory.create(status=RuleSet.Status.ACTIVE, quotas=quotas)


def test_quota_page_fills_a_bar_per_quota_with_the_figure_beside_it(commission_client: Any) -> None:
    in_force(reinsertion={"total": 10, "regions": {"GAO": 2}})
    CombatantFactory.create_batch(2, **UNARMED, status="oriented", pathway="reinsertion")
    CombatantFactory.create(**UNARMED, status="reinserted", pathway="reinsertion", region=region("KID"))
    waiting(CombatantFactory.create(**UNARMED, pathway="reinsertion"), 1, "reinsertion")
    CombatantFactory.create(**UNARMED, status="merged", pathway="reinsertion")  # gone: no place

    page = commission_client.get(reverse("ddr:quota-use")).content.decode()
    rows = {
        (m["pathway"], m["region"] or ""): re.sub(r"\s*(<[^>]+>\s*)+", "|", m["row"]).strip("|")
        for m in re.finditer(
            r'<tr data-testid="quota-row" data-pathway="(?P<pathway>\w+)"(?: data-region="(?P<region>\w+)")?'
            r"[^>]*>(?P<row>.*?)</tr>",
            page,
            re.S,
        )
    }
    # People | places taken | waiting | quota | the bar's figure in words, and "reached" in words.
    assert rows[("reinsertion", "")] == (
        "Réinsertion socio-économique (DDR)|Toutes les régions|4|3|1|10|3 places prises sur 10 (30 %)"
    )
    assert rows[("reinsertion", "GAO")].endswith("|GAO|3|2|1|2|2 places prises sur 2 (100 %)|■|quota atteint")
    assert rows[("reinsertion", "KID")].endswith("|KID|1|1|0|—|—")
    # The bars: server-drawn, named by their figure, no colour needed to read them.
    assert '<meter min="0" max="10" value="3" aria-labelledby="fill-1"></meter>' in page
    assert '<span id="fill-1" data-testid="quota-fill">3 places prises sur 10 (30 %)</span>' in page
    assert f'href="{reverse("ddr:waiting-list")}?pathway=reinsertion">1</a>' in page
    assert "personnes orientées vers le parcours" in page  # the legend says what a place taken is

    export = commission_client.get(reverse("ddr:quota-use"), {"export": "csv"}).content.decode("utf-8-sig")
    assert export.splitlines()[:2] == [
        "Parcours;Région;Personnes;Places prises;En attente;Quota",
        "Réinsertion socio-économique (DDR);Toutes les régions;4;3;1;10",
    ]


def test_the_waiting_list_is_in_order_with_its_rule_and_scoped_to_the_reader(
    commission_client: Any, gao_client: Any, child_protection_client: Any, analyst_client: Any
) -> None:
    in_force(integration_army={"total": 1, "regions": {"GAO": 1}})
    second = waiting(CombatantFactory.create(**SCREENED, family_name="Maïga"), 2)
    waiting(CombatantFactory.create(**SCREENED, family_name="Ag Intallah", region=region("KID")), 1)
    child = CombatantFactory.create(category="child", family_name="Zzchildname", status="referred")
    waiting(child, 3)
    url = reverse("ddr:waiting-list")

    page = commission_client.get(url).content.decode()
    assert page.index("Ag Intallah") < page.index("Maïga")  # next in first
    assert "Premier enregistré, premier servi" in page and "Quota : 1 au niveau national · GAO 1" in page
    assert "les personnes de cette région sont passées" in page  # a full region is passed over
    assert "Zzchildname" not in page
    # A regional officer sees the people of the region only, with their national positions.
    page = gao_client.get(url).content.decode()
    assert "Maïga" in page and "Ag Intallah" not in page
    assert '<td class="num">2</td>' in page and "ceux de la liste nationale" in page
    # Children: only the child-protection role, who sees nobody else.
    page = child_protection_client.get(url).content.decode()
    assert "Zzchildname" in page and "Maïga" not in page
    # Analysts never read a row per person; the focal point never reads the register.
    assert analyst_client.get(url).status_code == 403
    focal = Client()
    focal.force_login(UserFactory.create(role=Role.FOCAL_POINT))
    assert focal.get(url).status_code == 403
    assert commission_client.get(url, {"pathway": "nowhere"}).status_code == 400
    # The export identifies people: a purpose first, then the reader's rows only.
    assert gao_client.get(url, {"export": "csv"}).status_code == 400
    export = gao_client.get(url, {"export": "csv", "purpose": "Convocation des personnes en attente"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"2;{second.combatant.registration_number};Maïga;")


def test_the_waiting_list_costs_the_same_queries_for_3_people_or_30(
    commission_client: Any, gao_client: Any
) -> None:
    in_force(integration_army={"total": 1})

    def queries(client: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("ddr:waiting-list")).status_code == 200
        return len(captured)

    for n in range(3):
        waiting(CombatantFactory.create(**SCREENED), n + 1)
    few = {who: queries(client) for who, client in [("commission", commission_client), ("gao", gao_client)]}
    for n in range(3, 30):
        waiting(CombatantFactory.create(**SCREENED), n + 1)
    assert {who: queries(client) for who, client in [("commission", commission_client), ("gao", gao_client)]} == few
    assert few["commission"] <= 8


def test_the_what_if_page_shows_who_would_wait_and_lists_them_in_order(
    admin_client: Any, commission_client: Any, eager_tasks: Any, commission_officer: Any
) -> None:
    CombatantFactory.create(**SCREENED, family_name="Coulibaly", registered_at=day(1))
    CombatantFactory.create(**SCREENED, family_name="Diarra", registered_at=day(2), region=region("KID"))
    CombatantFactory.create(**SCREENED, family_name="Keïta", registered_at=day(3))
    activate(RuleSetFactory.create(effective_to=None), commission_officer, eager_tasks)
    draft = RuleSetFactory.create(effective_from=dt.date(2019, 1, 1), quotas={"integration_army": {"total": 1}})

    page = admin_client.get(reverse("ddr:ruleset-what-if", args=[draft.pk])).content.decode()
    assert "2 personnes attendraient une place." in page
    inspect = reverse("ddr:ruleset-what-if-waiting", args=[draft.pk])
    assert f'href="{inspect}?pathway=integration_army"' in page

    page = admin_client.get(inspect, {"pathway": "integration_army"}).content.decode()
    assert "2 personnes attendraient, dans cet ordre." in page
    assert "Coulibaly" not in page and page.index("Diarra") < page.index("Keïta")
    assert commission_client.get(inspect, {"pathway": "integration_army"}).status_code == 403
    assert admin_client.get(inspect, {"pathway": "nowhere"}).status_code == 400
    assert not WaitingPlace.objects.exists()  # a what-if changes nothing
