from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ddr.models import Category, Combatant

from .factories import CombatantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_api_without_credentials_is_401() -> None:
    assert Client().get("/api/people/").status_code == 401


def test_token_login_returns_an_expiring_token_that_authenticates() -> None:
    UserFactory.create(username="claire", role="analyst")
    import base64

    basic = base64.b64encode(b"claire:Sahel-pass-2024").decode()
    response = Client().post(reverse("api-token-login"), HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200
    body = response.json()
    assert body["expiry"] and body["token"]
    CombatantFactory.create()
    api = Client().get("/api/pathways/counts/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.status_code == 200
    assert Client().get("/api/people/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


def test_people_are_paginated_and_filterable(commission_client: Any) -> None:
    CombatantFactory.create_batch(3, category=Category.COMBATANT_ARMED)
    CombatantFactory.create(category=Category.EX_MDSF)
    body = commission_client.get("/api/people/?category=ex_mdsf").json()
    assert body["count"] == 1 and body["results"][0]["category"] == "ex_mdsf"
    assert commission_client.get("/api/people/?page_size=2").json()["count"] == 4


def test_bad_filter_value_is_400_with_field_errors(commission_client: Any) -> None:
    response = commission_client.get("/api/people/?category=general")
    assert response.status_code == 400
    assert "category" in response.json()


def test_people_list_query_count_does_not_grow_with_rows(
    commission_client: Any, django_assert_num_queries: Any
) -> None:
    CombatantFactory.create_batch(5)
    # session, user, rows read this hour, count, page, the export log's row
    with django_assert_num_queries(6):
        commission_client.get("/api/people/")
    CombatantFactory.create_batch(20)
    with django_assert_num_queries(6):
        commission_client.get("/api/people/")


def test_schema_documents_error_responses_for_every_operation(commission_client: Any) -> None:
    response = commission_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/people/" in schema["paths"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "401", "403"} <= set(operation["responses"]), (path, method)
            if "{" in path:
                assert "404" in operation["responses"], (path, method)


def test_docs_page_uses_only_our_own_assets(commission_client: Any) -> None:
    page = commission_client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_reference_data_endpoints(analyst_client: Any) -> None:
    regions = analyst_client.get("/api/regions/").json()
    assert {"Ménaka", "Taoudénit"} <= {r["name"] for r in regions["results"]}
    groups = analyst_client.get("/api/armed-groups/?page_size=50").json()
    cpa = next(g for g in groups["results"] if g["code"] == "CPA")
    assert [m["coalition"] for m in cpa["coalitions"]] == ["PLATEFORME"]  # from 14 June 2014


@pytest.mark.parametrize("url", ["/api/dashboard/", "/api/pathways/counts/", "/personnes/"])
def test_a_nul_character_in_a_filter_is_a_400_not_a_500(commission_client: Client, url: str) -> None:
    response = commission_client.get(url, {"region": "1\x00", "q": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_plain_rows_serialize_people_as_drf_does() -> None:
    """`core.api.PlainRows` reads plain columns off the row: the output must be DRF's own, cell for
    cell, whatever is empty, related or computed."""
    import datetime as dt

    from rest_framework import serializers

    from ddr.eligibility.models import RuleSet
    from ddr.registration.api import PersonSerializer

    class DrfOwn(serializers.ModelSerializer):
        waitlist_position = PersonSerializer._declared_fields["waitlist_position"]
        region = PersonSerializer._declared_fields["region"]
        movement = PersonSerializer._declared_fields["movement"]

        class Meta(PersonSerializer.Meta):
            pass

    CombatantFactory.create(birth_date=dt.date(1990, 5, 17), has_weapon=True)
    CombatantFactory.create(birth_date=None, birth_year=None, category=Category.CHILD, pathway_reason="")
    later = CombatantFactory.create()
    ruleset = RuleSet.objects.first()
    if ruleset is not None:
        Combatant.objects.filter(pk=later.pk).update(pathway_ruleset=ruleset)
    people = list(Combatant.objects.select_related("region", "movement", "waiting_place").order_by("id"))
    ours = PersonSerializer(people, many=True).data
    assert ours == DrfOwn(people, many=True).data
    assert [list(row) for row in ours] == [list(PersonSerializer.Meta.fields)] * 3  # the declared order
    assert ours[0]["birth_date"] == "1990-05-17" and ours[0]["has_weapon"] is True
    # The list endpoint's path: `values()` dicts read by the class's plan, no model instance.
    plan = PersonSerializer.values_plan()
    assert plan is not None and [name for name, _, _ in plan] == list(PersonSerializer.Meta.fields)
    rows = Combatant.objects.order_by("id").values(*dict.fromkeys(lookup for _, lookup, _ in plan))
    assert PersonSerializer(rows, many=True).data == ours
    if ruleset is not None:
        assert ours[2]["pathway_ruleset"] == ruleset.pk


def test_the_people_list_builds_only_the_filters_its_query_names(commission_client: Client) -> None:
    """`core.api.AskedFiltersBackend`: the page filtered by the filters asked is the page the whole
    filter set gives, and a filter's bad value is still a 400 with its field."""
    from core.api import AskedFiltersBackend
    from ddr.registration.filters import PersonFilter

    for sex in ("F", "M"):
        CombatantFactory.create(sex=sex, has_weapon=True)
    CombatantFactory.create(sex="F", has_weapon=False)
    asked = {"sex": "F", "has_weapon": "true"}
    whole = PersonFilter(asked, queryset=Combatant.objects.all()).qs
    rows = commission_client.get("/api/people/", asked).json()["results"]
    assert sorted(r["id"] for r in rows) == sorted(whole.values_list("id", flat=True)) and len(rows) == 1

    class View:
        filterset_class = PersonFilter
        filterset_fields = None
        request = type("Request", (), {"query_params": asked})()

    narrowed = AskedFiltersBackend().get_filterset_class(View(), Combatant.objects.all())
    assert set(narrowed.base_filters) == {"sex", "has_weapon"}
    assert "sex" in commission_client.get("/api/people/", {"sex": "X"}).json()
    # `sort` (the filter set's) orders the page; DRF's default ordering used to undo it.
    names = [r["family_name"] for r in commission_client.get("/api/people/", {"sort": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True) and len(set(names)) > 1
    # The browsable API's filter form still offers every filter, not only those asked.
    browsable = commission_client.get("/api/people/", {**asked, "format": "api"}, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and 'name="consent_missing"' in browsable.content.decode()


def test_a_token_is_checked_in_one_query_and_expired_ones_are_purged_every_hour(
    django_assert_num_queries: Any,
) -> None:
    """`accounts.auth.TokenAuthentication`: a request reads its own token only (knox read every
    token of the user too, to delete the expired ones); an expired token is refused and deleted,
    and the hourly task deletes the others."""
    import datetime as dt

    from knox.models import AuthToken
    from rest_framework.test import APIRequestFactory

    from accounts.auth import TokenAuthentication
    from accounts.tasks import tokens_purge_expired_hourly

    officer = UserFactory.create()
    _, live = AuthToken.objects.create(officer, expiry=dt.timedelta(hours=1))
    _, expired = AuthToken.objects.create(officer, expiry=dt.timedelta(seconds=-1))
    AuthToken.objects.create(officer, expiry=dt.timedelta(seconds=-1))  # never presented again
    request = APIRequestFactory().get("/api/people/", HTTP_AUTHORIZATION=f"Token {live}")
    with django_assert_num_queries(1):
        user, _token = TokenAuthentication().authenticate(request)
    assert user == officer and AuthToken.objects.count() == 3
    refused = Client().get("/api/people/", HTTP_AUTHORIZATION=f"Token {expired}")
    assert refused.status_code == 401 and AuthToken.objects.count() == 2
    assert tokens_purge_expired_hourly() == 1 and AuthToken.objects.count() == 1
    assert Client().get("/api/regions/", HTTP_AUTHORIZATION=f"Token {live}").status_code == 200
    # Signing out revokes the token (the logout view authenticates with the same class).
    assert Client().post("/api/auth/token/logout/", HTTP_AUTHORIZATION=f"Token {live}").status_code == 204
    assert Client().get("/api/regions/", HTTP_AUTHORIZATION=f"Token {live}").status_code == 401
