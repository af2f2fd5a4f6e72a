"""The offline field app, in French: installed (service worker controlling the page), it registers
two people and checks one into a site with no network, then syncs and shows the registration
numbers; a field changed on the device and on the server becomes a conflict a reviewer resolves;
IndexedDB holds no readable name; the page fits a phone's width."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import Role
from cantonment.models import CantonmentStay, Site
from cantonment.sites import services as sites
from ddr.models import Combatant
from ddr.registration import services as registration
from programme.offline import services as offline
from programme.offline.models import Device, SyncConflict

from ..factories import CombatantFactory, SiteFactory, UserFactory, region
from .test_walk import AXE, SERIOUS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sahel-pass-2024"


def _camera_picture() -> bytes:
    """What the device's camera gives, as far as the app is concerned: a small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(out, format="PNG")
    return out.getvalue()


# Every value IndexedDB holds, as text: each store's keys and values (ciphertext as bytes).
READ_INDEXEDDB = """async () => {
  const out = [];
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, ko) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = ko; });
    for (const name of db.objectStoreNames) {
      const store = db.transaction(name).objectStore(name);
      const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()].map(
        (r) => new Promise((ok) => { r.onsuccess = () => ok(r.result); })));
      const text = (v) => {
        if (v instanceof Uint8Array || v instanceof ArrayBuffer) return new TextDecoder("latin1").decode(v);
        if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => k + ":" + text(x)).join(" ");
        return String(v);
      };
      out.push(...keys.map(String), ...values.map(text));
    }
    db.close();
  }
  return out.join("\\n");
}"""


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()


def _install(page: Page, url: str, username: str) -> None:
    """Signs in, opens the app from the menu, sets the device up with the password and waits until
    the service worker controls the page (what 'installed' means to the browser)."""
    _sign_in(page, url, username)
    page.get_by_test_id("nav-registration").click()
    page.get_by_test_id("nav-offline-app").click()
    expect(page).to_have_url(re.compile(r"/hors-ligne/$"))
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # a page opened before the worker was active is controlled from its next load
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (encore)").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("last-sync")).not_to_have_text("jamais")  # set up online: synced at once


def _register(page: Page, family: str, given: str, *, photo: bool = False, nina: str = "") -> str:
    page.get_by_role("tab", name="Enregistrer une personne").click()
    form = page.get_by_role("tabpanel")  # the open tab's: the person's card has its own "Nom"
    form.get_by_label("Nom", exact=True).fill(family)
    form.get_by_label("Prénom").fill(given)
    form.get_by_label("Sexe").select_option("M")
    form.get_by_label("Année de naissance").fill("1990")
    form.get_by_label("Région").select_option("GAO")
    form.get_by_label("Mouvement").select_option("MNLA")
    form.get_by_label("Catégorie").select_option("combatant_armed")
    if nina:
        form.get_by_label("Pièce d'identité", exact=True).select_option("nina")
        form.get_by_label("Numéro de pièce", exact=True).fill(nina)
    if photo:
        form.get_by_label("Photo").set_input_files(
            {"name": "photo.png", "mimeType": "image/png", "buffer": _camera_picture()}
        )
    message = page.get_by_test_id("offline-message")
    before = message.inner_text()  # the last registration's message, until this one replaces it
    page.get_by_test_id("register-submit").click()
    expect(message).to_contain_text("numéro temporaire T-")
    if before:
        expect(message).not_to_have_text(before)
    number = re.search(r"T-[0-9A-F]{4}-\d{4}", message.inner_text())
    assert number
    return number.group(0)


def _search(page: Page, text: str) -> None:
    page.get_by_role("tab", name="Rechercher").click()
    page.get_by_label("Nom, numéro d'enregistrement ou numéro temporaire").fill(text)


