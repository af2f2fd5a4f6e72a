"""The choice and profile on the person's page, the profile's edit page, the opportunity map, its
API and its admin: who reaches what, and what a refusal looks like."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from core.models import Cercle
from ddr.models import Category, Choice, Combatant, Opportunity, Pathway, Profile, Trade
from ddr.reintegration.profiles import services

from ...factories import CombatantFactory, RuleSetFactory, region
from .test_profiles_services import SCREENED, activate

pytestmark = pytest.mark.django_db


def trade(code: str) -> Trade:
    return Trade.objects.get(code=code)


def cercle(name: str) -> Cercle:
    return Cercle.objects.get(name=name)


def line(region_code: str, trade_code: str, cercle_name: str | None = None, **kw: Any) -> Opportunity:
    values = {
        "region": region(region_code),
        "cercle": cercle(cercle_name) if cercle_name else None,
        "trade": trade(trade_code),
        "demand": "high",
        "provider": "Centre de formation",
        "capacity": 20,
        "source": "Étude socio-économique PNUD",
        "studied_on": dt.date(2022, 6, 1),
    }
    return Opportunity.objects.create(**{**values, **kw})


PROFILE_POST = {
    "profiled_on": "2024-02-01",
    "education": "primary",
    "literate": "on",
    "languages": "Songhaï",
    "occupation_before": "Berger",
    "preferred_trade": "",
    "dependants": "2",
    "household_size": "4",
    "health_needs": "",
    "return_commune": "Ouattagouna",
    "housing": "family",
    "mobile_money": "76 12 34 56",
    "bank_account": "",
}


def profile_post(**kw: Any) -> dict[str, Any]:
    return {**PROFILE_POST, **kw}


# --- the person's page ----------------------------------------------------------------------


def test_the_persons_page_shows_the_choice_form_and_invites_profiling(commission_client: Any) -> None:
    person = CombatantFactory.create()
    url = reverse("ddr:person-detail", args=[person.pk])
    page = commission_client.get(url).content.decode()
    assert 'data-testid="choice-form"' in page and reverse("ddr:profile-edit", args=[person.pk]) in page


def test_recording_a_choice_from_the_page_re_decides_the_pathway(
    commission_officer: Any, commission_client: Any, eager_tasks: Any
) -> None:
    person = CombatantFactory.create(**SCREENED)
    activate(RuleSetFactory.create(), commission_officer, eager_tasks)
    response = commission_client.post(
        reverse("ddr:choice-new", args=[person.pk]),
        {"option": "civilian_life", "chosen_on": "2024-02-01", "witnessed_by": "M. Maïga, CNDDR"},
        follow=True,
    )
    person.refresh_from_db()
    assert (person.pathway, person.pathway_reason) == (Pathway.REINSERTION, "chose_civilian_life")
    page = response.content.decode()
    assert "M. Maïga, CNDDR" in page and str(person.get_pathway_display()) in page


def test_a_choice_without_witness_or_in_the_future_is_refused_with_a_message(commission_client: Any) -> None:
    person = CombatantFactory.create()
    url = reverse("ddr:choice-new", args=[person.pk])
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    for data in (
        {"option": "civilian_life", "chosen_on": "2024-02-01", "witnessed_by": ""},
        {"option": "civilian_life", "chosen_on": tomorrow, "witnessed_by": "Le chef de village"},
    ):
        response = commission_client.post(url, data, follow=True)
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Choice.objects.count() == 0 and Combatant.objects.get(pk=person.pk).choice == ""


def test_the_profile_and_its_versions_and_fit_show_on_the_page(
    commission_officer: Any, gao_officer: Any, commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    person = CombatantFactory.create()
    line("GAO", "mechanics", "Ansongo", provider="CFP Ansongo", capacity=25)
    data = {
        "profiled_on": dt.date(2024, 2, 1),
        "preferred_trade": trade("mechanics"),
        "skills": [trade("livestock")],
        "return_region": region("GAO"),
        "return_cercle": cercle("Ansongo"),
        "household_size": 3,
    }
    services.profile_save(person=person, data=data, by=commission_officer)
    services.profile_save(person=person, data={**data, "household_size": 5}, by=gao_officer)
    with django_assert_max_num_queries(60):
        response = commission_client.get(reverse("ddr:person-detail", args=[person.pk]))
    page = response.content.decode()
    versions = response.context["profiles"]["versions"]
    assert len(versions) == 2 and {c.name for c in versions[0].changes} >= {"household_size"}
    assert 'data-testid="trade-fit"' in page and "CFP Ansongo" in page and "25" in page
    assert 'data-testid="profile-versions"' in page


def test_the_persons_page_reads_a_fixed_number_of_queries_for_this_part(commission_officer: Any) -> None:
    from ddr.reintegration.profiles.selectors import person_context

    def count(person: Combatant) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            person_context(person, commission_officer)
        return len(captured)

    one, many = CombatantFactory.create(), CombatantFactory.create()
    for person, n in ((one, 1), (many, 6)):
        for day in range(1, n + 1):
            services.choice_record(
                person=person,
                option="civilian_life",
                volunteer_first_operation=False,
                chosen_on=dt.date(2024, 1, day),
                witnessed_by="CNDDR",
                by=commission_officer,
            )
            services.profile_save(
                person=person,
                data={
                    "profiled_on": dt.date(2024, 1, day),
                    "household_size": day,
                    "skills": [trade("fishing")],
                },
                by=commission_officer,
            )
    assert count(one) == count(many)


# --- the profile's page ---------------------------------------------------------------------


def test_profile_edit_saves_and_normalises(commission_client: Any) -> None:
    person = CombatantFactory.create()
    url = reverse("ddr:profile-edit", args=[person.pk])
    assert commission_client.get(url).status_code == 200
    post = profile_post(
        return_region=region("GAO").pk, return_cercle=cercle("Bourem").pk, skills=[trade("fishing").pk]
    )
    response = commission_client.post(url, post)
    assert response.status_code == 302
    profile = Profile.objects.get(combatant=person)
    assert profile.mobile_money == "+22376123456" and list(profile.skills.all()) == [trade("fishing")]


def test_profile_edit_refuses_a_cercle_of_another_region_and_saves_nothing(commission_client: Any) -> None:
    person = CombatantFactory.create()
    url = reverse("ddr:profile-edit", args=[person.pk])
    response = commission_client.post(
        url, profile_post(return_region=region("KID").pk, return_cercle=cercle("Bourem").pk)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["return_cercle"]
    assert "Bourem" in response.content.decode()
    assert Profile.objects.count() == 0


def test_profile_edit_refuses_a_bad_mobile_money_number_on_its_field(commission_client: Any) -> None:
    person = CombatantFactory.create()
    response = commission_client.post(
        reverse("ddr:profile-edit", args=[person.pk]), profile_post(mobile_money="06 12 34 56 78 90")
    )
    assert response.status_code == 400 and response.context["form"].errors["mobile_money"]
    assert Profile.objects.count() == 0


def test_a_childs_profile_and_choice_are_never_reached(
    commission_client: Any, gao_client: Any, child_protection_client: Any, admin_client: Any
) -> None:
    child = CombatantFactory.create(category=Category.CHILD, has_weapon=False)
    for client in (commission_client, gao_client, admin_client):
        assert client.get(reverse("ddr:profile-edit", args=[child.pk])).status_code == 404
        response = client.post(
            reverse("ddr:choice-new", args=[child.pk]),
            {"option": "civilian_life", "chosen_on": "2024-02-01", "witnessed_by": "X"},
        )
        assert response.status_code == 404
    # Child protection opens the child's page, which shows nothing of profiling; the screens are not theirs.
    page = child_protection_client.get(reverse("ddr:person-detail", args=[child.pk]))
    assert page.context["profiles"] is None and 'data-testid="choice-form"' not in page.content.decode()
    assert child_protection_client.get(reverse("ddr:profile-edit", args=[child.pk])).status_code == 403
    assert Choice.objects.count() == 0 and Profile.objects.count() == 0


def test_another_regions_person_is_not_found(gao_client: Any) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    assert gao_client.get(reverse("ddr:profile-edit", args=[kidal.pk])).status_code == 404
    response = gao_client.post(
        reverse("ddr:choice-new", args=[kidal.pk]),
        {"option": "civilian_life", "chosen_on": "2024-02-01", "witnessed_by": "X"},
    )
    assert response.status_code == 404 and Choice.objects.count() == 0


def test_analysts_never_reach_these_pages(analyst_client: Any) -> None:
    person = CombatantFactory.create()
    line("GAO", "mechanics")
    for url in (
        reverse("ddr:profile-edit", args=[person.pk]),
        reverse("ddr:opportunity-map"),
        reverse("ddr:opportunity-new"),
        reverse("ddr:opportunity-edit", args=[Opportunity.objects.get().pk]),
    ):
        assert analyst_client.get(url).status_code == 403, url
    response = analyst_client.post(
        reverse("ddr:choice-new", args=[person.pk]),
        {"option": "civilian_life", "chosen_on": "2024-02-01", "witnessed_by": "X"},
    )
    assert response.status_code == 403 and Choice.objects.count() == 0


# --- the opportunity map --------------------------------------------------------------------


def test_the_map_lists_every_region_for_national_staff_with_filters(
    commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    line("GAO", "mechanics", "Ansongo", provider="CFP Ansongo")
    line("GAO", "livestock", partners="FAO, ONG Tassaght")
    line("KID", "sewing", "Tessalit")
    for code in ("fishing", "welding", "carpentry", "masonry"):
        line("TBK", code)
    url = reverse("ddr:opportunity-map")
    with django_assert_max_num_queries(12):
        page = commission_client.get(url).content.decode()
    assert "CFP Ansongo" in page and "Tessalit" in page and "FAO, ONG Tassaght" in page
    only_kidal = commission_client.get(url, {"region": "KID"}).context["lines"]
    assert [o.trade.code for o in only_kidal] == ["sewing"]
    mechanics = commission_client.get(url, {"trade": "mechanics"}).context["lines"]
    assert [o.cercle.name for o in mechanics] == ["Ansongo"]


def test_a_regional_officer_sees_and_edits_their_region_only(gao_client: Any, gao_officer: Any) -> None:
    gao = line("GAO", "mechanics", "Ansongo", provider="CFP Ansongo")
    kidal = line("KID", "sewing", "Tessalit", provider="Atelier de Tessalit")
    page = gao_client.get(reverse("ddr:opportunity-map")).content.decode()
    assert "CFP Ansongo" in page and "Atelier de Tessalit" not in page
    assert gao_client.get(reverse("ddr:opportunity-edit", args=[kidal.pk])).status_code == 404
    assert gao_client.post(reverse("ddr:opportunity-edit", args=[kidal.pk]), {}).status_code == 404

    # Their own line: changed, audited.
    edit = {
        "region": region("GAO").pk,
        "cercle": cercle("Ansongo").pk,
        "trade": trade("mechanics").pk,
        "demand": "medium",
        "provider": "CFP Ansongo",
        "capacity": "35",
        "partners": "OIM",
        "source": "Étude PNUD 2023",
        "studied_on": "2023-05-01",
    }
    assert gao_client.post(reverse("ddr:opportunity-edit", args=[gao.pk]), edit).status_code == 302
    gao.refresh_from_db()
    assert (gao.capacity, gao.demand) == (35, "medium") and gao.history.first().history_user == gao_officer

    # A new line in Kidal: refused on the region's field, nothing saved.
    new = {**edit, "region": region("KID").pk, "cercle": cercle("Kidal").pk, "trade": trade("fishing").pk}
    response = gao_client.post(reverse("ddr:opportunity-new"), new)
    assert response.status_code == 400 and response.context["form"].errors["region"]
    assert Opportunity.objects.count() == 2


def test_a_new_line_without_study_or_with_a_cercle_of_another_region_is_refused(
    commission_client: Any,
) -> None:
    data = {
        "region": region("GAO").pk,
        "cercle": cercle("Tessalit").pk,
        "trade": trade("fishing").pk,
        "demand": "high",
        "provider": "",
        "capacity": "0",
        "partners": "",
        "source": "",
        "studied_on": "2023-05-01",
    }
    response = commission_client.post(reverse("ddr:opportunity-new"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "source" in errors and "cercle" in errors
    assert Opportunity.objects.count() == 0
    data |= {"cercle": cercle("Bourem").pk, "source": "Étude FAO"}
    assert commission_client.post(reverse("ddr:opportunity-new"), data).status_code == 302
    assert Opportunity.objects.get().cercle == cercle("Bourem")
    # The same trade in the same place again: one line per place.
    again = commission_client.post(reverse("ddr:opportunity-new"), data)
    assert again.status_code == 400 and Opportunity.objects.count() == 1


# --- API and admin --------------------------------------------------------------------------


def test_the_api_serves_the_map_to_analysts_and_each_officer_their_region(
    analyst_client: Any, gao_client: Any
) -> None:
    line("GAO", "mechanics", "Ansongo")
    line("KID", "sewing")
    every = analyst_client.get("/api/opportunities/").json()
    assert every["count"] == 2
    first = every["results"][0]
    assert {k: first[k] for k in ("region", "cercle", "trade", "demand")} == {
        "region": "GAO",
        "cercle": "Ansongo",
        "trade": "mechanics",
        "demand": "high",
    }
    assert analyst_client.get("/api/opportunities/", {"trade__code": "sewing"}).json()["count"] == 1
    assert [o["region"] for o in gao_client.get("/api/opportunities/").json()["results"]] == ["GAO"]
    assert analyst_client.post("/api/opportunities/", {}).status_code in (403, 405)


def test_administrators_keep_trades_and_the_map_in_the_admin(
    admin_client: Any, commission_client: Any
) -> None:
    assert admin_client.get(reverse("admin:ddr_trade_changelist")).status_code == 200
    response = admin_client.post(reverse("admin:ddr_trade_add"), {"code": "beekeeping", "name": "Apiculture"})
    assert response.status_code == 302 and Trade.objects.filter(code="beekeeping").exists()
    assert admin_client.get(reverse("admin:ddr_opportunity_changelist")).status_code == 200
    bad = {
        "region": region("GAO").pk,
        "cercle": cercle("Tessalit").pk,
        "trade": trade("fishing").pk,
        "demand": "high",
        "capacity": "0",
        "source": "Étude",
        "studied_on": "2023-05-01",
    }
    assert admin_client.post(reverse("admin:ddr_opportunity_add"), bad).status_code == 200  # the form again
    assert Opportunity.objects.count() == 0
    assert commission_client.get(reverse("admin:ddr_trade_changelist")).status_code == 302
