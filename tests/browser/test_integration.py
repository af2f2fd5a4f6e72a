"""A commission officer runs a small cohort in French, from medical screening to assignment in a
BATFAR unit, and sees the unit's one-third figures change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from ddr.models import Combatant, Pathway
from integration import services
from integration.models import Candidate, Cohort, Party, Unit

from ..factories import CombatantFactory, UnitFactory, UserFactory, group, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_small_cohort_from_medical_screening_to_batfar(page: Page, live_server: Any) -> None:
    officer = UserFactory.create(username="seydou", role=Role.COMMISSION_OFFICER)
    batfar = UnitFactory.create(name="BATFAR Gao", kind=Unit.Kind.BATFAR, region=region("GAO"))
    # The national forces and the Platform are already there; the CMA's third is missing.
    for n in range(2):
        services.membership_start(
            unit=batfar, party=Party.FAMA, start=dt.date(2020, 2, 1), by=officer, service_number=f"FA-{n}"
        )
        services.membership_start(
            unit=batfar, party=Party.PLATFORM, start=dt.date(2020, 2, 1), by=officer, service_number=f"PL-{n}"
        )
    people = [
        CombatantFactory.create(
            pathway=Pathway.INTEGRATION_ARMY,
            status=Combatant.Status.ORIENTED,
            rank_in_movement="Capitaine",
            movement=group("MNLA"),
        )
        for _ in range(3)
    ]
    cohort = Cohort.objects.create(
        name="Gao, novembre 2026",
        region=region("GAO"),
        target_unit=batfar,
        training_start=timezone.localdate(),
    )

    page.goto(live_server.url + "/")
    page.get_by_label("Nom d'utilisateur").fill("seydou")
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    page.goto(f"{live_server.url}/integration/{cohort.pk}/")
    expect(page.get_by_test_id("strength-cma")).to_have_text("")
    expect(page.get_by_test_id("third-deviation").first).to_be_visible()

    for n, person in enumerate(people):
        page.get_by_label("Numéro d'enregistrement").fill(person.registration_number)
        page.get_by_label("Années de service").fill("10")
        page.get_by_label("Niveau d'études").select_option(label="Secondaire")
        page.get_by_role("button", name="Ajouter le candidat").click()
        expect(page.get_by_role("alert")).to_contain_text("Candidat ajouté.")
        row = page.get_by_test_id(f"candidate-{person.registration_number}")
        row.get_by_role("button", name="Inapte" if n == 2 else "Apte", exact=True).click()
        expect(row.get_by_test_id("step")).to_contain_text("Inapte" if n == 2 else "Apte")

    page.get_by_role("button", name="Commencer la formation des 2 candidats aptes").click()
    expect(page.get_by_role("alert")).to_contain_text("2 candidats ont commencé la formation.")
    for person in people[:2]:
        row = page.get_by_test_id(f"candidate-{person.registration_number}")
        row.get_by_role("button", name="Formation réussie").click()
        expect(row.get_by_test_id("step")).to_have_text("Formé")
        row.get_by_role("button", name="Affecter").click()
        expect(row.get_by_test_id("step")).to_have_text("Affecté à une unité")
        expect(row).to_contain_text("Lieutenant")
        expect(row).to_contain_text("Règle 7 : Capitaine")

    # The CMA now holds two of six places, a third: the rule is met.
    expect(page.get_by_test_id("strength-cma")).to_have_text("2")
    expect(page.get_by_test_id("third-ok")).to_be_visible()

    unfit = Combatant.objects.get(pk=people[2].pk)
    assert unfit.pathway == Pathway.REINSERTION and unfit.medical_status == "unfit"
    assert list(Candidate.objects.order_by("pk").values_list("status", flat=True)) == [
        "assigned",
        "assigned",
        "redirected",
    ]
    assert (
        Combatant.objects.filter(
            pk__in=[p.pk for p in people[:2]], status=Combatant.Status.INTEGRATED
        ).count()
        == 2
    )
