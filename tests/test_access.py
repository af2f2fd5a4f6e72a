"""Access is enforced on the server: every refusal a user relies on, tested."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from ddr.models import Category

from .factories import CombatantFactory, ProjectFactory, SiteFactory, UserFactory, region

pytestmark = pytest.mark.django_db

# Pages a stranger may open. Everything else needs a signed-in user.
PUBLIC = {
    "accounts:login",
    "core:healthz",
    "core:set_language",
    "core:javascript-catalog",
    "core:favicon",
    # The offline app's service worker: static code, no data; a browser refuses a redirected one.
    "programme:service-worker",
}


def _all_named_urls() -> list[tuple[str, str]]:
    """Every named URL of the project (admin and API included), reversed with a dummy pk."""
    found: list[tuple[str, str]] = []

    def walk(patterns: Any, namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                name = namespace + p.name
                kwargs = {k: "1" for k in p.pattern.regex.groupindex}
                if "format" in kwargs:
                    continue
                if "content_type_id" in kwargs or "app_label" in kwargs or "object_id" in kwargs:
                    kwargs = {k: ("ddr" if k == "app_label" else "1") for k in kwargs}
                with contextlib.suppress(NoReverseMatch):  # a converter our dummy value does not fit
                    found.append((name, reverse(name, kwargs=kwargs)))

    walk(get_resolver().url_patterns)
    return found


def test_url_walk_covers_the_app_and_api() -> None:
    names = {name for name, _ in _all_named_urls()}
    assert {"programme:home", "ddr:person-list", "ddr:person-detail", "cantonment:site-list", "api-schema", "admin:index"} <= names


@pytest.mark.parametrize(("name", "url"), _all_named_urls())
def test_every_url_except_the_allow_list_requires_login(client: Any, name: str, url: str) -> None:
    response = client.get(url)
    if name in PUBLIC or name.startswith("admin:") and name in {"admin:login", "admin:logout"}:
        return
    if name.startswith("admin:"):
        assert response.status_code == 302
        assert response["Location"].startswith(("/admin/login/", reverse("accounts:login")))
    elif url.startswith("/api/"):
        assert response.status_code in (401, 403, 405), url
    else:
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_regional_officer_gets_404_on_another_regions_person(gao_client: Any) -> None:
    kidal = CombatantFactory.create(region=region("KID"))
    gao = CombatantFactory.create(region=region("GAO"))
    assert gao_client.get(reverse("ddr:person-detail", args=[gao.pk])).status_code == 200
    assert gao_client.get(reverse("ddr:person-detail", args=[kidal.pk])).status_code == 404


def test_regional_officer_list_and_api_show_only_their_region(gao_client: Any) -> None:
    CombatantFactory.create(region=region("KID"), family_name="Kidalois")
    CombatantFactory.create(region=region("GAO"), family_name="Gaois")
    page = gao_client.get(reverse("ddr:person-list")).content.decode()
    assert "Gaois" in page and "Kidalois" not in page
    api = gao_client.get("/api/people/").json()
    assert [p["family_name"] for p in api["results"]] == ["Gaois"]
    SiteFactory.create(region=region("KID"), name="Tessalit")
    assert gao_client.get("/api/sites/").json()["count"] == 0


def test_regional_officer_sees_only_their_region_in_sites_and_projects(gao_client: Any) -> None:
    kidal_site = SiteFactory.create(region=region("KID"))
    ProjectFactory.create(region=region("KID"), title="Puits de Kidal")
    assert gao_client.get(reverse("cantonment:site-detail", args=[kidal_site.pk])).status_code == 404
    assert "Puits de Kidal" not in gao_client.get(reverse("cvr:project-list")).content.decode()


def test_analyst_cannot_open_person_pages(analyst_client: Any) -> None:
    person = CombatantFactory.create()
    assert analyst_client.get(reverse("ddr:person-list")).status_code == 403
    assert analyst_client.get(reverse("ddr:person-detail", args=[person.pk])).status_code == 403


def test_analyst_api_has_no_register(analyst_client: Any) -> None:
    person = CombatantFactory.create(given_name="Intallah", family_name="Ag Assayid")
    assert analyst_client.get("/api/people/").status_code == 403
    assert analyst_client.get(f"/api/people/{person.pk}/").status_code == 403


def test_pseudonym_is_stable_keyed_and_per_purpose(settings: Any) -> None:
    from core.suppression import pseudonym_for

    first = pseudonym_for(42, "stays")
    assert pseudonym_for(42, "stays") == first and pseudonym_for(43, "stays") != first
    assert pseudonym_for(42, "unit-memberships") != first  # no join across endpoints
    settings.PSEUDONYM_KEY = "another-key"
    assert pseudonym_for(42, "stays") != first


def test_analyst_cannot_write_through_the_api(analyst_client: Any) -> None:
    person = CombatantFactory.create()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(analyst_client, method)(
            f"/api/people/{person.pk}/", {}, content_type="application/json"
        )
        assert response.status_code == 403, method
    assert analyst_client.post("/api/people/", {}, content_type="application/json").status_code == 403


def test_child_records_are_invisible_to_every_role_but_child_protection(
    commission_client: Any, gao_client: Any, admin_client: Any, child_protection_client: Any
) -> None:
    child = CombatantFactory.create(
        category=Category.CHILD, given_name="Moussa", family_name="Enfantin", has_weapon=False
    )
    adult = CombatantFactory.create(family_name="Adulte")
    for client in (commission_client, gao_client):
        assert client.get(reverse("ddr:person-detail", args=[child.pk])).status_code == 404
        assert "Enfantin" not in client.get(reverse("ddr:person-list")).content.decode()
        assert "Enfantin" not in client.get("/api/people/").content.decode()
    # Even administrators do not open children's records in the admin.
    assert admin_client.get(reverse("admin:ddr_combatant_change", args=[child.pk])).status_code == 302
    assert "Enfantin" not in admin_client.get(reverse("admin:ddr_combatant_changelist")).content.decode()
    # The child-protection officer opens children, and only children.
    assert child_protection_client.get(reverse("ddr:person-detail", args=[child.pk])).status_code == 200
    assert child_protection_client.get(reverse("ddr:person-detail", args=[adult.pk])).status_code == 404


def test_children_never_count_among_combatants_on_the_home_page(commission_client: Any) -> None:
    CombatantFactory.create_batch(3)
    CombatantFactory.create(category=Category.CHILD, has_weapon=False)
    summary = commission_client.get(reverse("programme:home")).context["summary"]
    assert summary.people == 3
    assert summary.children_referred == 1


def test_only_administrators_reach_the_admin(commission_client: Any, admin_client: Any) -> None:
    assert commission_client.get("/admin/").status_code == 302
    assert admin_client.get("/admin/").status_code == 200


def test_regional_officer_without_region_is_refused_by_the_database() -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory.create(role=Role.REGIONAL_OFFICER, region=None)


def test_login_is_locked_after_repeated_failures(client: Any, settings: Any) -> None:
    UserFactory.create(username="awa", role=Role.COMMISSION_OFFICER)
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "awa", "password": "wrong-password"})
    # The right password is refused too while the lock holds.
    response = client.post(url, {"username": "awa", "password": "Sahel-pass-2024"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password_opens_the_home_page(client: Any) -> None:
    UserFactory.create(username="awa", role=Role.COMMISSION_OFFICER)
    response = client.post(reverse("accounts:login"), {"username": "awa", "password": "Sahel-pass-2024"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("programme:home")
    assert response.status_code == 200


def test_administrators_maintain_the_watch_list_but_only_read_rule_sets_in_the_admin(
    admin_client: Any, commission_client: Any
) -> None:
    from ddr.models import RuleSet, WatchlistEntry

    from .factories import RuleSetFactory

    response = admin_client.post(
        reverse("admin:ddr_watchlistentry_add"),
        {
            "name": "Hamadoun Ag Issa",
            "aliases": "Amadou Ag Issa",
            "birth_year": "1979",
            "reason": "HRDDP",
            "active": "on",
        },
    )
    assert response.status_code == 302 and WatchlistEntry.objects.get().aliases == "Amadou Ag Issa"
    assert commission_client.get(reverse("admin:ddr_watchlistentry_changelist")).status_code == 302

    # Rule sets change only through their screens (drafts, checks, recompute): read-only here.
    ruleset = RuleSetFactory.create()
    assert admin_client.get(reverse("admin:ddr_ruleset_changelist")).status_code == 200
    url = reverse("admin:ddr_ruleset_change", args=[ruleset.pk])
    admin_client.post(url, {"name": "Changé", "min_age": "12"})
    assert RuleSet.objects.get(pk=ruleset.pk).min_age == 18
    assert (
        admin_client.post(reverse("admin:ddr_ruleset_delete", args=[ruleset.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_the_focal_point_never_reads_the_register(client: Any) -> None:
    """The protection focal point reads the sensitive grievances, nothing of the register: every
    page and endpoint, walked with the person's own id, names nobody."""
    person = CombatantFactory.create(region=region("GAO"), family_name="Zzfocalxq")
    client.force_login(UserFactory.create(role=Role.FOCAL_POINT))
    ids = {"pk": str(person.pk)}
    seen = []
    for name, url in _all_named_urls():
        if name.startswith("admin:") or name in PUBLIC:
            continue
        url = url.replace("/1/", f"/{ids['pk']}/")
        response = client.get(url)
        assert response.status_code < 500, url
        if "zzfocalxq" in response.content.decode("utf-8", "replace").lower():
            seen.append(url)
    assert seen == []
    # A search is refused outright (a page would echo the words searched, not a person).
    assert client.get("/personnes/?q=Zzfocalxq").status_code == 403
    assert client.get(reverse("ddr:person-detail", args=[person.pk])).status_code in (403, 404)
