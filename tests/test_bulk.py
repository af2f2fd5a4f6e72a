"""Bulk inserts of imports: COPY through psycopg on PostgreSQL, bulk_create elsewhere, audited either way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DataError, connection, transaction

from core.bulk import copy_in, insert_with_history
from ddr.models import IdentityDocument

from .factories import CombatantFactory

pytestmark = pytest.mark.django_db


def test_rows_are_written_as_given_with_their_audit_rows(administrator: Any) -> None:
    person = CombatantFactory.create()
    awkward = 'N°1, "Ag Intallah"\tÉ'  # separator, quotes, tab and accents survive the CSV
    rows = [
        {"combatant_id": person.pk, "kind": "nina", "number": awkward, "issuer": "", "issued_on": None},
        {"combatant_id": person.pk, "kind": "passport", "number": "P2", "issued_on": dt.date(2015, 3, 1)},
    ]
    with transaction.atomic():
        ids = insert_with_history(IdentityDocument, rows, user=administrator, reason="list 7")
    first, second = (IdentityDocument.objects.get(pk=pk) for pk in ids)
    assert (first.number, first.issuer, first.issued_on) == (awkward, "", None)  # '' stays '', not NULL
    assert (second.kind, second.issuer, second.issued_on) == ("passport", "", dt.date(2015, 3, 1))
    history = IdentityDocument.history.filter(id__in=ids)
    assert (
        sorted(history.values_list("history_type", "history_user", "history_change_reason"))
        == [("+", administrator.pk, "list 7")] * 2
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_failing_copy_raises_djangos_error_like_any_statement() -> None:
    person = CombatantFactory.create()
    sql = "COPY ddr_identitydocument (combatant_id, kind, number, issuer) FROM STDIN WITH (FORMAT csv)"
    with pytest.raises(DataError), transaction.atomic():
        copy_in(sql, f'{person.pk},nina,N1,""\nnot-a-number,nina,N2,""\n')
    assert not IdentityDocument.objects.exists()  # nothing of the COPY kept
