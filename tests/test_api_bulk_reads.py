"""Bulk reads of identifying data through the API are logged like exports, need a stated purpose
beyond a first page, and are throttled: the register cannot be pulled with names in a few quiet
requests."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from core import exports
from core.models import ExportLog
from ddr.models import Combatant

from .factories import CombatantFactory, ProjectFactory

pytestmark = pytest.mark.django_db
PURPOSE = "Paiement des filets sociaux, Gao"


@pytest.fixture
def register() -> None:
    CombatantFactory.create_batch(7)


def test_a_list_of_people_is_logged_like_an_export(commission_client: Client, register: None) -> None:
    response = commission_client.get("/api/people/", {"region": "GAO", "page_size": "5"})
    assert response.status_code == 200
    log = ExportLog.objects.get()
    assert (log.what, log.file_format, log.identity, log.row_count) == ("api:people", "api", True, 5)
    assert "region=GAO" in log.filters and log.sha256 == hashlib.sha256(response.content).hexdigest()


def test_the_register_is_not_pulled_page_after_page_without_a_purpose(
    commission_client: Client, register: None
) -> None:
    # The pull: the largest pages, one after the other.
    refused = commission_client.get("/api/people/", {"page_size": 500})
    assert refused.status_code == 400 and "purpose" in refused.json()
    assert commission_client.get("/api/people/", {"page_size": 2, "page": 2}).status_code == 400
    assert (
        commission_client.get("/api/people/", {"page_size": "2", "page": "2", "purpose": "test"}).status_code
        == 400
    )
    assert not ExportLog.objects.exists()

    pages = [
        commission_client.get("/api/people/", {"page_size": 2, "page": n}, headers={"X-Purpose": PURPOSE})
        for n in (1, 2, 3, 4)
    ]
    assert [p.status_code for p in pages] == [200] * 4
    logged = ExportLog.objects.order_by("pk")
    assert [(log.purpose, log.row_count) for log in logged] == [(PURPOSE, 2)] * 3 + [(PURPOSE, 1)]
    assert commission_client.get("/api/people/", {"page_size": "500", "purpose": PURPOSE}).status_code == 200


def test_many_first_pages_within_an_hour_need_a_purpose(
    commission_client: Client, register: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(exports, "API_FREE_ROWS", 10)
    for region in ("GAO", "GAO"):  # 14 rows read: over the 10 an hour allowed without a purpose
        assert commission_client.get("/api/people/", {"region": region}).status_code == 200
    assert commission_client.get("/api/people/", {"region": "KID"}).status_code == 400
    assert commission_client.get("/api/people/", {"region": "KID", "purpose": PURPOSE}).status_code == 200


def test_identifying_lists_are_throttled(commission_client: Client, register: None, settings: Any) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "identity": "3/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    statuses = [commission_client.get("/api/people/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert ExportLog.objects.count() == 3
    assert commission_client.get("/api/cvr-beneficiaries/").status_code == 429  # the same budget
    assert commission_client.get("/api/regions/").status_code == 200  # nothing identifying


def test_analysts_read_no_list_of_people_and_nothing_is_logged(analyst_client: Client, register: None) -> None:
    # Analysts read aggregates only: the register, even pseudonymised, is refused before it is read.
    for url in ("/api/people/", "/api/cvr-beneficiaries/"):
        assert analyst_client.get(url, {"page_size": 2, "page": 2}).status_code == 403
    assert not ExportLog.objects.exists()


def test_community_names_are_logged_too(commission_client: Client) -> None:
    from cvr.models import Beneficiary

    project = ProjectFactory.create()
    Beneficiary.objects.create(
        project=project, kind="community", name="Fanta Coulibaly", sex="F", age_band="25-35"
    )
    assert commission_client.get("/api/cvr-beneficiaries/").status_code == 200
    assert ExportLog.objects.get().what == "api:cvr-beneficiaries"


def test_the_schema_documents_the_purpose_and_the_refusals() -> None:
    operation = SchemaGenerator().get_schema(public=True)["paths"]["/api/people/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"purpose", "X-Purpose"} <= names
    # Every filter of the set, though a request builds only those it names (AskedFiltersBackend).
    assert {"q", "region", "movement", "sex", "category", "status", "list", "consent_missing"} <= names
    assert {"400", "403", "429"} <= set(operation["responses"])


def test_cursor_pages_walk_the_register_without_a_count(
    commission_client: Client, register: None, django_assert_max_num_queries: Any
) -> None:
    first = commission_client.get("/api/people/", {"cursor": "", "page_size": "3"})
    assert first.status_code == 200
    body = first.json()
    assert "count" not in body and len(body["results"]) == 3 and body["previous"] is None
    seen = [p["id"] for p in body["results"]]
    # Past the first page, a cursor is a bulk read like a page number: it needs a purpose.
    assert commission_client.get(body["next"]).status_code == 400
    url = body["next"]
    while url:
        with django_assert_max_num_queries(12):  # session, user, the page, the export log: no COUNT
            page = commission_client.get(url, headers={"X-Purpose": PURPOSE}).json()
        seen += [p["id"] for p in page["results"]]
        url = page["next"]
    assert seen == sorted(seen) and len(seen) == 7


def test_cursor_pages_keep_the_readers_scope(gao_client: Client, db: Any) -> None:
    from tests.factories import region

    CombatantFactory.create_batch(2)
    kidal = CombatantFactory.create(region=region("KID"))
    ids = [p["id"] for p in gao_client.get("/api/people/", {"cursor": ""}).json()["results"]]
    assert len(ids) == 2 and kidal.pk not in ids


def test_page_numbers_stay_the_default(commission_client: Client, register: None) -> None:
    body = commission_client.get("/api/people/").json()
    assert body["count"] == 7 and body["count_capped"] is False


def test_a_page_is_counted_without_the_columns_joined_for_its_rows(
    commission_client: Client, register: None
) -> None:
    """The rows carry their region's and movement's codes (joined), the count reads the people
    alone: an index gives it without reading a row."""
    with CaptureQueriesContext(connection) as queries:
        body = commission_client.get("/api/people/", {"region": "GAO", "page_size": "2"}).json()
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and "ddr_armedgroup" not in counts[0]
    assert body["count"] == 7 and len(body["results"]) == 2
    assert {row["movement"] for row in body["results"]} <= {p.movement.code for p in Combatant.objects.all()}
