"""Writing a checked list into the register: phase 2 of an import, set-based.

Phase 1 keeps each checked row as one flat record (`STAGED`, CSV on disk) with everything that
does not depend on the register's state at commit time. Phase 2 decides who is already known,
numbers the newcomers, and writes people, their audit rows, list entries, documents and
weapons. On PostgreSQL the file goes as it is, a piece at a time, through COPY into a temporary
table, and a handful of UPDATE and INSERT ... SELECT statements do the rest: no Python work per
row, and a million rows take no more memory than a thousand. Elsewhere the ORM's bulk path
writes the same rows, read back into memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.db import connection

from accounts.models import User
from core.bulk import insert_from, insert_with_history, stage, stage_csv
from ddr.lists.models import ListEntry, SubmittedList
from ddr.lists.parse import ParsedRow, person_key
from ddr.registration.models import Category, Combatant, DeclaredWeapon, IdentityDocument
from ddr.registration.names import person_derived
from ddr.registration.rules import registration_number, registration_number_sql

# One checked row, in this order, with its staging-table type.
STAGED: tuple[tuple[str, str], ...] = (
    ("line", "integer"),
    ("person_key", "text"),
    ("given_number", "text"),
    ("given_name", "text"),
    ("family_name", "text"),
    ("also_known_as", "text"),
    ("sex", "text"),
    ("birth_date", "date"),
    ("birth_year", "integer"),
    ("birth_year_approximate", "boolean"),
    ("place_of_birth", "text"),
    ("region_id", "integer"),
    ("region_code", "text"),
    ("commune", "text"),
    ("movement_id", "integer"),
    ("rank_in_movement", "text"),
    ("category", "text"),
    ("status", "text"),
    ("has_weapon", "boolean"),
    ("name_key", "text"),
    ("movement_ref", "text"),
    ("document_kind", "text"),
    ("document_number", "text"),
    ("document_issued_on", "date"),
    ("document_issuer", "text"),
    ("weapon_kind", "text"),
    ("weapon_serial", "text"),
    ("weapon_calibre", "text"),
    ("ammunition", "integer"),
)
# Decided at commit time: the person's id (known or new) and, for a newcomer, the number.
DECIDED: tuple[tuple[str, str], ...] = (
    ("person_id", "bigint"),
    ("registration_number", "text"),
    ("is_new", "boolean"),
)
COLUMN = {name: i for i, (name, _) in enumerate(STAGED + DECIDED)}
Row = list[Any]
TABLE = "ddr_import_row"  # the staged rows on PostgreSQL, with the person's id once decided
CHUNK = 1 << 20  # bytes of the staged file sent to COPY at a time
WORK_MEM = "128MB"


@dataclass
class Staged:
    """The checked rows of one import, where the commit writes them from: the temporary table
    `TABLE` on PostgreSQL (`rows` is None), a list of rows elsewhere."""

    count: int
    rows: list[Row] | None = None
    first_number: int = 0  # the first sequence number reserved for the newcomers


def is_child_row(values: dict[str, Any], *, today: dt.date) -> bool:
    """A row that becomes a child's record: a child by the file, or under 18 by any source."""
    birth_year = values.get("birth_year")
    return values.get("category") == Category.CHILD or bool(birth_year and today.year - birth_year < 18)


def staged_row(row: ParsedRow, *, today: dt.date) -> Row:
    """The flat record of one checked row (values resolved: region_id, region_code, movement_id)."""
    v = row.values
    armed = bool(v.get("weapon_kind"))
    category = v.get("category") or (
        Category.WOMAN_ASSOCIATED
        if v["sex"] == "F" and not armed
        else Category.COMBATANT_ARMED
        if armed
        else Category.COMBATANT_UNARMED
    )
    # Under 18 by any source is a child: never processed as an adult (screening follows).
    if is_child_row(v, today=today):
        category = Category.CHILD
    child = category == Category.CHILD
    status = Combatant.Status.REFERRED if child else Combatant.Status.PRE_REGISTERED
    document = bool(v["document_number"])
    derived = person_derived(
        family_name=v["family_name"],
        given_name=v["given_name"],
        also_known_as=v["also_known_as"],
        birth_date=v["birth_date"],
        birth_year=v["birth_year"],
    )
    return [
        row.line,
        row.key,
        v["registration_number"].upper(),
        v["given_name"],
        v["family_name"],
        v["also_known_as"],
        v["sex"],
        v["birth_date"],
        derived["birth_year"],
        v["birth_year_approximate"],
        v["place_of_birth"],
        v["region_id"],
        v["region_code"],
        v["commune"],
        v["movement_id"],
        "" if child else v["rank"],  # a child's record keeps nothing of the group's command
        str(category),
        str(status),
        armed,
        derived["name_key"],
        v["movement_ref"],
        v["document_kind"] if document else "",
        v["document_number"],
        v.get("document_issued_on") if document else None,
        v["document_issuer"] if document else "",
        v["weapon_kind"] if armed else "",
        v["weapon_serial"] if armed else "",
        v["weapon_calibre"] if armed else "",
        (v.get("ammunition") or 0) if armed else None,
    ]


