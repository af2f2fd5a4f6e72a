"""A canary in the admin: a child with a name found nowhere else, and an administrator who walks
every page of every registered admin (lists searched for the name, change, delete and history
pages, every historical version, raw-id popups, autocompletes). The child's name and registration
number must never appear. An adult named the same way shows that the walk does find names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from cantonment.models import CantonmentStay, StorageLocation, WamItem
from cvr.models import Beneficiary
from ddr.models import Category, DeclaredWeapon, IdentityDocument, ListEntry, SubmittedList
from ddr.registration.rules import registration_number
from integration.models import Candidate, Cohort, Membership

from .factories import CombatantFactory, ProjectFactory, SiteFactory, UnitFactory, group, region

pytestmark = pytest.mark.django_db

CHILD = ("Kwazibanou", "Ouzzelikan")  # given name, family name: in no reference data
ADULT = ("Pryxamadou", "Vellotaghi")


def _person(names: tuple[str, str], number: int, category: str, by: User) -> Any:
    person = CombatantFactory.create(
        given_name=names[0],
        family_name=names[1],
        registration_number=registration_number("GAO", number),
        category=category,
        has_weapon=False,
    )
    person.commune = "Ansongo"  # a second history row: a diff to show
    person._history_user = by  # type: ignore[attr-defined]
    person.save()
    return person


def _records_of(person: Any, by: User, tag: str) -> None:
    """Something of the person in every admin that lists people's records, and beyond."""
    site = SiteFactory.create(name=f"Site {tag}")
    IdentityDocument.objects.create(combatant=person, kind="nina", number=f"NINA-{tag}")
    weapon = DeclaredWeapon.objects.create(combatant=person, kind="assault_rifle", serial_number=f"SER{tag}")
    listed = SubmittedList.objects.create(
        title=f"Liste {tag}",
        movement=group("GATIA"),
        submitted_to="cnddr",
        submitted_on=dt.date(2019, 2, 1),
        original_file="lists/x.csv",
        sha256=tag * 8,
    )
    ListEntry.objects.create(submitted_list=listed, combatant=person, line=2)
    CantonmentStay.objects.create(
        combatant=person, site=site, checked_in_on=dt.date(2024, 1, 1), leave_by=dt.date(2024, 3, 1)
    )
    armoury = StorageLocation.objects.create(name=f"Armurerie {tag}", region=site.region, site=site)
    WamItem.objects.create(
        combatant=person,
        declared=weapon,
        serial_number=f"SER{tag}",
        site=site,
        received_on=dt.date(2024, 1, 2),
        received_by=by,
        location=armoury,
        custodian="UNOPS",
    )
    Membership.objects.create(unit=UnitFactory.create(), combatant=person, party="cma", start=dt.date(2024, 1, 1))
    Candidate.objects.create(
        cohort=Cohort.objects.create(name=f"Cohorte {tag}", region=region("GAO")), combatant=person
    )
    Beneficiary.objects.create(
        project=ProjectFactory.create(), combatant=person, kind="ex_combatant", sex="M", age_band="15-17"
    )


def _part(term: str) -> str:
    return term[1:-2]


def _urls(model_admin: Any, terms: list[str]) -> list[str]:
    """Every page of one admin: list (searched, popup), add, and each record's pages and versions."""
    opts = model_admin.model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    changelist = reverse(f"{base}_changelist")
    urls = [changelist, f"{changelist}?_popup=1"]
    urls += [f"{changelist}?{urlencode({'q': term})}" for term in terms]
    urls += [f"{changelist}?{urlencode({'q': term, '_popup': 1})}" for term in terms]
    for field in model_admin.autocomplete_fields:
        urls += [
            reverse("admin:autocomplete")
            + "?"
            + urlencode(
                {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": field, "term": t}
            )
            for t in terms
        ]
    try:
        urls.append(reverse(f"{base}_add"))
    except NoReverseMatch:
        pass
    # Every record, including those the administrator may not open: their pages must refuse.
    history = getattr(model_admin.model, "history", None)
    for pk in model_admin.model._base_manager.values_list("pk", flat=True):
        object_id = quote(pk)
        urls += [
            reverse(f"{base}_change", args=[object_id]),
            reverse(f"{base}_history", args=[object_id]),
            reverse(f"{base}_delete", args=[object_id]),
        ]
        if history is not None:
            urls += [
                reverse(f"{base}_simple_history", args=[object_id, version])
                for version in history.filter(**{opts.pk.attname: pk}).values_list("history_id", flat=True)
            ]
    return urls


def _shown(client: Client, terms: list[str]) -> dict[str, list[str]]:
    """Which of `terms` each admin page shows (following redirects), and every page visited.

    Lists are searched for a part of each term (a search box echoes what was typed), and the
    page is read for the whole term."""
    searches = [_part(term) for term in terms]
    found: dict[str, list[str]] = {"__visited__": []}
    for model_admin in admin.site._registry.values():
        for url in _urls(model_admin, searches):
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403, 404), (url, response.status_code)
            body = response.content.decode()
            found["__visited__"].append(url)
            for term in terms:
                if term in body:
                    found.setdefault(term, []).append(url)
    for url in ("/admin/", *{f"/admin/{m._meta.app_label}/" for m in admin.site._registry}):
        body = client.get(url).content.decode()
        found["__visited__"].append(url)
        for term in terms:
            if term in body:
                found.setdefault(term, []).append(url)
    return found


def test_no_admin_page_shows_a_child(admin_client: Client, administrator: Any) -> None:
    child = _person(CHILD, 990001, Category.CHILD, administrator)
    adult = _person(ADULT, 990002, Category.COMBATANT_ARMED, administrator)
    _records_of(child, administrator, "C1")
    _records_of(adult, administrator, "A1")
    # An adult record pointing at the child: its page must not name the child either.
    pointing = CombatantFactory.create(merged_into=child)
    pointing.save()

    child_terms = [*CHILD, child.registration_number]
    adult_terms = [*ADULT, adult.registration_number]
    found = _shown(admin_client, child_terms + adult_terms)

    leaks = {term: found[term] for term in child_terms if term in found}
    assert not leaks, leaks
    # Positive control: the same walk finds the adult, on their list, page and history.
    for term in adult_terms:
        assert term in found, term
    pages = found[ADULT[1]]
    assert reverse("admin:ddr_combatant_change", args=[adult.pk]) in pages
    assert reverse("admin:ddr_combatant_history", args=[adult.pk]) in pages
    assert len(found["__visited__"]) > 200  # the walk is not vacuous


def test_child_history_pages_refuse_by_id(admin_client: Client, administrator: Any) -> None:
    child = _person(CHILD, 990003, Category.CHILD, administrator)
    version = child.history.latest().history_id
    for url in (
        reverse("admin:ddr_combatant_history", args=[child.pk]),
        reverse("admin:ddr_combatant_simple_history", args=[child.pk, version]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 404, url
        assert CHILD[1] not in response.content.decode()


def test_merged_into_offers_only_people_the_administrator_may_see(
    admin_client: Client, administrator: Any
) -> None:
    child = _person(CHILD, 990004, Category.CHILD, administrator)
    adult = _person(ADULT, 990005, Category.COMBATANT_ARMED, administrator)
    response = admin_client.get(reverse("admin:ddr_combatant_change", args=[adult.pk]))
    body = response.content.decode()
    assert CHILD[1] not in body and child.registration_number not in body
    search = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "ddr", "model_name": "combatant", "field_name": "merged_into", "term": "0990"},
    ).json()
    ids = {int(r["id"]) for r in search["results"]}
    assert adult.pk in ids and child.pk not in ids
