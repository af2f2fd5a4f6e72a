"""Every change to a record is kept: who, when, what, before and after; nobody edits the trail."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import history_of, history_tables
from ddr.models import Combatant

from .factories import CombatantFactory, SiteFactory, region

pytestmark = pytest.mark.django_db


def test_admin_change_is_recorded_with_user_and_before_after(admin_client: Any, administrator: Any) -> None:
    site = SiteFactory(name="Fafa", capacity=100, places_for_women=10)
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
    assert changes["capacité"] == ("100", "250")
    assert changes["commune"] == ("—", "Ansongo")
    assert "nom" not in changes  # unchanged fields are not listed


def test_history_tab_shows_the_change_on_the_person_page(
    commission_client: Any, commission_officer: Any
) -> None:
    person = CombatantFactory(family_name="Maïga")
    person.status = Combatant.Status.SCREENED
    person._history_user = commission_officer  # type: ignore[attr-defined]
    person.save()
    page = commission_client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert 'data-testid="history"' in page
    assert "Enregistré" in page and "Vérifié" in page
    assert commission_officer.get_full_name() in page


def test_history_tab_costs_a_constant_number_of_queries(
    commission_client: Any, django_assert_max_num_queries: Any
) -> None:
    person = CombatantFactory()
    # identity, documents, weapons, lists, stays, weapons handed in, history, screening (ages, exams,
    # vetting): whatever the history length
    for status in list(Combatant.Status)[:6]:
        person.status = status
        person.save()
    with django_assert_max_num_queries(13):
        commission_client.get(reverse("person-detail", args=[person.pk]))


def test_bulk_writes_are_audited_too(administrator: Any) -> None:
    people = [CombatantFactory.build(region=region("KID")) for _ in range(25)]
    created = bulk_create_with_history(people, Combatant, default_user=administrator)
    assert Combatant.history.filter(history_type="+", history_user=administrator).count() == 25
    for p in created:
        p.status = Combatant.Status.SCREENED
    bulk_update_with_history(created, Combatant, ["status"], default_user=administrator)
    assert Combatant.history.filter(history_type="~", status=Combatant.Status.SCREENED).count() == 25


def test_admin_cannot_revert_or_edit_history(admin_client: Any) -> None:
    site = SiteFactory(capacity=100)
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
    person = CombatantFactory()
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
def test_history_tables_refuse_truncate_on_postgresql() -> None:
    person = CombatantFactory()
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
    import psycopg2
    from django.core.management import call_command

    person = CombatantFactory()
    history = Combatant.history.model._meta
    columns = ", ".join(f'"{f.column}"' for f in history.concrete_fields if f.name != "history_id")
    call_command("grant_app_role", app_role["user"], stdout=StringIO())

    app = psycopg2.connect(**app_role)
    try:
        with app, app.cursor() as cursor:  # the application's own writes still work
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
            with pytest.raises(psycopg2.Error) as refused, app, app.cursor() as cursor:
                cursor.execute(sql)
            # Refused by privileges, before any trigger would have answered.
            assert refused.value.pgcode == "42501" and "append-only" not in str(refused.value), sql
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
