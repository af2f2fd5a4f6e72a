"""The offline app's page and service worker, server side: who may open the page, what it carries
(words and reference lists, never a person), and how the worker is served."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role

from ..factories import CombatantFactory, UserFactory

pytestmark = pytest.mark.django_db


def _config(response: Any) -> dict[str, Any]:
    page = response.content.decode()
    start = page.index('<script id="offline-config" type="application/json">') + len(
        '<script id="offline-config" type="application/json">'
    )
    return json.loads(page[start : page.index("</script>", start)])


def test_the_page_opens_for_those_who_work_offline_with_no_person_in_it(
    gao_client: Client, commission_client: Client, child_protection_client: Client
) -> None:
    person = CombatantFactory.create(family_name="Ag Alhassane")
    for client in (gao_client, commission_client, child_protection_client):
        response = client.get(reverse("programme:offline-app"))
        assert response.status_code == 200
        assert person.family_name not in response.content.decode()  # people come only by the sync
    config = _config(gao_client.get(reverse("programme:offline-app")))
    assert config["region"] == "GAO" and config["can_register"] is True
    assert {"code", "name"} == set(config["regions"][0]) and config["movements"]
    assert config["api"]["operations"] == "/api/sync/operations/"
    assert config["strings"]["offline"] and config["strings"]["revoked"]  # the scripts' words, translated
    assert _config(child_protection_client.get(reverse("programme:offline-app")))["can_register"] is False


def test_the_page_is_refused_to_analysts_and_the_focal_point(analyst_client: Client) -> None:
    focal = Client()
    focal.force_login(UserFactory.create(role=Role.FOCAL_POINT))
    for client in (analyst_client, focal):
        assert client.get(reverse("programme:offline-app")).status_code == 403
    anonymous = Client().get(reverse("programme:offline-app"))
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"]


def test_the_menu_offers_the_app_to_field_roles_only(gao_client: Client, analyst_client: Client) -> None:
    url = reverse("programme:offline-app")
    assert f'href="{url}"' in gao_client.get("/").content.decode()
    assert f'href="{url}"' not in analyst_client.get("/").content.decode()


def test_the_service_worker_is_served_at_the_root_for_the_whole_site(client: Client) -> None:
    response = client.get("/sw.js")  # the browser re-checks it on its own, signed in or not
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert '"/hors-ligne/"' in body.replace("\\u002D", "-").replace("\\u002F", "/")
    assert "offline/app.js" in body.replace("\\u002F", "/")
    assert client.post("/sw.js").status_code == 405


def test_the_base_template_links_the_manifest(gao_client: Client) -> None:
    page = gao_client.get("/").content.decode()
    assert 'rel="manifest"' in page and "offline/manifest.webmanifest" in page