def stage_rows(source: IO[bytes]) -> Staged:
    """The checked rows (`dump`'s file) made ready to write. Call inside atomic."""
    if connection.vendor != "postgresql":
        rows = load(source.read())
        return Staged(len(rows), rows)
    with connection.cursor() as cursor:
        # For this transaction only: what PostgreSQL keeps in memory before spilling to disk. The
        # commit's RETURNING rows, its numbering sort and above all the trigram index's pending
        # entries (merged into the index a work_mem at a time) are hundreds of MB at a million rows.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SELECT pg_get_serial_sequence('ddr_combatant', 'id')")
        sequence = cursor.fetchone()[0]
    # Every row draws an id while it is copied (a gap for people already known is harmless).
    extra = f", person_id bigint, new_id bigint DEFAULT nextval('{sequence}')"
    return Staged(stage_csv(TABLE, STAGED, iter(lambda: source.read(CHUNK), b""), extra=extra))


def child_lines(staged: Staged) -> list[int]:
    """The lines of the rows that are children (by the file or by age), to be separated."""
    if staged.rows is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT line FROM {TABLE} WHERE category = %s ORDER BY line", [Category.CHILD])  # noqa: S608
            return [line for (line,) in cursor.fetchall()]
    return [int(r[COLUMN["line"]]) for r in staged.rows if r[COLUMN["category"]] == Category.CHILD]


def load(data: bytes) -> list[Row]:
    """The staged rows as phase 1 wrote them (services._check: csv, UTF-8, one row a line)."""
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def people_on(submitted: SubmittedList) -> dict[str, Combatant]:
    """The people of a list, by the key that finds them again in its next version. One query."""
    return {
        person_key(
            e.movement_ref, e.combatant.family_name, e.combatant.given_name, e.combatant.birth_year
        ): e.combatant
        for e in submitted.entries.select_related("combatant__region")
    }


def keys_on(submitted: SubmittedList) -> dict[str, int]:
    """The ids of the people of a list, by the key that finds them again in its next version."""
    entries = submitted.entries.values_list(
        "movement_ref",
        "combatant__family_name",
        "combatant__given_name",
        "combatant__birth_year",
        "combatant_id",
    )
    return {
        person_key(ref, family, given, year): pk
        for ref, family, given, year, pk in entries.iterator(chunk_size=10_000)
    }


def decide(staged: Staged, *, previous: SubmittedList | None, reserve: Callable[[int], int]) -> int:
    """Link people already registered (by registration number, or on the previous version);
    reserve numbers for the others. Returns how many are new."""
    if staged.rows is None:
        new = _decide_postgresql(previous)
    else:
        new = _decide_rows(staged.rows, previous)
    staged.first_number = reserve(new) if new else 0
    if staged.rows is not None:
        newcomers = (r for r in staged.rows if r[COLUMN["is_new"]])
        for i, row in enumerate(newcomers):
            row[COLUMN["registration_number"]] = registration_number(
                row[COLUMN["region_code"]], staged.first_number + i
            )
    return new


