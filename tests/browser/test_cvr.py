"""A commission officer takes a CVR project from draft to its M&E visit in French, registers its
beneficiaries, and sees the worker's mix flag: no ex-combatant among them, against the 60/40 rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from cvr.models import Project, ProjectEvent

from ..factories import PartnerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = [
    ("Soumis", "ONG"),
    ("Approuvé par le comité local d'examen", "Comité local d'examen de Gao"),
    ("Approuvé par le comité d'évaluation des projets (PAC)", "PAC, Bamako"),
    ("Approuvé par le gouverneur", "Gouverneur de Gao"),  # since August 2022
    ("Participants vérifiés (droits de l'homme)", "Section des droits de l'homme"),
    ("En exécution", "CNDDR"),
    ("Achevé", "CNDDR"),
]


def test_project_from_draft_to_me_visit_with_the_mix_flag(
    page: Page, live_server: Any, celery_worker_process: Any
) -> None:
    UserFactory.create(
        username="seydou", first_name="Seydou", last_name="Keïta", role=Role.COMMISSION_OFFICER
    )
    PartnerFactory.create(name="Association Sahel Paix et Développement")
    start = timezone.localdate() - dt.timedelta(days=30)

    page.goto(live_server.url + "/")
    page.get_by_label("Nom d'utilisateur").fill("seydou")
    page.get_by_label("Mot de passe").fill("Sahel-pass-2024")
    page.get_by_test_id("login-submit").click()
    page.goto(live_server.url + "/rvc/nouveau/")
    page.get_by_label("Code").fill("RVC-2026-099")
    page.get_by_label("Intitulé").fill("Maraîchage à Ansongo")
    page.get_by_label("Type").select_option(label="Agriculture et maraîchage")
    page.get_by_label("Région").select_option(label="Gao")
    page.get_by_label("Partenaire").select_option(label="Association Sahel Paix et Développement")
    page.get_by_label("Budget (USD)").fill("45000")
    page.get_by_label("Début prévu").fill(start.isoformat())
    page.get_by_label("Fin prévue").fill((start + dt.timedelta(days=300)).isoformat())
    page.get_by_label("Bénéficiaires ciblés").fill("120")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("alert")).to_contain_text("RVC-2026-099 enregistré comme brouillon")
    expect(page.get_by_test_id("project-status")).to_have_text("Brouillon")

    for label, body in STEPS:
        form = page.get_by_test_id("advance")
        form.get_by_label("Étape suivante").select_option(label=label)
        form.get_by_label("Instance de décision").fill(body)
        form.get_by_role("button", name="Enregistrer l'étape").click()
        expect(page.get_by_test_id("project-status")).to_have_text(label)
    expect(page.get_by_test_id("sop")).to_contain_text("SOP RVC du 1er mai 2023")
    expect(page.get_by_test_id("me-visit")).to_contain_text("due le")

    # Two community members and no ex-combatant: the worker flags the mix (it informs, never blocks).
    for name, sex in (("Aminata Touré", "F"), ("Moussa Cissé", "M")):
        add = page.get_by_test_id("add-beneficiary")
        add.get_by_label("Nature").select_option(label="Membre de la communauté")
        add.get_by_label("Nom (membre de la communauté)").fill(name)
        add.get_by_label("Sexe").select_option(value=sex)
        add.get_by_label("Tranche d'âge").select_option(value="18-24")
        add.get_by_role("button", name="Ajouter").click()
        expect(page.get_by_test_id("beneficiaries")).to_contain_text(name)
    flag = page.get_by_test_id("mix-flag")
    for _ in range(40):  # the worker recomputes the mix when each change commits
        if flag.count() and "des 2 bénéficiaires" in flag.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_test_id("mix-flag")).to_contain_text("Les ex-combattants sont 0 % des 2 bénéficiaires")
    expect(page.get_by_test_id("mix")).to_contain_text("Femmes")

    form = page.get_by_test_id("advance")
    form.get_by_label("Étape suivante").select_option(label="Visite de suivi-évaluation faite")
    form.locator("select[name=me_mode]").select_option(label="Rapport à distance (insécurité)")
    form.get_by_label("Source du rapport à distance").fill("Rapport de l'ONG et des bénéficiaires")
    form.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.get_by_test_id("project-status")).to_have_text("Visite de suivi-évaluation faite")
    expect(page.get_by_test_id("me-visit")).to_contain_text("Rapport à distance (insécurité)")

    project = Project.objects.get(code="RVC-2026-099")
    assert project.status == Project.Status.VISITED and project.mix_flags == ["mix"]
    assert (project.beneficiaries_community, project.beneficiaries_women) == (2, 1)
    assert ProjectEvent.objects.filter(project=project).count() == len(STEPS) + 1  # and the visit
    assert project.history.filter(history_user__username="seydou").count() >= 7
