"""What an attacker tried after issue 15's fixes, as every role: each test is one way in that was
still open (a child's name in the export log, a session for a token, ...), now refused."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django import forms
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from core.models import ExportLog
from ddr.duplicates import services as duplicates
from ddr.models import Category, ChildReferral, DuplicatePair
from ddr.screening import services as screening
from integration.models import Candidate, Cohort

from .factories import CombatantFactory, UnitFactory, UserFactory, region

pytestmark = pytest.mark.django_db

CHILD_NAME = "Zoubeirou"  # in no reference data
PURPOSE = "Remise de l'enfant à l'UNICEF, Gao"


def _admin_pages_of_the_export_log(admin_client: Client) -> str:
    log = ExportLog.objects.get()
    pages = [
        admin_client.get(reverse("admin:core_exportlog_changelist")),
        admin_client.get(reverse("admin:core_exportlog_change", args=[log.pk])),
    ]
    assert all(page.status_code == 200 for page in pages)
    return "".join(page.content.decode() for page in pages)


def test_export_log_hides_what_child_protection_searched_from_the_administrator(
    child_protection_client: Client, admin_client: Client
) -> None:
    CombatantFactory.create(given_name=CHILD_NAME, category=Category.CHILD)
    export = child_protection_client.get(
        reverse("ddr:referral-list"), {"q": CHILD_NAME, "export": "csv", "purpose": f"{PURPOSE} {CHILD_NAME}"}
    )
    assert export.status_code == 200
    assert CHILD_NAME in ExportLog.objects.get().filters  # kept in the log itself
    pages = _admin_pages_of_the_export_log(admin_client)
    assert CHILD_NAME not in pages
    assert "referral" in pages or "enfants" in pages  # the row is there: what was read, by whom


def test_export_log_stays_hidden_after_the_officer_changes_role(
    child_protection_officer: Any, child_protection_client: Client, admin_client: Client
) -> None:
    child_protection_client.get(
        reverse("ddr:person-list"), {"q": CHILD_NAME, "export": "csv", "purpose": PURPOSE}
    )
    child_protection_officer.role = Role.COMMISSION_OFFICER
    child_protection_officer.save()
    assert CHILD_NAME not in _admin_pages_of_the_export_log(admin_client)


def test_export_log_masks_the_words_of_any_search(commission_client: Client, admin_client: Client) -> None:
    commission_client.get(
        reverse("ddr:person-list"), {"q": CHILD_NAME, "region": "GAO", "export": "csv", "purpose": PURPOSE}
    )
    pages = _admin_pages_of_the_export_log(admin_client)
    assert CHILD_NAME not in pages
    assert "region=GAO" in pages and PURPOSE.replace("'", "&#x27;") in pages  # the rest stays readable


def test_token_login_opens_no_session() -> None:
    UserFactory.create(username="jeton", role=Role.COMMISSION_OFFICER)
    basic = base64.b64encode(b"jeton:Sahel-pass-2024").decode()
    response = Client().post(reverse("api-token-login"), HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200 and response.json()["token"]
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()


def _admin_change_data(admin_client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The admin change form as the page fills it, with `changes`: what a browser would post."""
    context = admin_client.get(url).context
    form = context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or field.disabled or isinstance(field, forms.FileField):  # no file posted back
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    for inline in context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[management[name].html_name] = management[name].value()
        for inline_form in inline.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[inline_form.add_prefix(name)] = value
    return {**data, **changes}


def test_a_child_made_in_the_admin_is_separated_and_referred(admin_client: Client) -> None:
    # By the birth year: the category is the services' (see the test below).
    person = CombatantFactory.create(rank_in_movement="Lieutenant", biometric_ref="BIO-1")
    url = reverse("admin:ddr_combatant_change", args=[person.pk])
    response = admin_client.post(url, _admin_change_data(admin_client, url, birth_year=2015))
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.category, person.status, person.rank_in_movement, person.biometric_ref) == (
        Category.CHILD,
        "referred",
        "",
        "",
    )
    assert ChildReferral.objects.filter(combatant=person).exists()  # in child protection's queue
    assert admin_client.get(url).status_code == 302  # and gone from the administrator's admin


SERVICE_FIELDS = (
    "status",
    "category",
    "pathway",
    "pathway_reason",
    "family_name",
    "given_name",
    "also_known_as",
    "name_key",
)


def test_the_admin_cannot_change_what_the_services_keep(admin_client: Client) -> None:
    """Status, category, pathway and names change through their services (transition table,
    separation of children, pathway decisions, search key), never by an edit in the admin."""
    person = CombatantFactory.create(family_name="Ag Intact", given_name="Moussa", also_known_as="Moussa Ag")
    before = {name: getattr(person, name) for name in SERVICE_FIELDS}
    url = reverse("admin:ddr_combatant_change", args=[person.pk])
    assert not set(SERVICE_FIELDS) & set(admin_client.get(url).context["adminform"].form.fields)
    forged = {
        "status": "integrated",
        "category": Category.CHILD,
        "pathway": "excluded",
        "pathway_reason": "forged",
        "family_name": "Autre",
        "given_name": "Nom",
        "also_known_as": "Personne",
        "name_key": "autre nom",
    }
    response = admin_client.post(url, _admin_change_data(admin_client, url, commune="Ansongo", **forged))
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.commune == "Ansongo"  # the rest of the record is still the administrator's
    assert {name: getattr(person, name) for name in SERVICE_FIELDS} == before
    assert not ChildReferral.objects.filter(combatant=person).exists()


