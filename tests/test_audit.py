"""Every change to a record is kept: who, when, what, before and after; nobody edits the trail."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import allow_history_truncate_sql, history_of, history_tables
from ddr.models import Combatant

from .factories import CombatantFactory, SiteFactory, region

pytestmark = pytest.mark.django_db


def test_admin_change_is_recorded_with_user_and_before_after(admin_client: Any, administrator: Any) -> None:
    site = SiteFactory.create(name="Fafa", capacity=100, places_for_women=10)
    data = {
        "name": "Fafa",
        "kind": site.kind,
        "region": site.region_id,
        "commune": "Ansongo",
        "capacity": 250,
        "places_for_women": 10,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:cantonment_site_change", args=[site.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = history_of(site)[0]
    assert latest.who == administrator.get_full_name()
    changes = {c.field: (c.before, c.after) for c in latest.changes}
    assert changes["Capacité"] == ("100", "250")
    assert changes["Commune"] == ("—", "Ansongo")
    assert "Nom" not in changes  # unchanged fields are not listed


def test_a_history_reads_as_people_speak(commission_officer: Any) -> None:
    """Names of fields, Oui/Non, French dates, the linked record's name, the reason translated
    with its figures: never True, [] or an id."""
    import datetime as dt

    person = CombatantFactory.create(has_weapon=False, registered_at=dt.date(2019, 3, 2), region=region("GAO"))
    person.has_weapon, person.registered_at, person.region = True, dt.date(2019, 4, 5), region("KID")
    person._history_user = commission_officer  # type: ignore[attr-defined]
    person._change_reason = "list import 12"  # type: ignore[attr-defined]
    person.save()
    latest = history_of(person)[0]
    changes = {c.field: (c.before, c.after) for c in latest.changes}
    assert changes["A déclaré une arme"] == ("Non", "Oui")
    assert changes["Enregistré le"] == ("02/03/2019", "05/04/2019")
    assert changes["Région de résidence"] == ("Gao", "Kidal")  # the name, not the id
    assert latest.reason == "import de liste 12"
    person._change_reason = "list import 12: child separated"  # type: ignore[attr-defined]
    person.save()
    assert history_of(person)[0].reason == "import de liste 12 : enfant séparé"


def test_history_tab_shows_the_change_on_the_person_page(
    commission_client: Any, commission_officer: Any
) -> None:
    person = CombatantFactory.create(family_name="Maïga")
    person.status = Combatant.Status.SCREENED
    person._history_user = commission_officer  # type: ignore[attr-defined]
    person.save()
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    assert 'data-testid="history"' in page
    assert "Enregistré" in page and "Vérifié" in page
    assert commission_officer.get_full_name() in page


def test_history_tab_costs_a_constant_number_of_queries(
    commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    person = CombatantFactory.create()
    # identity, documents, weapons, lists, stays, weapons handed in, history, screening (ages, exams,
    # vetting), the reintegration tab (profile; enrolments, an open duplicate pair, packages in
    # force; payment lines, distributions; follow-ups, enrolments followed, rules in force), the
    # accountability tab (+5: consent records, withdrawals; the grievances the person made or is the
    # subject of; the person's appeals, the decisions they may contest in one UNION query):
    # and, for the history, one per kind of record it points to (region, movement, users, rule
    # set...: names, not ids): whatever the history length
    for status in list(Combatant.Status)[:6]:
        person.status = status
        person.save()
    with django_assert_max_num_queries(32):
        commission_client.get(reverse("ddr:person-detail", args=[person.pk]))


def test_bulk_writes_are_audited_too(administrator: Any) -> None:
    people = [CombatantFactory.build(region=region("KID")) for _ in range(25)]
    created = bulk_create_with_history(people, Combatant, default_user=administrator)
    assert Combatant.history.filter(history_type="+", history_user=administrator).count() == 25
    for p in created:
        p.status = Combatant.Status.SCREENED
    bulk_update_with_history(created, Combatant, ["status"], default_user=administrator)
    assert Combatant.history.filter(history_type="~", status=Combatant.Status.SCREENED).count() == 25


def test_admin_cannot_revert_or_edit_history(admin_client: Any) -> None:
    site = SiteFactory.create(capacity=100)
    first = site.history.earliest()
    site.capacity = 300
    site.save()
    url = reverse("admin:cantonment_site_simple_history", args=[site.pk, first.history_id])
    response = admin_client.post(
        url,
        {
            "name": site.name,
            "kind": site.kind,
            "status": site.status,
            "region": site.region_id,
            "capacity": 100,
            "places_for_women": 10,
        },
    )
    assert response.status_code == 403
    site.refresh_from_db()
    assert site.capacity == 300
    from django.contrib import admin

    assert not any(m._meta.model_name.startswith("historical") for m in admin.site._registry)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database-level guarantee on PostgreSQL")
def test_history_tables_are_append_only_on_postgresql() -> None:
    person = CombatantFactory.create()
    table = Combatant.history.model._meta.db_table
    assert table in history_tables()
    for sql in (f'UPDATE "{table}" SET status = %s', f'DELETE FROM "{table}"'):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, ["excluded"] if "UPDATE" in sql else [])
    assert person.history.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database-level guarantee on PostgreSQL")
def test_every_history_table_has_the_append_only_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE %s",
            ["%append_only"],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert set(history_tables()) <= protected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database-level guarantee on PostgreSQL")
def test_truncate_is_allowed_on_the_named_history_tables_only() -> None:
    """What a restore lifts (core.audit.allow_history_truncate_sql) is the guard of the tables it
    empties, within its own transaction; every other history table still refuses TRUNCATE."""
    CombatantFactory.create()
    people = Combatant.history.model._meta.db_table
    other = next(t for t in history_tables() if t != people)
    before, after = allow_history_truncate_sql(tables=[people, "ddr_combatant"])
    assert len(before) == len(after) == 1 and people in before[0]
    with connection.cursor() as c:  # the test's open transaction holds deferred foreign-key checks
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with transaction.atomic(), connection.cursor() as c:
        for sql in before:
            c.execute(sql)
        c.execute(f'TRUNCATE "{people}"')
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            c.execute(f'TRUNCATE "{other}"')
        for sql in after:
            c.execute(sql)
        transaction.set_rollback(True)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(f'TRUNCATE "{people}"')


# --- every model keeps its history; nothing with history is deleted -----------------------

AUDITED_APPS = {"accounts", "core", "ddr", "cantonment", "cvr", "integration"}
# Tables without history, each for a reason. Anything else added later must have history.
WITHOUT_HISTORY = {
    # Derived: rebuilt from audited records (people, stays, decisions), never written by a person.
    "ddr.registertally",  # counts kept by database triggers on the people table
    "ddr.waitingplace",  # the quota queues, rebuilt by every eligibility run
    "cantonment.siteheadcount",  # the daily count of open stays, written by the job
    # A sequence, reserved in blocks under a row lock: its values live on in registration numbers.
    "ddr.registrationcounter",
    # Progress of work on the worker: what the work wrote is audited, not its progress bar.
    "core.job",
    "ddr.listimport",  # the file, its check and preview; the list and people it wrote are audited
    "cvr.beneficiaryimport",  # same for beneficiaries
    "ddr.statementimport",  # same for a provider's statement: the lines it settled are audited
    "ddr.eligibilityrun",  # a run's counts; every decision it changed is in the people's history
    # Itself the log of every export (append-only, never edited).
    "core.exportlog",
}


def test_every_model_keeps_its_history() -> None:
    from django.apps import apps

    concrete = {
        m._meta.label_lower: m
        for m in apps.get_models()
        if m._meta.app_label in AUDITED_APPS
        and not m._meta.proxy
        and not m._meta.label_lower.split(".")[1].startswith("historical")
    }
    missing = sorted(label for label, m in concrete.items() if not hasattr(m, "history"))
    assert missing == sorted(WITHOUT_HISTORY), set(missing) ^ WITHOUT_HISTORY


def test_no_admin_deletes_a_record_with_history(admin_client: Any, administrator: Any) -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = administrator
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in AUDITED_APPS:
            continue  # groups, API tokens, lock-out records: no history, revoked by deletion
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request), model
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_delete_permission(request), (model, inline)
    site = SiteFactory.create()
    response = admin_client.post(reverse("admin:cantonment_site_delete", args=[site.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = admin_client.post(
        reverse("admin:cantonment_site_changelist"),
        {"action": "delete_selected", "_selected_action": [site.pk]},
    )
    site.refresh_from_db()  # still there


def test_a_person_with_records_cannot_be_deleted_at_all() -> None:
    from django.db.models import ProtectedError

    from ddr.models import IdentityDocument

    person = CombatantFactory.create()
    IdentityDocument.objects.create(combatant=person, kind="nina", number="N-1")
    with pytest.raises(ProtectedError):
        person.delete()
    assert IdentityDocument.objects.filter(combatant=person).exists()


def test_a_site_with_its_lifecycle_cannot_be_deleted() -> None:
    from django.db.models import ProtectedError

    from cantonment.models import SiteEvent

    site = SiteFactory.create()
    event = SiteEvent.objects.create(site=site, status=site.status, on=site_day())
    assert event.history.count() == 1  # lifecycle steps are audited too
    with pytest.raises(ProtectedError):
        site.delete()


def site_day() -> Any:
    import datetime as dt

    return dt.date(2024, 1, 1)


# --- guarded roles: a second administrator --------------------------------------------------


@pytest.fixture
def second_administrator(db: Any) -> Any:
    from accounts.models import Role

    from .factories import UserFactory

    return UserFactory.create(username="admin2", role=Role.ADMINISTRATOR)


def test_an_administrator_cannot_give_themself_the_child_protection_role(
    admin_client: Any, administrator: Any
) -> None:
    from accounts.models import Role, RoleGrant

    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(role=Role.CHILD_PROTECTION, region="", groups=[], user_permissions=[])
    data.pop("password", None)
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR
    assert "second administrator" in response.content.decode() or "second administrateur" in (
        response.content.decode()
    )
    grant = RoleGrant.objects.get()
    assert (grant.user, grant.role, grant.requested_by) == (
        administrator,
        Role.CHILD_PROTECTION,
        administrator,
    )
    assert grant.status == RoleGrant.Status.PENDING


def test_a_new_account_cannot_start_with_a_guarded_role(admin_client: Any) -> None:
    from accounts.models import Role, User

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcp",
            "password1": "Sahel-pass-2024!x",
            "password2": "Sahel-pass-2024!x",
            "usable_password": "true",
            "role": Role.CHILD_PROTECTION,
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert not User.objects.filter(username="newcp").exists()


def test_a_role_request_approved_by_the_same_administrator_is_refused(
    admin_client: Any, administrator: Any
) -> None:
    from accounts.models import Role, RoleGrant

    from .factories import UserFactory

    officer = UserFactory.create(role=Role.COMMISSION_OFFICER)
    response = admin_client.post(
        reverse("admin:accounts_rolegrant_add"), {"user": officer.pk, "role": Role.CHILD_PROTECTION}
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    grant = RoleGrant.objects.get()
    assert grant.requested_by == administrator
    admin_client.post(
        reverse("admin:accounts_rolegrant_changelist"), {"action": "approve", "_selected_action": [grant.pk]}
    )
    grant.refresh_from_db()
    officer.refresh_from_db()
    assert grant.status == RoleGrant.Status.PENDING
    assert officer.role == Role.COMMISSION_OFFICER
    # Not by the database either, whatever path writes.
    from django.db import IntegrityError

    grant.decided_by = administrator
    with pytest.raises(IntegrityError), transaction.atomic():
        grant.save()


def test_a_role_approved_by_a_second_administrator_takes_effect_and_is_in_the_users_history(
    administrator: Any, second_administrator: Any
) -> None:
    from accounts.models import Role, RoleGrant
    from accounts.services import role_grant_request

    from .factories import UserFactory

    officer = UserFactory.create(role=Role.COMMISSION_OFFICER)
    grant = role_grant_request(user=officer, role=Role.CHILD_PROTECTION, by=administrator)
    client = Client()
    client.force_login(second_administrator)
    client.post(
        reverse("admin:accounts_rolegrant_changelist"), {"action": "approve", "_selected_action": [grant.pk]}
    )
    grant.refresh_from_db()
    officer.refresh_from_db()
    assert grant.status == RoleGrant.Status.APPROVED and grant.decided_by == second_administrator
    assert officer.role == Role.CHILD_PROTECTION
    latest = officer.history.latest()
    assert latest.role == Role.CHILD_PROTECTION and latest.history_user == second_administrator
    assert f"role request {grant.pk}" in latest.history_change_reason
    assert not hasattr(latest, "password")  # the hash is not copied into the history
    # The history shows the change as a diff, on the user's admin history page.
    page = client.get(reverse("admin:accounts_user_history", args=[officer.pk])).content.decode()
    assert "admin2" in page or second_administrator.get_full_name() in page


def test_an_administrator_cannot_set_a_child_protection_officers_password(
    admin_client: Any, child_protection_officer: Any
) -> None:
    url = reverse("admin:auth_user_password_change", args=[child_protection_officer.pk])
    response = admin_client.post(url, {"password1": "Autre-pass-2024!", "password2": "Autre-pass-2024!"})
    assert response.status_code == 403
    child_protection_officer.refresh_from_db()
    assert child_protection_officer.check_password("Sahel-pass-2024")

@pytest.mark.skipif(connection.vendor != "postgresql", reason="database-level guarantee on PostgreSQL")
def test_history_tables_refuse_truncate_on_postgresql() -> None:
    person = CombatantFactory.create()
    table = Combatant.history.model._meta.db_table
    with connection.cursor() as c:  # the test's open transaction holds deferred foreign-key checks
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(f'TRUNCATE "{table}"')
    assert person.history.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database-level guarantee on PostgreSQL")
def test_every_history_table_has_the_truncate_trigger() -> None:
    with connection.cursor() as cursor:  # information_schema.triggers leaves TRUNCATE triggers out
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE %s AND t.tgenabled = 'O'",
            ["%no_truncate"],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert set(history_tables()) <= protected


@pytest.fixture
def app_role(transactional_db: Any, reference_data: None) -> Any:
    """A login role for this test database, dropped afterwards (and first, if a killed run left it)."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_app"[:63]
    password = "app-role-test-password"

    def drop() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
            if cursor.fetchone():
                cursor.execute(f'DROP OWNED BY "{name}"')  # its privileges in this database
                cursor.execute(f'DROP ROLE "{name}"')

    drop()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    yield {
        "user": name,
        "password": password,
        "dbname": settings_dict["NAME"],
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
    }
    drop()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
