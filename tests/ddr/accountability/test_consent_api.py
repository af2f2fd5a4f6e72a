"""Consent through the API: records (scoped, 400 with field errors, nothing saved), the texts, and
the figures by language and answer, analysts' small cells dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.models import ExportLog
from ddr.accountability.consent import services
from ddr.accountability.consent.models import ConsentRecord
from ddr.models import Category

from ...factories import CombatantFactory, region
from .consent_setup import answer, scan, text

pytestmark = pytest.mark.django_db
URL = "/api/consent/records/"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def body(person: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "combatant": person.pk,
        "text": text().pk,
        "language": "ses",
        "outcome": "signed",
        "recorded_on": "2024-05-02",
        **overrides,
    }


def test_create_and_list_for_one_person(commission_client: Any, media: Path) -> None:
    person, other = CombatantFactory.create(), CombatantFactory.create()
    created = commission_client.post(URL, body(person, scan=scan()), format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["has_scan"] and created.json()["text_kind"] == "declaration"
    commission_client.post(URL, body(other), content_type="application/json")
    listed = commission_client.get(URL, {"person": person.pk}).json()
    assert [r["combatant"] for r in listed["results"]] == [person.pk]
    assert ExportLog.objects.filter(what="api:consent-records").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"language": "xx"}, "language"),
        ({"recorded_on": "hier"}, "recorded_on"),
        ({"text": 999_999}, "text"),
        ({"combatant": 999_999}, "combatant"),
        ({"restores": "sharing"}, "partner"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    commission_client: Any, overrides: dict[str, Any], field: str
) -> None:
    person = CombatantFactory.create()
    response = commission_client.post(URL, body(person, **overrides), content_type="application/json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not ConsentRecord.objects.exists()


def test_an_inactive_version_and_a_bad_scan_are_400s(
    commission_client: Any, administrator: Any, media: Path
) -> None:
    person = CombatantFactory.create()
    old = text()
    services.consent_text_activate(
        text=services.consent_text_create(
            kind="declaration", language="fr", title="v2", body="v2", by=administrator
        ),
        by=administrator,
    )
    inactive = commission_client.post(URL, body(person, text=old.pk), content_type="application/json")
    assert inactive.status_code == 400 and "text" in inactive.json()
    bad = commission_client.post(
        URL, body(person, text=text().pk, scan=scan("a.pdf", b"MZ")), format="multipart"
    )
    assert bad.status_code == 400 and "scan" in bad.json()
    assert not ConsentRecord.objects.exists()


def test_scoping_and_roles(gao_client: Any, analyst_client: Any, commission_client: Any) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    child = CombatantFactory.create(category=Category.CHILD)
    assert (
        gao_client.post(URL, body(kidal), content_type="application/json").status_code == 400
    )  # "does not exist"
    assert commission_client.post(URL, body(child), content_type="application/json").status_code == 400
    assert analyst_client.get(URL).status_code == 403
    assert analyst_client.post(URL, body(kidal), content_type="application/json").status_code == 403
    assert analyst_client.get("/api/consent/texts/").status_code == 403
    assert not ConsentRecord.objects.exists()


def test_texts_list(commission_client: Any) -> None:
    texts = commission_client.get("/api/consent/texts/", {"active": "1"}).json()
    assert {(t["kind"], t["language"]) for t in texts["results"]} >= {
        ("declaration", "fr"),
        ("data_notice", "en"),
    }


def test_figures_exact_for_staff_and_small_cells_dropped_for_analysts(
    commission_client: Any, analyst_client: Any, commission_officer: Any
) -> None:
    for _ in range(6):
        services.consent_record(
            person=CombatantFactory.create(), text=text(), by=commission_officer, **answer(language="bm")
        )
    for _ in range(2):
        services.consent_record(
            person=CombatantFactory.create(),
            text=text(),
            by=commission_officer,
            **answer(language="tmh", outcome="refused"),
        )
    child = CombatantFactory.create(category=Category.CHILD)
    services.consent_record(person=child, text=text(), by=commission_officer, **answer())
    staff = commission_client.get("/api/consent/figures/").json()
    assert {(r["language"], r["outcome"], r["records"]) for r in staff} == {
        ("bm", "thumbprint", 6),
        ("tmh", "refused", 2),
    }
    analyst = analyst_client.get("/api/consent/figures/", {"by": "language"}).json()
    assert analyst == [{"language": "bm", "records": 6, "suppressed": True}]
    assert analyst_client.get("/api/consent/figures/", {"by": "name"}).status_code == 400


def test_list_costs_a_constant_number_of_queries(
    commission_client: Any, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        services.consent_record(
            person=CombatantFactory.create(), text=text(), by=commission_officer, **answer()
        )
    with django_assert_max_num_queries(12) as few:
        commission_client.get(URL)
    for _ in range(10):
        services.consent_record(
            person=CombatantFactory.create(), text=text(), by=commission_officer, **answer()
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        commission_client.get(URL)
