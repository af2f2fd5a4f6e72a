"""CVR participants vetted against the watch-list like the register (the report's own case: CVR
participants checked against the "wanted list"): matched when they join, reviewed by the Human
Rights section, and the local review committee approves only a project whose participants are
cleared. A confirmed participant stays on record, no longer counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from core.models import Job
from cvr import imports, services
from cvr.models import Beneficiary, BeneficiaryImport, ParticipantMatch, Project
from cvr.services import CVRRefused
from ddr.models import Pathway, VettingMatch, VettingStatus, WatchlistEntry

from ..factories import CombatantFactory, ProjectFactory

pytestmark = pytest.mark.django_db

S = Project.Status
DAY = dt.date(2024, 3, 1)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def wanted(db: Any) -> WatchlistEntry:
    return WatchlistEntry.objects.create(
        name="Hamadou Ag Khallini", aliases="Abou Hamadou", birth_year=1985, reason="Enlèvements"
    )


@pytest.fixture
def project(db: Any) -> Project:
    return ProjectFactory.create(status=S.SUBMITTED)


def _add(project: Project, by: User, name: str, sex: str = "M") -> Beneficiary:
    return services.beneficiary_add(project=project, by=by, name=name, sex=sex, age_band="25-35")


def test_a_participant_close_to_the_watch_list_waits_for_review_and_holds_the_local_review(
    commission_officer: User, wanted: WatchlistEntry, project: Project
) -> None:
    suspect = _add(project, commission_officer, "Hamadou Ag Khalini")  # one letter apart
    other = _add(project, commission_officer, "Aminata Touré", "F")
    assert (suspect.vetting_status, other.vetting_status) == (VettingStatus.PENDING, VettingStatus.CLEAR)
    (match,) = ParticipantMatch.objects.all()
    assert match.entry == wanted and match.matched_name == "Hamadou Ag Khallini" and match.score >= 88

    with pytest.raises(CVRRefused, match="1 participant is not yet cleared against the watch-list"):
        services.project_advance(project=project, to=S.LOCAL_REVIEW, on=DAY, by=commission_officer)
    project.refresh_from_db()
    assert project.status == S.SUBMITTED and not project.events.filter(status=S.LOCAL_REVIEW).exists()

    services.participant_match_review(
        match=match, status=VettingMatch.Status.CONFIRMED, reason="Même personne", by=commission_officer
    )
    suspect.refresh_from_db()
    assert suspect.vetting_status == VettingStatus.CONFIRMED
    assert suspect.history.first().history_user == commission_officer
    with pytest.raises(CVRRefused, match="already been decided"):
        services.participant_match_review(match=match, status="cleared", reason="", by=commission_officer)

    # Excluded: on record, out of the mix; the committee may now approve.
    services.mix_refresh([project.pk])
    project.refresh_from_db()
    assert (project.beneficiaries_community, project.beneficiaries_women) == (1, 1)
    assert Beneficiary.objects.filter(pk=suspect.pk).exists()
    services.project_advance(project=project, to=S.LOCAL_REVIEW, on=DAY, by=commission_officer)


def test_ex_combatants_are_vetted_in_the_register(commission_officer: User, project: Project) -> None:
    person = CombatantFactory.create(pathway=Pathway.REINSERTION)
    assert person.vetting_status == VettingStatus.NOT_VETTED
    services.beneficiary_add(project=project, by=commission_officer, person=person, age_band="25-35")
    person.refresh_from_db()
    assert person.vetting_status == VettingStatus.CLEAR  # no entry near the name: cleared
    assert services.unvetted_participants(project) == 0


def test_an_imported_file_is_matched_on_import(
    commission_officer: User, wanted: WatchlistEntry, project: Project
) -> None:
    job = Job.objects.create(kind="cvr-beneficiaries", created_by=commission_officer)
    record = BeneficiaryImport.objects.create(
        job=job, project=project, filename="b.csv", created_by=commission_officer
    )
    text = "type;nom;sexe;tranche d'âge\ncommunauté;Abou Hamadou;M;25-35\ncommunauté;Fanta Diarra;F;18-24\n"
    record.file.save("b.csv", ContentFile(text.encode()), save=True)
    imports.beneficiaries_import(record.pk)
    statuses = dict(Beneficiary.objects.values_list("name", "vetting_status"))
    assert statuses == {"Abou Hamadou": VettingStatus.PENDING, "Fanta Diarra": VettingStatus.CLEAR}
    assert ParticipantMatch.objects.get().matched_name == "Abou Hamadou"  # the alias matched


def test_the_project_page_shows_the_matches_to_those_who_vet_and_refuses_the_others(
    commission_client: Client,
    gao_client: Client,
    analyst_client: Client,
    commission_officer: User,
    wanted: WatchlistEntry,
    project: Project,
) -> None:
    _add(project, commission_officer, "Hamadou Ag Khalini")
    page = reverse("cvr:project-detail", args=[project.pk])
    shown = commission_client.get(page).content.decode()
    assert 'data-testid="participant-matches"' in shown and "Hamadou Ag Khallini" in shown
    assert "Hamadou" not in analyst_client.get(page).content.decode()  # analysts: no names
    match = ParticipantMatch.objects.get()
    review = reverse("cvr:participant-match-review", args=[match.pk])
    # A regional officer neither screens nor decides (the Human Rights section does, nationally).
    assert gao_client.post(reverse("cvr:participants-screen", args=[project.pk])).status_code == 403
    assert gao_client.post(review, {"status": "cleared", "reason": "x"}).status_code == 403
    assert analyst_client.post(review, {"status": "cleared", "reason": "x"}).status_code == 403
    match.refresh_from_db()
    assert match.status == VettingMatch.Status.PENDING
    done = commission_client.post(review, {"status": "cleared", "reason": "Autre génération"})
    assert done.status_code == 302 and done["Location"].endswith("#vetting")
    match.refresh_from_db()
    assert (match.status, match.reviewed_by) == (
        VettingMatch.Status.CLEARED,
        User.objects.get(username=commission_officer.username),
    )
    assert Beneficiary.objects.get().vetting_status == VettingStatus.CLEAR
