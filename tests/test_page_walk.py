"""The page walk's own checks (`tests/pagewalk.py`, walked in `tests/browser/test_walk.py`): every
route of the URL conf is walked, is an action, or is set aside with a reason; and the detector of
text that is not French catches what it must and only that."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client

from accounts.models import Role

from .factories import UserFactory, region
from .pagewalk import FILL, NOT_PAGES, dummy_url, marked_catalogue, routes, texts_of_html, unmarked

pytestmark = pytest.mark.django_db


def test_every_route_is_walked_or_is_an_action_or_is_set_aside() -> None:
    """A new page with parameters fails here until `FILL` says which seeded object fills them;
    a route answering GET with 405 (for some role) is an action and needs nothing."""
    clients = []
    for role in Role:
        client = Client()
        client.force_login(
            UserFactory.create(role=role, region=region("GAO") if role == Role.REGIONAL_OFFICER else None)
        )
        clients.append(client)
    unfilled = {}
    for route in routes():
        if route.converters and route.name not in FILL and route.name not in NOT_PAGES:
            answers = {client.get(dummy_url(route)).status_code for client in clients}
            if 405 not in answers:
                unfilled[route.name] = sorted(answers)
    assert unfilled == {}, "fill these routes in tests/pagewalk.py FILL (or set them aside in NOT_PAGES)"


def test_the_walks_tables_name_routes_that_exist_with_their_parameters() -> None:
    by_name = {route.name: route for route in routes()}
    assert set(NOT_PAGES) - set(by_name) == set()
    assert {name: set(params) for name, params in FILL.items()} == {
        name: set(by_name[name].converters) for name in FILL if name in by_name
    }
    # The walk covers the HTML apps, not the API nor the admin.
    assert "ddr:person-detail" in by_name and not any(
        r.pattern.startswith(("api/", "admin/")) for r in by_name.values()
    )


SAMPLE = Template(
    """{% load i18n %}<!doctype html><html lang="fr"><head><title>{% translate "Page not found" %}</title></head>
<body><nav><button lang="en">English</button></nav>
<h1>{% blocktranslate with name=name number="GAO-00012" %}Everything the system holds about {{ name }} ({{ number }}){% endblocktranslate %}</h1>
<p>{{ name }} · GAO-00012 · 12/03/2026 · 75 000</p>
<input type="submit" value="{% translate 'Save' %}"><span title="{% translate 'Sort' %}">↓</span>
{% if english %}<p>No records match this search.</p>{% endif %}
<script>const label = "not read";</script></body></html>"""
)


@pytest.mark.parametrize("english", [False, True])
def test_the_detector_flags_text_that_is_neither_the_catalogues_nor_the_datas(english: bool) -> None:
    """One English phrase in a page otherwise translated, data and numbers: the phrase is caught;
    data, figures, codes, scripts and the text marked as another language are not."""
    assert str(Template("{% load i18n %}{% translate 'Save' %}").render(Context())) == "Enregistrer"
    with marked_catalogue():
        html = SAMPLE.render(Context({"name": "Mohamed Ag Intallah", "english": english}))
    texts = texts_of_html(html)
    assert (
        "Mohamed Ag Intallah" in texts[2]
        and "English" not in texts
        and 'const label = "not read";' not in texts
    )
    data = {"mohamed", "ag", "intallah"}
    assert unmarked(texts, data) == (["[No] [records] [match] [this] [search]."] if english else [])
    # The data is what excuses a name: the same page without it is caught.
    assert (
        unmarked(texts, set())[0]
        == "Tout ce que le système détient sur [Mohamed] [Ag] [Intallah] (GAO-00012)"
    )


def test_the_mark_leaves_placeholders_tags_and_entities_intact() -> None:
    from .pagewalk import MARK, mark

    assert mark("%(n)s personnes à <b>%s</b> &amp; {name}").replace(MARK, "") == (
        "%(n)s personnes à <b>%s</b> &amp; {name}"
    )
    assert mark("À %(n)s").startswith(f"À{MARK} %(n)s")
    assert (mark("%(count)d reçus") % {"count": 3}).replace(MARK, "") == "3 reçus"