def test_registers_and_checks_in_offline_then_sync_gives_registration_numbers(
    page: Page, context: BrowserContext, live_server: Any
) -> None:
    UserFactory.create(username="aminata", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    site = SiteFactory.create(
        name="Site de Fafa", region=region("GAO"), capacity=50, status=Site.Status.OPERATIONAL
    )
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    _install(page, live_server.url, "aminata")
    expect(page.get_by_test_id("net-status")).to_contain_text("En ligne")

    context.set_offline(True)
    response = page.reload()  # the page itself now comes from the service worker's cache
    assert response is not None and response.from_service_worker
    expect(page.get_by_test_id("net-status")).to_contain_text("Hors ligne")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_test_id("unlock").click()

    first = _register(page, "Ag Intalla", "Mohamed", photo=True)
    second = _register(page, "Walet Mint", "Fatouma", nina="NINA-20261201")
    expect(page.get_by_test_id("pending-count")).to_have_text("2")

    _search(page, "intalla")
    page.get_by_test_id("person-result").filter(has_text="Ag Intalla").click()
    expect(page.get_by_test_id("person-number")).to_contain_text(first)
    page.get_by_text("Entrée ou sortie d'un site").click()
    page.locator("#check-in-site").select_option(label="Site de Fafa (0 places occupées sur 50)")
    page.get_by_test_id("check-in-submit").click()
    expect(page.get_by_test_id("person-site")).to_have_text("Sur le site : Site de Fafa")
    expect(page.get_by_test_id("pending-count")).to_have_text("3")
    assert not Combatant.objects.exists()  # nothing reached the server

    context.set_offline(False)
    expect(page.get_by_test_id("net-status")).to_contain_text("En ligne")
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("offline-message")).to_contain_text("Synchronisé")
    expect(page.get_by_test_id("pending-count")).to_have_text("0")

    people = {p.family_name: p for p in Combatant.objects.all()}
    assert list(people["Walet Mint"].documents.values_list("kind", "number")) == [("nina", "NINA-20261201")]
    assert set(people) == {"Ag Intalla", "Walet Mint"}
    assigned = page.get_by_test_id("assigned")
    for person, temp in ((people["Ag Intalla"], first), (people["Walet Mint"], second)):
        assert re.fullmatch(r"GAO-\d{7}-\d", person.registration_number)
        expect(assigned).to_contain_text(f"{temp} → {person.registration_number}")
    assert people["Ag Intalla"].photo
    stay = CantonmentStay.objects.get()
    assert (stay.combatant_id, stay.site_id) == (people["Ag Intalla"].pk, site.pk)

    _search(page, "walet")
    expect(page.get_by_test_id("result-number")).to_have_text(people["Walet Mint"].registration_number)
    assert errors == []


def test_a_field_changed_on_the_device_and_on_the_server_is_resolved_on_the_conflict_screen(
    page: Page, context: BrowserContext, live_server: Any
) -> None:
    officer = UserFactory.create(username="aminata", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    bamako = UserFactory.create(username="bamako", role=Role.COMMISSION_OFFICER)
    person = CombatantFactory.create(
        region=region("GAO"), family_name="Ag Mossa", given_name="Ibrahim", birth_year=1985
    )
    _install(page, live_server.url, "aminata")  # the person is downloaded with the versions of each field

    context.set_offline(True)
    _search(page, "mossa")
    page.get_by_test_id("person-result").click()
    page.get_by_text("Corriger la fiche").click()
    card = page.get_by_test_id("person")
    card.get_by_label("Prénom").fill("Ibrahima")  # the device's spelling
    card.get_by_label("Année de naissance").fill("1984")  # a field nobody else touches
    page.get_by_test_id("update-submit").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")

    # Meanwhile in Bamako, the same field is corrected on the server.
    registration.combatant_update(person=person, changes={"given_name": "Brahim"}, by=bamako)

    context.set_offline(False)
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    expect(page.get_by_test_id("conflicts")).to_be_visible()
    person.refresh_from_db()
    assert (person.given_name, person.birth_year) == ("Brahim", 1984)  # the other field merged, not lost
    conflict = SyncConflict.objects.get()
    assert (conflict.field, conflict.device_value, conflict.server_value) == (
        "given_name",
        "Ibrahima",
        "Brahim",
    )

    page.get_by_role("link", name="Voir les conflits").click()
    expect(page).to_have_url(re.compile(r"/hors-ligne/conflits/$"))
    page.get_by_role("link", name="Trancher", exact=True).click()
    expect(page.get_by_test_id("device-value")).to_have_text("Ibrahima")
    expect(page.get_by_test_id("server-value")).to_have_text("Brahim")
    page.get_by_label("Valeur à retenir").select_option(label="Une valeur combinée")
    page.get_by_label("Valeur combinée").fill("Ibrahima dit Brahim")
    page.get_by_test_id("conflict-form").get_by_role("button").click()
    expect(page.get_by_role("alert").first).to_contain_text("Conflit tranché")

    person.refresh_from_db()
    assert person.given_name == "Ibrahima dit Brahim"
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolved_by) == (SyncConflict.Status.RESOLVED, officer)
    assert person.history.first().history_user == officer  # the choice is audited

    # The device learns the decided value at its next sync.
    page.goto(live_server.url + "/hors-ligne/")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("offline-message")).to_contain_text("Synchronisé")
    _search(page, "mossa")
    expect(page.get_by_test_id("person-result")).to_have_text("Ag Mossa Ibrahima dit Brahim")


