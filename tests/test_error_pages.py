"""The application's own error pages, in French, in the quick start (DEBUG) as in production:
never Django's technical 404 listing every URL, never a traceback in the log for a refusal."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .factories import CombatantFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["quick-start", "production"])
def debug(request: Any, settings: Any) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


def test_another_regions_person_is_our_french_not_found_page(gao_client: Any, debug: bool) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    for url in (reverse("ddr:person-detail", args=[kidal.pk]), "/nulle-part/"):
        response = gao_client.get(url)
        page = response.content.decode()
        assert response.status_code == 404
        assert "Page introuvable" in page and "pas dans votre périmètre" in page
        assert "URLconf" not in page and "Traceback" not in page


def test_a_refusal_is_our_page_and_one_line_of_log(analyst_client: Any, debug: bool, caplog: Any) -> None:
    with caplog.at_level(logging.INFO):
        response = analyst_client.get(reverse("ddr:person-list"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    refused = [r for r in caplog.records if r.name == "ddr.refusals"]
    assert len(refused) == 1 and "GET /personnes/" in refused[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "a refusal is not an error"


def test_an_unexpected_error_is_our_page_and_its_traceback_logged(
    commission_officer: Any, debug: bool, monkeypatch: Any, caplog: Any
) -> None:
    def broken(_user: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("programme.views.programme_summary", broken)
    client = Client(raise_request_exception=False)
    client.force_login(commission_officer)
    with caplog.at_level(logging.ERROR):
        response = client.get(reverse("programme:home"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Erreur du serveur" in page and "disk on fire" not in page
    assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in caplog.records)
