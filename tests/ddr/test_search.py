from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.urls import reverse

from ddr.models import DeclaredWeapon, IdentityDocument, ListEntry, SubmittedList

from ..factories import CombatantFactory, group, region

pytestmark = pytest.mark.django_db


def _names(client: Any, **params: Any) -> set[str]:
    page = client.get(reverse("ddr:person-list"), params)
    assert page.status_code == 200
    return {p.family_name for p in page.context["page"]}


def test_search_is_accent_and_case_insensitive_and_partial(commission_client: Any) -> None:
    CombatantFactory.create(family_name="Touré", given_name="Aïssata")
    CombatantFactory.create(family_name="Ag Acharatoumane", given_name="Mohamed")
    CombatantFactory.create(family_name="Maïga", given_name="Hamadoun")
    assert _names(commission_client, q="toure") == {"Touré"}
    assert _names(commission_client, q="AISSATA") == {"Touré"}
    assert _names(commission_client, q="acharat") == {"Ag Acharatoumane"}
    assert _names(commission_client, q="maiga hamadoun") == {"Maïga"}



def test_a_particle_of_one_or_two_letters_is_a_whole_word(commission_client: Any) -> None:
    """"ag intallah" is the filiation particle and a name: "Ag" as a substring would also be the
    "ag" inside Bagayogo or Hamadoun Ag... at the end, and no index could serve it."""
    CombatantFactory.create(family_name="Ag Intallah", given_name="Alghabass")
    CombatantFactory.create(family_name="Bagayogo", given_name="Intallah")
    CombatantFactory.create(family_name="Maïga", given_name="Intallah Ag")
    CombatantFactory.create(family_name="Ag", given_name="Ba")
    assert _names(commission_client, q="ag intallah") == {"Ag Intallah", "Maïga"}
    assert _names(commission_client, q="Ag") == {"Ag Intallah", "Maïga", "Ag"}
    assert _names(commission_client, q="ba ag") == {"Ag"}
    api = commission_client.get("/api/people/", {"q": "ag intallah"}, HTTP_X_PURPOSE="test of the search")
    assert {p["family_name"] for p in api.json()["results"]} == {"Ag Intallah", "Maïga"}

def test_search_by_registration_or_document_number(commission_client: Any) -> None:
    person = CombatantFactory.create(family_name="Dicko")
    CombatantFactory.create(family_name="Other")
    IdentityDocument.objects.create(combatant=person, kind="nina", number="NINA-12345")
    assert _names(commission_client, q=person.registration_number) == {"Dicko"}
    assert _names(commission_client, q="nina-12345") == {"Dicko"}


def test_filters_by_region_movement_category_and_list(
    commission_client: Any, commission_officer: Any
) -> None:
    a = CombatantFactory.create(family_name="Kidalois", region=region("KID"), movement=group("HCUA"))
    CombatantFactory.create(family_name="Gaois", region=region("GAO"), movement=group("GATIA"), category="ex_mdsf")
    submitted = SubmittedList.objects.create(
        title="L",
        movement=group("HCUA"),
        submitted_to="cts",
        submitted_on=dt.date(2018, 1, 1),
        sha256="a" * 64,
        created_by=commission_officer,
    )
    ListEntry.objects.create(submitted_list=submitted, combatant=a, line=2)
    assert _names(commission_client, region="KID") == {"Kidalois"}
    assert _names(commission_client, movement="GATIA") == {"Gaois"}
    assert _names(commission_client, category="ex_mdsf") == {"Gaois"}
    assert _names(commission_client, list=submitted.pk) == {"Kidalois"}
    assert commission_client.get("/api/people/", {"list": submitted.pk}).json()["count"] == 1


