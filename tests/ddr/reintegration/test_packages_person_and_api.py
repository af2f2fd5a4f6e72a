"""The person's page (their enrolments and entitlements; the enrol form, or why they may not be
enrolled), its scoping, and the API: the catalogue for everyone, enrolments for case staff with a
400 saying why on refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from ddr.duplicates.models import DuplicatePair
from ddr.models import Category, Combatant, Enrolment, Entitlement, Package, Pathway, Sex, VettingStatus
from ddr.reintegration.packages import services

from ...factories import CombatantFactory, PackageFactory, region

pytestmark = pytest.mark.django_db

S = Combatant.Status
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Messages in English (pages included: French is the default), whatever the catalogue holds."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _oriented(**facts: Any) -> Combatant:
    plain = {"status": S.ORIENTED, "pathway": Pathway.REINSERTION, "vetting_status": VettingStatus.CLEAR}
    person: Combatant = CombatantFactory.create(**{**plain, **facts})
    return person


def _page(client: Any, person: Combatant) -> Any:
    return client.get(reverse("ddr:person-detail", args=[person.pk]))


def _enrol(client: Any, person: Combatant, package: Package, on: dt.date = TODAY) -> Any:
    return client.post(
        reverse("ddr:person-enrol", args=[person.pk]), {"package": package.pk, "enrolled_on": on.isoformat()}
    )


# --- the person's page ---------------------------------------------------------------------


def test_the_page_shows_enrolments_with_their_entitlements(
    commission_client: Any, commission_officer: Any
) -> None:
    person = _oriented()
    package = PackageFactory.create(name="Filet de sécurité")
    enrolment = services.enrolment_create(
        person=person, package=package, on=dt.date(2026, 3, 2), by=commission_officer
    )
    Entitlement.objects.filter(enrolment=enrolment, due_on=dt.date(2026, 3, 2)).update(state="paid")
    response = _page(commission_client, person)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="enrolment-{enrolment.pk}"' in page and "Filet de sécurité v1" in page
    assert "Paid" in page and "Due" in page
    assert "250,000" in page
    assert response.context["package_enrolments"] == [enrolment]
    # Already enrolled: the package is not offered again, and says why.
    assert response.context["package_enrol_form"] is None
    assert [o.refusal for o in response.context["package_refused"]] == [
        f"{person.registration_number} is already enrolled in {package}."
    ]
    with CaptureQueriesContext(connection) as one:
        _page(commission_client, person)
    for _n in range(4):  # more enrolments and packages: the same number of queries
        services.enrolment_create(
            person=person, package=PackageFactory.create(), on=TODAY, by=commission_officer
        )
    with CaptureQueriesContext(connection) as five:
        assert _page(commission_client, person).status_code == 200
    assert len(five) == len(one)


def test_the_form_offers_the_packages_in_force_that_serve_the_person(commission_client: Any) -> None:
    person = _oriented(sex=Sex.MALE)
    serving = PackageFactory.create(name="Pour tous")
    PackageFactory.create(name="Femmes", women_only=True)
    PackageFactory.create(name="Plus tard", effective_from=TODAY + dt.timedelta(days=10))
    PackageFactory.create(name="CRP", pathways=[Pathway.COMMUNITY])
    PackageFactory.create(name="Vide", components=False)
    context = _page(commission_client, person).context
    assert list(context["package_enrol_form"].fields["package"].queryset) == [serving]
    refusals = sorted(o.refusal for o in context["package_refused"])
    assert refusals == sorted(
        [
            "Femmes v1 is for women only.",
            f"{person.registration_number} is oriented to “Socio-economic reinsertion (DDR)”, which CRP v1 does not serve.",
            "Vide v1 has no component yet: nobody can be enrolled in it.",
        ]
    )


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"status": S.MERGED}, "is a duplicate merged into another record"),
        ({"status": S.EXCLUDED}, "is excluded from the programme"),
        ({"status": S.DECEASED}, "is recorded as deceased"),
    ],
)
def test_the_page_says_why_instead_of_offering_the_form(
    commission_client: Any, facts: dict[str, Any], message: str
) -> None:
    PackageFactory.create()
    person = _oriented(**facts)
    response = _page(commission_client, person)
    assert response.context["package_enrol_form"] is None
    assert message in response.context["package_refusal"]
    assert 'data-testid="enrol-refusal"' in response.content.decode()


def test_an_open_duplicate_pair_is_said_instead_of_the_form(commission_client: Any) -> None:
    PackageFactory.create()
    person, other = _oriented(), _oriented()
    DuplicatePair.objects.create(
        first=min(person, other, key=lambda p: p.pk), second=max(person, other, key=lambda p: p.pk), score=0.9
    )
    response = _page(commission_client, person)
    assert "pair of probable duplicates" in response.context["package_refusal"]


def test_enrolment_from_the_page_and_its_refusal(commission_client: Any) -> None:
    person = _oriented()
    package = PackageFactory.create()
    response = _enrol(commission_client, person, package)
    assert response.status_code == 302 and response["Location"].endswith("#reintegration")
    assert Enrolment.objects.filter(combatant=person, package=package).exists()
    response = _enrol(commission_client, person, package)
    page = commission_client.get(response["Location"]).content.decode()
    assert "is already enrolled in" in page
    assert Enrolment.objects.count() == 1 and Entitlement.objects.count() == 3


def test_a_dropout_from_the_page(commission_client: Any, commission_officer: Any) -> None:
    person = _oriented()
    enrolment = services.enrolment_create(
        person=person, package=PackageFactory.create(), on=TODAY, by=commission_officer
    )
    url = reverse("ddr:enrolment-drop", args=[enrolment.pk])
    commission_client.post(url, {"on": TODAY.isoformat(), "reason": ""})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    commission_client.post(url, {"on": TODAY.isoformat(), "reason": "Retour au Niger"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.DROPPED
    assert set(enrolment.entitlements.values_list("state", flat=True)) == {"cancelled"}


def test_a_regional_officer_enrols_only_people_of_their_region(
    gao_client: Any, commission_officer: Any
) -> None:
    package = PackageFactory.create()
    kidal = _oriented(region=region("KID"))
    assert _page(gao_client, kidal).status_code == 404
    assert _enrol(gao_client, kidal, package).status_code == 404
    theirs = services.enrolment_create(person=kidal, package=package, on=TODAY, by=commission_officer)
    drop = gao_client.post(
        reverse("ddr:enrolment-drop", args=[theirs.pk]), {"on": TODAY.isoformat(), "reason": "x"}
    )
    assert drop.status_code == 404
    assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE
    gao = _oriented()
    assert _enrol(gao_client, gao, package).status_code == 302
    assert Enrolment.objects.filter(combatant=gao).exists()


def test_a_child_is_never_shown_nor_enrolled(commission_client: Any, child_protection_client: Any) -> None:
    package = PackageFactory.create()
    child = _oriented(category=Category.CHILD, status=S.REFERRED, birth_year=TODAY.year - 15)
    assert _page(commission_client, child).status_code == 404
    assert _enrol(commission_client, child, package).status_code == 404
    # Child protection sees the child, but enrols no one: no form on their page either.
    response = _page(child_protection_client, child)
    assert response.status_code == 200 and "package_enrol_form" not in response.context
    assert _enrol(child_protection_client, child, package).status_code == 403
    assert not Enrolment.objects.exists()


def test_analysts_do_not_enrol(analyst_client: Any) -> None:
    person, package = _oriented(), PackageFactory.create()
    assert _enrol(analyst_client, person, package).status_code == 403
    assert not Enrolment.objects.exists()


# --- the API -------------------------------------------------------------------------------


def test_the_catalogue_is_read_by_everyone(analyst_client: Any) -> None:
    package = PackageFactory.create(pathways=[Pathway.REINSERTION])
    response = analyst_client.get("/api/packages/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["code"], row["funding_source"], row["pathways"]) == (
        package.code,
        "world-bank",
        ["reinsertion"],
    )
    assert [c["amount_xof"] for c in row["components"]] == [75_000, 75_000, 250_000]
    assert analyst_client.post("/api/packages/", {}).status_code in (403, 405)


def test_staff_enrol_through_the_api(commission_client: Any) -> None:
    person, package = _oriented(), PackageFactory.create()
    response = commission_client.post(
        "/api/enrolments/", {"person": person.pk, "package": package.pk, "enrolled_on": "2026-03-02"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["person"], data["package"], data["status"]) == (person.pk, package.pk, "active")
    assert [(e["due_on"], e["amount_xof"]) for e in data["entitlements"]] == [
        ("2026-03-02", 75_000),
        ("2026-04-01", 250_000),
        ("2026-05-31", 75_000),
    ]
    listed = commission_client.get("/api/enrolments/").json()["results"]
    assert [e["id"] for e in listed] == [data["id"]]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"status": S.MERGED}, "person", "is a duplicate merged into another record"),
        ({"status": S.EXCLUDED}, "person", "is excluded from the programme"),
        ({"sex": Sex.MALE, "women_only": True}, "person", "is for women only"),
        ({"pathway": Pathway.INTEGRATION_ARMY, "pathways": ["reinsertion"]}, "person", "does not serve"),
        ({"enrolled_on": "2018-01-01"}, "package", "is not in force on 01 Jan 2018"),
    ],
)
def test_the_api_refuses_with_a_400_saying_why(
    commission_client: Any, change: dict[str, Any], field: str, message: str
) -> None:
    facts = {k: v for k, v in change.items() if k in ("status", "sex", "pathway")}
    person = _oriented(**facts)
    package = PackageFactory.create(
        women_only=change.get("women_only", False), pathways=change.get("pathways", [])
    )
    body = {
        "person": person.pk,
        "package": package.pk,
        "enrolled_on": change.get("enrolled_on", "2026-03-02"),
    }
    response = commission_client.post("/api/enrolments/", body)
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not Enrolment.objects.exists() and not Entitlement.objects.exists()


def test_the_api_refuses_bad_input_and_other_regions_with_field_errors(
    commission_client: Any, gao_client: Any
) -> None:
    person, package = _oriented(region=region("KID")), PackageFactory.create()
    child = _oriented(category=Category.CHILD, status=S.REFERRED)
    cases = [
        (
            commission_client,
            {"person": person.pk, "package": 999_999, "enrolled_on": "2026-03-02"},
            "package",
        ),
        (
            commission_client,
            {"person": person.pk, "package": package.pk, "enrolled_on": "hier"},
            "enrolled_on",
        ),
        (commission_client, {"person": person.pk, "package": package.pk}, "enrolled_on"),
        (
            commission_client,
            {"person": child.pk, "package": package.pk, "enrolled_on": "2026-03-02"},
            "person",
        ),
        (gao_client, {"person": person.pk, "package": package.pk, "enrolled_on": "2026-03-02"}, "person"),
    ]
    for client, body, field in cases:
        response = client.post("/api/enrolments/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()
        assert str(child.registration_number) not in response.content.decode()
    assert not Enrolment.objects.exists()


def test_analysts_neither_enrol_nor_read_enrolments(analyst_client: Any, commission_officer: Any) -> None:
    person, package = _oriented(), PackageFactory.create()
    services.enrolment_create(person=person, package=package, on=TODAY, by=commission_officer)
    body = {"person": person.pk, "package": package.pk, "enrolled_on": "2026-03-02"}
    assert analyst_client.post("/api/enrolments/", body).status_code == 403
    assert analyst_client.get("/api/enrolments/").status_code == 403
    assert Enrolment.objects.count() == 1


def test_a_regional_officer_reads_enrolments_of_their_region_only(
    gao_client: Any, commission_officer: Any
) -> None:
    package = PackageFactory.create()
    kidal = services.enrolment_create(
        person=_oriented(region=region("KID")), package=package, on=TODAY, by=commission_officer
    )
    gao = services.enrolment_create(person=_oriented(), package=package, on=TODAY, by=commission_officer)
    assert [e["id"] for e in gao_client.get("/api/enrolments/").json()["results"]] == [gao.pk]
    assert gao_client.get(f"/api/enrolments/{kidal.pk}/").status_code == 404