def test_a_demoted_administrator_loses_the_admin(admin_client: Client) -> None:
    former = UserFactory.create(username="ancien", role=Role.ADMINISTRATOR, is_superuser=True)  # as seed_demo makes
    former_client = Client()
    former_client.force_login(former)
    assert former_client.get(reverse("admin:index")).status_code == 200
    url = reverse("admin:accounts_user_change", args=[former.pk])
    response = admin_client.post(url, _admin_change_data(admin_client, url, role=Role.COMMISSION_OFFICER))
    assert response.status_code == 302, response.content.decode()[:3000]
    former.refresh_from_db()
    assert (former.role, former.is_staff, former.is_superuser) == (Role.COMMISSION_OFFICER, False, False)
    assert former_client.get(reverse("admin:index")).status_code == 302  # to the login page
    assert former_client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_createsuperuser_makes_an_administrator() -> None:
    from accounts.models import User

    made = User.objects.create_superuser("premier", "premier@example.org", "Sahel-pass-2024")
    assert (made.role, made.is_staff) == (Role.ADMINISTRATOR, True)


def test_starting_training_moves_only_the_candidates_the_officer_may_see(gao_client: Client) -> None:
    cohort = Cohort.objects.create(name="Gao, décembre 2026", region=region("GAO"), target_unit=UnitFactory.create())
    gao = Candidate.objects.create(cohort=cohort, combatant=CombatantFactory.create(), status=Candidate.Status.FIT)
    kidal = Candidate.objects.create(
        cohort=cohort, combatant=CombatantFactory.create(region=region("KID")), status=Candidate.Status.FIT
    )
    child = Candidate.objects.create(
        cohort=cohort, combatant=CombatantFactory.create(category=Category.CHILD), status=Candidate.Status.FIT
    )
    response = gao_client.post(reverse("integration:cohort-step", args=[cohort.pk]), {"action": "start_training"})
    assert response.status_code == 302
    statuses = dict(Candidate.objects.values_list("pk", "status"))
    assert statuses[gao.pk] == Candidate.Status.IN_TRAINING
    assert statuses[kidal.pk] == statuses[child.pk] == Candidate.Status.FIT  # another region's, a child's


def test_a_record_merged_into_someone_later_found_a_child_is_the_childs_too(
    commission_client: Client, commission_officer: Any, gao_officer: Any
) -> None:
    kept = CombatantFactory.create(given_name="Moussa", family_name="Ag Alhousseini", birth_year=2004)
    absorbed = CombatantFactory.create(given_name=CHILD_NAME, family_name="Ag Alhousseyni", birth_year=2004)
    pair = DuplicatePair.objects.create(first=kept, second=absorbed, score=0.95, agreed=["name"], differed=[])
    duplicates.pair_merge(pair=pair, by=commission_officer)
    assert commission_client.get(reverse("ddr:person-detail", args=[absorbed.pk])).status_code == 200
    screening.age_assess(
        person=kept, assessed_on=dt.date.today(), evidence="Examen dentaire", assessed_age=15, by=gao_officer
    )
    # The absorbed record is the same child under another spelling: no longer anyone else's.
    assert commission_client.get(reverse("ddr:person-detail", args=[absorbed.pk])).status_code == 404
    found = commission_client.get(reverse("ddr:person-list"), {"q": CHILD_NAME}).content.decode()
    assert absorbed.registration_number not in found and kept.registration_number not in found
    absorbed.refresh_from_db()
    assert (absorbed.category, absorbed.status, absorbed.biometric_ref) == (Category.CHILD, "merged", "")


def test_a_merge_across_regions_names_nobody_of_the_other_region(
    gao_client: Client, commission_officer: Any
) -> None:
    kidal = CombatantFactory.create(given_name="Moussa", family_name="Ag Alhousseini", region=region("KID"))
    gao = CombatantFactory.create(given_name="Moussa", family_name="Ag Alhousseyni")
    pair = DuplicatePair.objects.create(first=kidal, second=gao, score=0.95, agreed=["name"], differed=[])
    duplicates.pair_merge(pair=pair, by=commission_officer)
    page = gao_client.get(reverse("ddr:person-detail", args=[gao.pk]))
    assert page.status_code == 200
    assert kidal.registration_number not in page.content.decode()  # not even in the history's reasons


def test_a_new_list_version_names_no_child_it_adds(commission_officer: Any, admin_client: Client) -> None:
    from .ddr.test_list_import import HEADER, V1, import_list

    first = import_list(commission_officer, V1).result
    year = dt.date.today().year
    v2 = f"{V1}{CHILD_NAME};Hama;M;vers {year - 15};Gao;MN-8;;;;\nMaïga;Alhassane;M;1988;Gao;MN-4;;;;\n"
    assert v2.startswith(HEADER)
    record = import_list(commission_officer, v2, previous=first)
    assert record.diff["added"] == 2  # counted, like every row
    page = admin_client.get(reverse("ddr:import-detail", args=[record.pk])).content.decode()
    assert "Alhassane" in page and CHILD_NAME not in page


def test_the_admins_recent_actions_name_no_one_who_later_turns_out_a_child(
    admin_client: Client, gao_officer: Any
) -> None:
    person = CombatantFactory.create(given_name=CHILD_NAME, birth_year=2004)
    url = reverse("admin:ddr_combatant_change", args=[person.pk])
    response = admin_client.post(url, _admin_change_data(admin_client, url, commune="Ansongo"))
    assert response.status_code == 302, response.content.decode()[:3000]
    admin_client.get(response["Location"])  # "changed successfully", read while still an adult
    screening.age_assess(
        person=person,
        assessed_on=dt.date.today(),
        evidence="Acte de naissance",
        assessed_age=16,
        by=gao_officer,
    )
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert CHILD_NAME not in index and person.registration_number not in index