def test_a_refused_check_in_stays_shown_with_its_reason_until_acknowledged(
    page: Page, context: BrowserContext, live_server: Any
) -> None:
    UserFactory.create(username="aminata", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    site = SiteFactory.create(
        name="Site de Fafa",
        region=region("GAO"),
        capacity=1,
        places_for_women=0,
        status=Site.Status.OPERATIONAL,
    )
    CombatantFactory.create(region=region("GAO"), family_name="Ag Ewangaye")
    other = CombatantFactory.create(region=region("GAO"), family_name="Ould Sidi")
    _install(page, live_server.url, "aminata")

    context.set_offline(True)
    _search(page, "ewangaye")
    page.get_by_test_id("person-result").click()
    page.get_by_text("Entrée ou sortie d'un site").click()
    page.locator("#check-in-site").select_option(label="Site de Fafa (0 places occupées sur 1)")
    page.get_by_test_id("check-in-submit").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    # Meanwhile the last place is taken on the server.
    sites.check_in(
        person=other, site=site, on=timezone.localdate(), by=UserFactory.create(role=Role.ADMINISTRATOR)
    )

    context.set_offline(False)
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    expect(page.get_by_test_id("refusal-count")).to_have_text("1")
    page.get_by_role("tab", name=re.compile("Modifications refusées")).click()
    refusal = page.get_by_test_id("refusal")
    expect(refusal).to_contain_text("Ag Ewangaye")
    expect(refusal).to_contain_text("complet")
    page.get_by_test_id("sync").click()  # still there after another sync: the server keeps it too
    expect(page.get_by_test_id("offline-message")).to_contain_text("Synchronisé")
    expect(page.get_by_test_id("refusal")).to_have_count(1)

    refusal.get_by_role("button", name="J'en prends acte").click()
    expect(page.get_by_test_id("refusal")).to_have_count(0)
    expect(page.get_by_test_id("refusal-count")).to_have_text("0")
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("offline-message")).to_contain_text("Synchronisé")
    expect(page.get_by_test_id("refusal")).to_have_count(0)  # acknowledged on the server as well
    assert not CantonmentStay.objects.filter(site=site).exclude(combatant=other).exists()


def test_indexeddb_holds_no_readable_name(page: Page, context: BrowserContext, live_server: Any) -> None:
    UserFactory.create(username="aminata", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    _install(page, live_server.url, "aminata")
    context.set_offline(True)
    _register(page, "Tinaouatene", "Souleymane", photo=True)
    page.reload()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    _search(page, "tinaouatene")
    expect(page.get_by_test_id("person-result")).to_have_text("Tinaouatene Souleymane")

    stored = page.evaluate(READ_INDEXEDDB)
    assert len(stored) > 100  # the records are there...
    for word in ("Tinaouatene", "tinaouatene", "TINAOUATENE", "Souleymane", "GAO"):
        assert word not in stored  # ...and none of them is readable

    # The wrong password opens nothing.
    page.get_by_role("button", name="Verrouiller").click()
    page.get_by_label("Mot de passe", exact=True).fill("Autre-mot-de-passe")
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("offline-message")).to_contain_text("Mot de passe erroné")


def test_a_device_locks_itself_without_sync_and_wipes_itself_when_revoked(
    page: Page, live_server: Any
) -> None:
    officer = UserFactory.create(username="aminata", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    CombatantFactory.create(region=region("GAO"), family_name="Ag Attaher")
    _install(page, live_server.url, "aminata")
    _search(page, "attaher")
    expect(page.get_by_test_id("person-result")).to_have_count(1)

    # Eight days later (the setting says 7) with no sync: the work is closed until it syncs.
    page.clock.set_system_time(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=8))
    page.get_by_role("button", name="Verrouiller").click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("locked")).to_contain_text("plus de 7 jours")
    expect(page.get_by_test_id("person-result")).to_have_count(0)

    # An administrator revokes the device: at its next contact it erases everything it holds.
    offline.device_revoke(
        device=Device.objects.get(user=officer), by=UserFactory.create(role=Role.ADMINISTRATOR)
    )
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("wiped")).to_contain_text("effacées")
    assert page.evaluate("indexedDB.databases().then((found) => found.length)") == 0


def test_offline_app_fits_a_phone(page: Page, live_server: Any) -> None:
    UserFactory.create(username="aminata", role=Role.REGIONAL_OFFICER, region=region("GAO"))
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server.url, "aminata")
    page.goto(live_server.url + "/hors-ligne/")
    expect(page.get_by_test_id("unlock")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (encore)").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    page.get_by_role("tab", name="Enregistrer une personne").click()
    expect(page.get_by_test_id("register-submit")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate(AXE)  # evaluated, not a <script>: the CSP allows no inline script
    assert page.evaluate(SERIOUS) == []