def _decide_postgresql(previous: SubmittedList | None) -> int:
    """`person_id` set on the staged rows of people already known; the new ones counted."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} r SET person_id = c.id FROM ddr_combatant c "  # noqa: S608 - our own names
            "WHERE r.given_number <> '' AND c.registration_number = r.given_number"
        )
        if previous:
            stage("ddr_import_known", (("person_key", "text"), ("id", "bigint")), keys_on(previous).items())
            cursor.execute(
                f"UPDATE {TABLE} r SET person_id = k.id FROM ddr_import_known k "  # noqa: S608
                "WHERE r.given_number = '' AND r.person_key = k.person_key"
            )
        cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE person_id IS NULL")  # noqa: S608
        new: int = cursor.fetchone()[0]
        return new


def _decide_rows(rows: list[Row], previous: SubmittedList | None) -> int:
    """DECIDED appended to each row (the number of a new one comes once reserved)."""
    known: dict[str, int] = {}
    numbers = [r[COLUMN["given_number"]] for r in rows if r[COLUMN["given_number"]]]
    if numbers:
        by_number = Combatant.objects.filter(registration_number__in=numbers)
        known.update({f"num:{n}": pk for n, pk in by_number.values_list("registration_number", "id")})
    if previous:
        known.update(keys_on(previous))
    new = 0
    for row in rows:
        number = row[COLUMN["given_number"]]
        pk = known.get(f"num:{number}") if number else known.get(row[COLUMN["person_key"]])
        row.extend([pk, "", pk is None])
        new += pk is None
    return new


def write(staged: Staged, *, submitted: SubmittedList, by: User, today: dt.date) -> None:
    """People, audit rows, list entries, documents and weapons. Call inside atomic, after `decide`."""
    if staged.rows is None:
        _write_postgresql(staged.first_number, submitted=submitted, by=by, today=today)
    else:
        _write_orm(staged.rows, submitted=submitted, by=by, today=today)


PEOPLE_COLUMNS = (
    "registration_number",
    "given_name",
    "family_name",
    "also_known_as",
    "sex",
    "birth_date",
    "birth_year",
    "birth_year_approximate",
    "place_of_birth",
    "region_id",
    "commune",
    "movement_id",
    "rank_in_movement",
    "category",
    "status",
    "has_weapon",
    "name_key",
)


def _write_postgresql(first_number: int, *, submitted: SubmittedList, by: User, today: dt.date) -> None:
    reason = f"list import {submitted.pk}"
    # The newcomers numbered in the file's order, from the first number reserved.
    newcomers = (
        f"(SELECT *, {int(first_number) - 1} + row_number() OVER (ORDER BY line) AS sequence "  # noqa: S608
        f"FROM {TABLE} WHERE person_id IS NULL) AS new"
    )
    people = {"id": "new_id", **{c: c for c in PEOPLE_COLUMNS}}
    people.update(
        registration_number=registration_number_sql("region_code", "sequence"),
        registered_at=f"'{today.isoformat()}'::date",
        registered_by_id=str(int(by.pk)),
    )
    insert_from(Combatant, people, source=newcomers, user=by, reason=reason)
    entry = {
        "submitted_list_id": str(int(submitted.pk)),
        "combatant_id": "coalesce(person_id, new_id)",
        "line": "line",
        "movement_ref": "movement_ref",
    }
    insert_from(ListEntry, entry, source=TABLE, user=by, reason=reason)
    source = f"{TABLE} WHERE person_id IS NULL"
    document = {
        "combatant_id": "new_id",
        "kind": "document_kind",
        "number": "document_number",
        "issued_on": "document_issued_on",
        "issuer": "document_issuer",
    }
    insert_from(
        IdentityDocument, document, source=f"{source} AND document_number <> ''", user=by, reason=reason
    )
    weapon = {
        "combatant_id": "new_id",
        "kind": "weapon_kind",
        "serial_number": "weapon_serial",
        "calibre": "weapon_calibre",
        "ammunition": "ammunition",
    }
    insert_from(DeclaredWeapon, weapon, source=f"{source} AND has_weapon", user=by, reason=reason)


def _write_orm(rows: list[Row], *, submitted: SubmittedList, by: User, today: dt.date) -> None:
    """The same rows through the ORM (SQLite): values parsed back from the staged text."""
    reason = f"list import {submitted.pk}"
    c = COLUMN

    def text(row: Row, name: str) -> str:
        value: str = row[c[name]]
        return value

    def date(row: Row, name: str) -> dt.date | None:
        return dt.date.fromisoformat(row[c[name]]) if row[c[name]] else None

    def integer(row: Row, name: str) -> int | None:
        return int(row[c[name]]) if row[c[name]] not in ("", None) else None

    def flag(row: Row, name: str) -> bool:
        return row[c[name]] in (True, "True")

    new = [r for r in rows if flag(r, "is_new")]
    people = [
        {
            **{name: text(r, name) for name in PEOPLE_COLUMNS},
            "birth_date": date(r, "birth_date"),
            "birth_year": integer(r, "birth_year"),
            "birth_year_approximate": flag(r, "birth_year_approximate"),
            "region_id": integer(r, "region_id"),
            "movement_id": integer(r, "movement_id"),
            "has_weapon": flag(r, "has_weapon"),
            "registered_at": today,
            "registered_by_id": by.pk,
        }
        for r in new
    ]
    for row, pk in zip(new, insert_with_history(Combatant, people, user=by, reason=reason), strict=True):
        row[c["person_id"]] = pk
    entries = [
        {
            "submitted_list_id": submitted.pk,
            "combatant_id": integer(r, "person_id"),
            "line": integer(r, "line"),
            "movement_ref": text(r, "movement_ref"),
        }
        for r in rows
    ]
    insert_with_history(ListEntry, entries, user=by, reason=reason)
    documents = [
        {
            "combatant_id": r[c["person_id"]],
            "kind": text(r, "document_kind"),
            "number": text(r, "document_number"),
            "issued_on": date(r, "document_issued_on"),
            "issuer": text(r, "document_issuer"),
        }
        for r in new
        if text(r, "document_number")
    ]
    insert_with_history(IdentityDocument, documents, user=by, reason=reason)
    weapons = [
        {
            "combatant_id": r[c["person_id"]],
            "kind": text(r, "weapon_kind"),
            "serial_number": text(r, "weapon_serial"),
            "calibre": text(r, "weapon_calibre"),
            "ammunition": integer(r, "ammunition") or 0,
        }
        for r in new
        if flag(r, "has_weapon")
    ]
    insert_with_history(DeclaredWeapon, weapons, user=by, reason=reason)
