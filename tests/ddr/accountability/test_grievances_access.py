"""Who reads which grievance (Grievance.objects.for_user, in one place), and every refusal: a
sensitive one only for the focal point (a child's also for child protection), never for the staff
member it is against, a regional officer's region only (404 elsewhere), a child's record for child
protection only, analysts no row at all; the focal point never reaches the register."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from ddr.accountability.grievances import selectors
from ddr.accountability.grievances.models import Grievance

from ...factories import SiteFactory, UnitFactory, UserFactory, region
from .grievance_fixtures import *  # noqa: F403
from .grievance_fixtures import client_of, receive

pytestmark = pytest.mark.django_db


def _detail(client: Client, g: Grievance) -> int:
    return client.get(reverse("ddr:grievance-detail", args=[g.pk])).status_code


def test_a_sensitive_grievance_is_for_the_focal_point_only(
    focal: User,
    commission_officer: User,
    gao_officer: User,
    administrator: User,
    child_protection_officer: User,
) -> None:
    g = receive(focal, category="sea")
    assert list(Grievance.objects.for_user(focal)) == [g]
    for other in (commission_officer, gao_officer, administrator, child_protection_officer):
        assert not Grievance.objects.for_user(other).exists(), other.role
        assert _detail(client_of(other), g) == 404
    assert _detail(client_of(focal), g) == 200


def test_a_flagged_grievance_is_sensitive_too(focal: User, commission_officer: User) -> None:
    g = receive(commission_officer, category="misconduct", sensitive=True)
    assert not Grievance.objects.for_user(commission_officer).exists()
    assert list(Grievance.objects.for_user(focal)) == [g]


def test_a_child_category_grievance_is_also_for_child_protection(
    focal: User, child_protection_officer: User, commission_officer: User
) -> None:
    g = receive(focal, category="child")
    assert list(Grievance.objects.for_user(child_protection_officer)) == [g]
    assert list(Grievance.objects.for_user(focal)) == [g]
    assert not Grievance.objects.for_user(commission_officer).exists()


def test_the_staff_member_complained_about_never_sees_it_even_as_focal_point(
    focal: User, commission_officer: User
) -> None:
    other_focal = UserFactory.create(username="focal2", role=Role.FOCAL_POINT)
    g = receive(other_focal, category="sea", subject_kind="staff", subject_site=None, against=focal)
    assert not Grievance.objects.for_user(focal).exists()
    assert _detail(client_of(focal), g) == 404
    assert list(Grievance.objects.for_user(other_focal)) == [g]
    plain = receive(
        focal, category="misconduct", subject_kind="staff", subject_site=None, against=commission_officer
    )
    assert not Grievance.objects.for_user(commission_officer).exists()
    assert _detail(client_of(commission_officer), plain) == 404
    # Nor in its figures: a cell of one grievance against them is never shown to them.
    counts = selectors.figures(commission_officer)
    assert counts["total"] == 0


def test_a_regional_officer_sees_their_region_only(
    commission_officer: User, gao_officer: User, kidal_officer: User
) -> None:
    gao = receive(commission_officer, subject_site=SiteFactory.create(region=region("GAO")))
    kidal = receive(commission_officer, subject_site=SiteFactory.create(region=region("KID")))
    assert list(Grievance.objects.for_user(gao_officer)) == [gao]
    assert _detail(client_of(gao_officer), kidal) == 404
    assert _detail(client_of(gao_officer), gao) == 200
    response = client_of(gao_officer).post(reverse("ddr:grievance-action", args=[kidal.pk, "accuser"]))
    assert response.status_code == 404
    assert Grievance.objects.get(pk=kidal.pk).status == "received"
    assert set(Grievance.objects.for_user(commission_officer)) == {gao, kidal}
    assert list(Grievance.objects.for_user(kidal_officer)) == [kidal]


def test_a_grievance_about_a_child_is_for_child_protection_only(
    child_protection_officer: User, commission_officer: User, focal: User, child: Any
) -> None:
    g = receive(
        child_protection_officer,
        subject_kind="person",
        subject_site=None,
        subject_person=child,
        category="eligibility",
    )
    assert list(Grievance.objects.for_user(child_protection_officer)) == [g]
    assert not Grievance.objects.for_user(commission_officer).exists()
    assert not Grievance.objects.for_user(focal).exists()
    assert _detail(client_of(commission_officer), g) == 404


def test_analysts_get_no_row_and_no_page(
    analyst: User, analyst_client: Client, commission_officer: User
) -> None:
    g = receive(commission_officer)
    assert not Grievance.objects.for_user(analyst).exists()
    assert analyst_client.get(reverse("ddr:grievance-list")).status_code == 403
    assert _detail(analyst_client, g) == 403
    assert analyst_client.get("/api/grievances/").status_code == 403
    assert analyst_client.get(f"/api/grievances/{g.pk}/").status_code == 403
    assert analyst_client.get("/api/grievances/figures/").status_code == 200


def test_the_focal_point_never_reaches_the_register(focal_client: Client, person: Any) -> None:
    assert focal_client.get(reverse("ddr:person-detail", args=[person.pk])).status_code in (403, 404)
    assert focal_client.get(reverse("ddr:person-list")).status_code in (403, 404)
    assert focal_client.get(f"/api/people/{person.pk}/").status_code in (403, 404)


def test_the_focal_point_sees_an_adult_named_but_never_a_child(
    focal_client: Client, person: Any, child: Any, child_protection_officer: User, commission_officer: User
) -> None:
    # Received by case staff, who may name the person (the focal point never reads the register).
    adult_case = receive(
        commission_officer, category="gbv", subject_kind="person", subject_site=None, subject_person=person
    )
    page = focal_client.get(reverse("ddr:grievance-detail", args=[adult_case.pk])).content.decode()
    assert "Walet Intalla" in page
    assert reverse("ddr:person-detail", args=[person.pk]) not in page  # no way into the register
    child_case = receive(  # named by child protection, who may see the child
        child_protection_officer,
        category="sea",
        subject_kind="person",
        subject_site=None,
        subject_person=child,
    )
    page = focal_client.get(reverse("ddr:grievance-detail", args=[child_case.pk])).content.decode()
    assert "Ag Enfant" not in page and child.registration_number not in page
    data = focal_client.get(f"/api/grievances/{child_case.pk}/").json()
    assert data["subject_person"] is None and data["subject_name"] is None


def test_linked_pages_show_sensitive_ones_to_the_focal_point_only_and_never_their_count(
    focal: User, commission_client: Client, commission_officer: User
) -> None:
    site = SiteFactory.create(region=region("GAO"))
    plain = receive(commission_officer, subject_site=site)
    secret = receive(focal, category="sea", subject_site=site)
    page = commission_client.get(reverse("cantonment:site-detail", args=[site.pk])).content.decode()
    assert plain.reference in page and secret.reference not in page
    assert page.count('data-testid="linked-grievances"') == 1
    assert selectors.linked(focal, subject_site=site) == [secret]


def test_the_unit_page_shows_its_grievances(
    commission_client: Client, commission_officer: User, focal: User
) -> None:
    unit = UnitFactory.create()
    plain = receive(
        commission_officer, subject_kind="unit", subject_site=None, subject_unit=unit, category="rank"
    )
    secret = receive(focal, category="sea", subject_kind="unit", subject_site=None, subject_unit=unit)
    page = commission_client.get(reverse("integration:unit-detail", args=[unit.pk])).content.decode()
    assert plain.reference in page and secret.reference not in page


def test_the_person_tab_lists_their_grievances_for_allowed_roles(
    commission_client: Client, commission_officer: User, focal: User, person: Any
) -> None:
    made = receive(commission_officer, complainant_kind="person", complainant_person=person)
    secret = receive(  # case staff name the person; it goes to the focal point at once
        commission_officer, category="gbv", subject_kind="person", subject_site=None, subject_person=person
    )
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    assert made.reference in page and secret.reference not in page


def test_the_admin_does_not_list_grievances(admin_client: Client, focal: User) -> None:
    from django.contrib import admin

    receive(focal, category="sea")
    assert Grievance not in admin.site._registry
    assert admin_client.get("/admin/ddr/grievance/").status_code == 404


def test_subject_access_lists_what_the_person_made_without_sensitive_content(
    commission_officer: User, focal: User, person: Any
) -> None:
    receive(
        commission_officer, complainant_kind="person", complainant_person=person, description="Eau coupée."
    )
    receive(
        commission_officer,
        category="gbv",
        complainant_kind="person",
        complainant_person=person,
        description="Secret.",
    )
    rows = selectors.subject_access(person)
    assert len(rows) == 2
    assert rows[0]["description"] == "Eau coupée." and rows[0]["steps"]
    assert rows[1]["sensitive"] and "description" not in rows[1]
