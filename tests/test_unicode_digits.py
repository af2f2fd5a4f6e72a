"""'³'.isdigit() is true but int('³') fails: ids read from a query are checked with isdecimal()."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ddr.registration.rules import is_valid_registration_number

pytestmark = pytest.mark.django_db


def test_a_superscript_list_id_is_a_400_not_a_500(commission_client: Client) -> None:
    response = commission_client.get(reverse("api-list-integrity"), {"list": "³"})
    assert response.status_code == 400 and "list" in response.json()


def test_a_registration_number_with_superscript_digits_is_invalid() -> None:
    assert not is_valid_registration_number("GAO-000000³-1")