def test_the_app_role_adds_history_but_cannot_rewrite_empty_or_unprotect_it(app_role: Any) -> None:
    import psycopg
    from django.core.management import call_command

    person = CombatantFactory.create()
    history = Combatant.history.model._meta
    columns = ", ".join(f'"{f.column}"' for f in history.concrete_fields if f.name != "history_id")
    call_command("grant_app_role", app_role["user"], stdout=StringIO())

    app = psycopg.connect(**app_role, autocommit=True)
    try:
        with app.transaction(), app.cursor() as cursor:  # the application's own writes still work
            cursor.execute(
                f'INSERT INTO "{history.db_table}" ({columns}) SELECT {columns} FROM "{history.db_table}" '
                "WHERE id = %s",
                [person.pk],
            )
            cursor.execute('UPDATE "ddr_combatant" SET status = %s WHERE id = %s', ["screened", person.pk])
        for sql in (
            f"UPDATE \"{history.db_table}\" SET status = 'excluded'",
            f'DELETE FROM "{history.db_table}"',
            f'TRUNCATE "{history.db_table}"',
            f'DROP TRIGGER "{history.db_table}_append_only" ON "{history.db_table}"',
            f'ALTER TABLE "{history.db_table}" DISABLE TRIGGER "{history.db_table}_no_truncate"',
        ):
            with pytest.raises(psycopg.Error) as refused, app.transaction(), app.cursor() as cursor:
                cursor.execute(sql)
            # Refused by privileges, before any trigger would have answered.
            assert refused.value.sqlstate == "42501" and "append-only" not in str(refused.value), sql
    finally:
        app.close()
    assert person.history.count() == 2
    person.refresh_from_db()
    assert person.status == "screened"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
def test_grant_app_role_refuses_a_role_that_could_still_rewrite_history() -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="superuser|can still change"):
        call_command("grant_app_role", connection.settings_dict["USER"])