def test_person_page_shows_documents_weapons_and_lists_in_constant_queries(
    commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    person = CombatantFactory.create()
    for i in range(3):
        IdentityDocument.objects.create(combatant=person, kind="passport", number=f"P{i}")
        DeclaredWeapon.objects.create(combatant=person, kind="pistol", serial_number=f"S{i}")
    # 12 for the identity, screening and history tabs, 9 for the reintegration tab, 5 for the
    # accountability tab: consent records and withdrawals, the grievances, the appeals and the
    # decisions one may contest, and the names of the records the history points to (test_audit.py)
    with django_assert_max_num_queries(32):
        page = commission_client.get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    assert "P2" in page and "S2" in page and "Passeport" in page


def test_analysts_cannot_search_people_by_name(analyst_client: Any) -> None:
    CombatantFactory.create(family_name="Touré")
    CombatantFactory.create(family_name="Cissé")
    # Analysts read no register at all, searched or not.
    answer = analyst_client.get("/api/people/", {"q": "toure"})
    assert answer.status_code == 403 and "Touré" not in answer.content.decode()


def test_people_table_query_count_is_constant_in_page_size(
    commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    CombatantFactory.create_batch(5)
    with django_assert_max_num_queries(8) as few:
        commission_client.get(reverse("ddr:person-list"))
    CombatantFactory.create_batch(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        commission_client.get(reverse("ddr:person-list"))


def test_search_words_match_in_any_order(commission_client: Any) -> None:
    CombatantFactory.create(family_name="Maïga", given_name="Hamadoun")
    CombatantFactory.create(family_name="Maïga", given_name="Aliou")
    assert _names(commission_client, q="hamadoun maiga") == {"Maïga"}
    assert len(commission_client.get(reverse("ddr:person-list"), {"q": "hamadoun maiga"}).context["page"]) == 1


def test_broad_searches_stop_counting_at_the_cap(commission_client: Any, monkeypatch: Any) -> None:
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for _ in range(5):
        CombatantFactory.create(family_name="Maïga")
    CombatantFactory.create(family_name="Touré")
    page = commission_client.get(reverse("ddr:person-list"), {"q": "maiga"})
    assert page.context["page"].paginator.capped
    assert "Plus de 3 personnes" in page.content.decode()
    narrow = commission_client.get(reverse("ddr:person-list"), {"q": "toure"})
    assert not narrow.context["page"].paginator.capped and "1 personne" in narrow.content.decode()
    api = commission_client.get("/api/people/", {"q": "maiga"}).json()
    assert api["count"] == 4 and api["count_capped"] is True and len(api["results"]) == 5
    exact = commission_client.get("/api/people/", {"q": "toure"}).json()
    assert exact["count"] == 1 and exact["count_capped"] is False


def test_a_name_search_counts_its_matches_in_the_page_query(commission_client: Any) -> None:
    """Sorted by name, a name search reads every match anyway: the page's query counts them, and
    pages, the last page and a page past the end behave as with a separate count."""
    for n in range(53):
        CombatantFactory.create(family_name="Maïga", given_name=f"Hama {n:02d}")
    CombatantFactory.create(family_name="Touré")
    url = reverse("ddr:person-list")
    first = commission_client.get(url, {"q": "maiga"})
    page = first.context["page"]
    assert page.paginator.count == 53 and page.paginator.num_pages == 2 and len(page.object_list) == 50
    assert [p.given_name for p in page.object_list][:2] == ["Hama 00", "Hama 01"]
    second = commission_client.get(url, {"q": "maiga", "page": 2}).context["page"]
    assert second.number == 2 and [p.given_name for p in second.object_list] == ["Hama 50", "Hama 51", "Hama 52"]
    past = commission_client.get(url, {"q": "maiga", "page": 9}).context["page"]
    assert past.number == 2 and len(past.object_list) == 3  # the last page, as Django's get_page does
    assert commission_client.get(url, {"q": "maiga", "page": "x"}).context["page"].number == 1
    assert commission_client.get(url, {"q": "nobody"}).context["page"].paginator.count == 0


def test_a_name_search_past_the_cap_is_in_entry_order_and_says_so(commission_client: Any, monkeypatch: Any) -> None:
    """Sorting every match of a very common name is the cost the cap avoids: past it, the pages
    are in the order the records were entered, whole and without repeats, and the table says why.
    An order the officer chose (latest registered first) is kept: its index serves it."""
    from core.pagination import CappedPaginator, OnePassPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    monkeypatch.setattr(OnePassPaginator, "cap", 3)
    people = [
        CombatantFactory.create(family_name="Maïga", given_name=given, registered_at=dt.date(2024, 1, day))
        for day, given in enumerate("ZYXWVUT", start=1)
    ]
    url = reverse("ddr:person-list")

    def shown(**params: Any) -> list[Any]:
        listing = commission_client.get(url, {"q": "maiga", **params})
        page = listing.context["page"]
        assert page.paginator.capped and listing.context["transition_form"] is None  # no cohort past the cap
        return [p.pk for p in page.object_list]

    first = commission_client.get(url, {"q": "maiga"})
    assert first.context["page"].paginator.in_entry_order
    assert "Trop nombreuses pour être triées par nom : dans l'ordre de saisie." in first.content.decode()
    pages = [p.pk for p in first.context["page"].object_list]
    assert pages == [p.pk for p in people]  # entry order, not Maïga T first (7 rows, pages of 50)
    latest = commission_client.get(url, {"q": "maiga", "sort": "-registered"})
    assert [p.pk for p in latest.context["page"].object_list] == [p.pk for p in reversed(people)]
    assert "ordre de saisie" not in latest.content.decode()
    assert shown(sort="name") == [p.pk for p in people]  # by name, past the cap: entry order too
    monkeypatch.setattr(CappedPaginator, "cap", 10)
    monkeypatch.setattr(OnePassPaginator, "cap", 10)
    sorted_page = commission_client.get(url, {"q": "maiga"})
    assert [p.given_name for p in sorted_page.context["page"]] == list("TUVWXYZ")
    assert "ordre de saisie" not in sorted_page.content.decode()


def test_a_capped_name_search_pages_through_every_match_once(commission_client: Any, monkeypatch: Any) -> None:
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 60)
    people = CombatantFactory.create_batch(61, family_name="Maïga")
    url = reverse("ddr:person-list")
    first = commission_client.get(url, {"q": "maiga"}).context["page"]
    second = commission_client.get(url, {"q": "maiga", "page": 2}).context["page"]
    past = commission_client.get(url, {"q": "maiga", "page": 99}).context["page"]
    assert first.paginator.capped and first.paginator.in_entry_order
    assert [p.pk for p in [*first.object_list, *second.object_list]] == [p.pk for p in people]
    assert past.number == 2 and [p.pk for p in past.object_list] == [p.pk for p in people[50:]]


def test_a_name_search_reads_the_cohort_statuses_of_every_match_in_its_page_query(
    commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    """The cohort form offers the moves open to every person found, those of later pages too:
    their statuses come from the page's own pass over the matches, not from a second scan."""
    import re

    from django.db import connection

    CombatantFactory.create_batch(51, family_name="Maïga", given_name="Aliou", status="oriented")
    CombatantFactory.create(family_name="Touré", status="registered")
    url = reverse("ddr:person-list")

    def offered() -> list[str]:
        listing = commission_client.get(url, {"q": "maiga"}).content.decode()
        form = listing[listing.index('data-testid="cohort-form"') :]
        return re.findall(r'<option value="(\w*)"', form[: form.index("</select>")])

    assert offered()[:3] == ["", "cantoned", "demobilised"]  # an oriented cohort's moves
    CombatantFactory.create(family_name="Maïga", given_name="Zeinabou", status="registered")  # on page 2
    assert offered() == ["", "referred", "excluded", "withdrawn", "deceased"]  # mixed: exits only
    with django_assert_max_num_queries(20) as seen:
        commission_client.get(url, {"q": "maiga"})
    if connection.vendor == "postgresql":
        assert not [q for q in seen.captured_queries if q["sql"].startswith("SELECT DISTINCT")]


def test_the_one_pass_restates_only_orders_it_can(commission_officer: Any) -> None:
    """An order it cannot restate as columns (random, the model's own, a relation's, reversed) goes
    the usual way, with the same rows; nothing to match is an empty page, not an error."""
    from django.db.models.functions import Lower

    from core.pagination import OnePassPaginator
    from ddr.models import Combatant

    for given in "CAB":
        CombatantFactory.create(family_name="Maïga", given_name=given)
    people = Combatant.objects.for_user(commission_officer)
    by_name = OnePassPaginator(people.order_by(Lower("given_name"), "pk"), 2).get_page(1)
    assert [p.given_name for p in by_name] == ["A", "B"] and by_name.paginator.count == 3
    for order in (people.order_by("?"), people.order_by("region"), people.order_by("pk").reverse(), people):
        page = OnePassPaginator(order, 5).get_page(1)
        assert len(page.object_list) == 3 and page.paginator.count == 3
    assert OnePassPaginator(people.none(), 5).get_page(1).paginator.count == 0
    assert OnePassPaginator(people.filter(pk__in=[]).order_by("pk"), 5).get_page(1).paginator.count == 0


def test_search_finds_serials_and_numbers_without_their_check_digit(commission_client: Any) -> None:
    armed = CombatantFactory.create(family_name="Dicko", region=region("GAO"))
    DeclaredWeapon.objects.create(combatant=armed, kind="rifle", serial_number="AK-47-1234567")
    CombatantFactory.create(family_name="Touré", region=region("GAO"))
    assert _names(commission_client, q="ak-47-1234567") == {"Dicko"}
    number = armed.registration_number  # GAO-0000012-3
    region_code, sequence, _check = number.split("-")
    page = commission_client.get(reverse("ddr:person-list"), {"q": f"{region_code.lower()}-{int(sequence)}"})
    assert {p.family_name for p in page.context["page"]} == {"Dicko"}
    assert f"commençant par {region_code}-{sequence}," in page.content.decode()


def test_a_misspelt_name_finds_the_names_spelt_like_it_and_says_so(commission_client: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram word similarity is PostgreSQL's (pg_trgm)")
    CombatantFactory.create(family_name="Ag Intalla", given_name="Alghabass")
    CombatantFactory.create(family_name="Ag Acharatoumane", given_name="Mohamed")
    page = commission_client.get(reverse("ddr:person-list"), {"q": "ag intala"})
    assert {p.family_name for p in page.context["page"]} == {"Ag Intalla"}
    assert "Aucun nom ne s'écrit exactement « ag intala »" in html.unescape(page.content.decode())
    exact = commission_client.get(reverse("ddr:person-list"), {"q": "ag intalla"})
    assert 'data-testid="search-note"' not in exact.content.decode()  # found as typed: no note
