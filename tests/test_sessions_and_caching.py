"""Sessions end when idle and after a working day; nothing a signed-in user reads stays in a cache."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.middleware import SESSION_LAST_SEEN, SESSION_STARTED

from .factories import CombatantFactory, region

pytestmark = pytest.mark.django_db


def _move_clock(client: Client, **ago: float) -> None:
    """Time travel: rewrite the session's stored times, as if they were `ago` seconds in the past."""
    session = client.session
    now = time.time()
    for key, seconds in ago.items():
        session[key] = now - seconds
    session.save()


def _signed_out(client: Client) -> bool:
    response = client.get(reverse("programme:home"))
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_session_ends_after_the_idle_timeout(commission_client: Client, settings: Any) -> None:
    settings.DDR_SESSION_IDLE_MINUTES = 30
    assert commission_client.get(reverse("programme:home")).status_code == 200
    _move_clock(commission_client, **{SESSION_LAST_SEEN: 29 * 60})
    assert commission_client.get(reverse("programme:home")).status_code == 200  # still within the half hour
    _move_clock(commission_client, **{SESSION_LAST_SEEN: 31 * 60})
    assert _signed_out(commission_client)
    page = commission_client.get(reverse("accounts:login")).content.decode()
    # In the language of the request that ended it (French by default).
    assert "Votre session a pris fin. Veuillez vous reconnecter." in page


def test_activity_keeps_the_session_open(commission_client: Client, settings: Any) -> None:
    settings.DDR_SESSION_IDLE_MINUTES = 30
    commission_client.get(reverse("programme:home"))
    _move_clock(commission_client, **{SESSION_LAST_SEEN: 20 * 60})
    assert commission_client.get(reverse("programme:home")).status_code == 200  # a request 20 minutes later...
    _move_clock(commission_client, **{SESSION_STARTED: 60 * 60})
    session = commission_client.session
    assert time.time() - session[SESSION_LAST_SEEN] < 5  # ...counts as activity


def test_session_ends_after_its_absolute_lifetime_however_active(
    commission_client: Client, settings: Any
) -> None:
    settings.DDR_SESSION_MAX_HOURS = 12
    commission_client.get(reverse("programme:home"))
    _move_clock(commission_client, **{SESSION_STARTED: 11 * 3600, SESSION_LAST_SEEN: 60})
    assert commission_client.get(reverse("programme:home")).status_code == 200
    _move_clock(commission_client, **{SESSION_STARTED: 12 * 3600 + 60, SESSION_LAST_SEEN: 60})
    assert _signed_out(commission_client)


def test_signing_in_again_starts_a_new_lifetime(commission_officer: Any, settings: Any) -> None:
    client = Client()
    client.force_login(commission_officer)
    _move_clock(client, **{SESSION_STARTED: 13 * 3600})
    assert _signed_out(client)
    client.force_login(commission_officer)
    assert client.get(reverse("programme:home")).status_code == 200


def test_an_expired_session_no_longer_reads_the_api(commission_client: Client) -> None:
    assert commission_client.get("/api/people/").status_code == 200
    _move_clock(commission_client, **{SESSION_LAST_SEEN: 24 * 3600})
    assert commission_client.get("/api/people/").status_code in (401, 403)


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_person_pages_exports_and_api_are_never_stored(
    commission_client: Client, analyst_client: Client
) -> None:
    person = CombatantFactory.create(region=region("GAO"))
    page = commission_client.get(reverse("ddr:person-detail", args=[person.pk]))
    export = commission_client.get(reverse("cantonment:site-list"), {"export": "csv"})
    api = commission_client.get("/api/people/")
    analyst_api = analyst_client.get("/api/pathways/counts/", {"by": "region"})
    for response in (page, export, api, analyst_api):
        assert response.status_code == 200
        assert _no_store(response), response.get("Cache-Control")


def test_api_refusals_are_not_stored_either(client: Client) -> None:
    response = client.get("/api/people/")
    assert response.status_code in (401, 403) and _no_store(response)


def test_static_files_stay_cacheable_for_a_signed_in_user(commission_officer: Any, settings: Any) -> None:
    settings.WHITENOISE_USE_FINDERS = True  # read at start-up; a new client starts the middleware anew
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    client.force_login(commission_officer)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert not _no_store(response)


def test_api_token_answers_are_not_stored(commission_officer: Any) -> None:
    basic = base64.b64encode(b"commission:Sahel-pass-2024").decode()
    response = Client().post(reverse("api-token-login"), HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200 and _no_store(response)
    api = Client().get("/api/people/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.status_code == 200 and _no_store(api)
