"""CVR services against the database: consortia, the lifecycle with its SOP check, beneficiaries,
the mix on the worker, M&E alerts, and the beneficiary import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from accounts.models import User
from core.models import Job
from cvr import imports, services
from cvr.models import Beneficiary, BeneficiaryImport, Partner, Project
from cvr.services import CVRRefused
from ddr.models import Pathway, VettingStatus
from ddr.screening import services as screening

from ..factories import CombatantFactory, PartnerFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
S = Project.Status


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def sops() -> None:
    """The SOP versions come from a migration (reference data), present in every test database."""


def _walk(project: Project, steps: list[str], by: User, start: dt.date) -> None:
    for n, step in enumerate(steps):
        services.project_advance(
            project=project, to=step, on=start + dt.timedelta(days=n), by=by, decided_by="Comité"
        )


def test_consortium_of_two_or_three_local_ngos_under_one_of_them(commission_officer: Any) -> None:
    a, b, c, d = (PartnerFactory.create() for _ in range(4))
    with pytest.raises(CVRRefused, match="2 or 3 NGOs"):
        services.consortium_create(name="Solo", lead=a, members=[a], formed_on=TODAY, by=commission_officer)
    with pytest.raises(CVRRefused, match="2 or 3 NGOs"):
        services.consortium_create(
            name="Big", lead=a, members=[a, b, c, d], formed_on=TODAY, by=commission_officer
        )
    with pytest.raises(CVRRefused, match="must be one of the members"):
        services.consortium_create(
            name="Headless", lead=d, members=[a, b], formed_on=TODAY, by=commission_officer
        )
    agency = PartnerFactory.create(kind=Partner.Kind.UN_AGENCY)
    with pytest.raises(CVRRefused, match="Only local NGOs"):
        services.consortium_create(
            name="Mixed", lead=a, members=[a, agency], formed_on=TODAY, by=commission_officer
        )
    consortium = services.consortium_create(
        name="Trio", lead=a, members=[a, b, c], formed_on=TODAY, by=commission_officer
    )
    assert set(consortium.members.all()) == {a, b, c}


def test_no_step_may_be_skipped(commission_officer: Any, sops: None) -> None:
    project = ProjectFactory.create()
    with pytest.raises(CVRRefused, match="no step may be skipped"):
        services.project_advance(project=project, to=S.PAC, on=TODAY, by=commission_officer)
    project.refresh_from_db()
    assert project.status == S.DRAFT and not project.events.exists()


def test_approval_checks_the_cap_of_the_sop_in_force_that_day(commission_officer: Any, sops: None) -> None:
    project = ProjectFactory.create(budget_usd=Decimal(80_000))
    _walk(project, [S.SUBMITTED, S.LOCAL_REVIEW], commission_officer, dt.date(2019, 6, 1))
    # Under the 2019 SOP one NGO gets at most USD 50,000: refused, with the rule quoted.
    with pytest.raises(CVRRefused, match="USD 50,000"):
        services.project_advance(project=project, to=S.PAC, on=dt.date(2019, 6, 10), by=commission_officer)
    project.refresh_from_db()
    assert project.status == S.LOCAL_REVIEW and project.sop is None
    # Approved after the 2020 amendment (USD 100,000), it passes and records the SOP applied.
    services.project_advance(project=project, to=S.PAC, on=dt.date(2020, 2, 1), by=commission_officer)
    project.refresh_from_db()
    assert project.sop.name == "SOP RVC 2020" and project.approved_on == dt.date(2020, 2, 1)  # type: ignore[attr-defined]  # refreshed: no longer None


def test_sop_versions_as_the_report_tells(commission_officer: Any, sops: None) -> None:
    """CVR began in 2014 (a project of 2016 has an SOP to be approved under), and consortia were
    funded from 2020 at USD 300,000, before the 1 May 2023 SOPs wrote the practice down."""
    early = ProjectFactory.create(budget_usd=Decimal(45_000), start=dt.date(2016, 3, 1))
    _walk(early, [S.SUBMITTED, S.LOCAL_REVIEW, S.PAC], commission_officer, dt.date(2016, 3, 1))
    early.refresh_from_db()
    assert early.sop.name == "SOP RVC 2014"
    a, b = PartnerFactory.create(), PartnerFactory.create()
    trio = services.consortium_create(
        name="Duo", lead=a, members=[a, b], formed_on=dt.date(2019, 1, 1), by=commission_officer
    )
    late, soon = (
        ProjectFactory.create(partner=None, consortium=trio, budget_usd=Decimal(280_000)) for _ in range(2)
    )
    _walk(soon, [S.SUBMITTED, S.LOCAL_REVIEW], commission_officer, dt.date(2019, 6, 1))
    with pytest.raises(CVRRefused, match="consortia cannot be funded"):
        services.project_advance(project=soon, to=S.PAC, on=dt.date(2019, 6, 10), by=commission_officer)
    _walk(late, [S.SUBMITTED, S.LOCAL_REVIEW, S.PAC], commission_officer, dt.date(2021, 2, 1))
    late.refresh_from_db()
    assert late.status == S.PAC and late.sop.name == "SOP RVC 2020"


def test_water_projects_need_the_technical_assessment(commission_officer: Any, sops: None) -> None:
    project = ProjectFactory.create(kind=Project.Kind.WATER)
    _walk(
        project,
        [S.SUBMITTED, S.LOCAL_REVIEW, S.PAC, S.GOVERNOR, S.VETTED],
        commission_officer,
        dt.date(2024, 1, 1),
    )
    with pytest.raises(CVRRefused, match="technical assessment"):
        services.project_advance(
            project=project, to=S.IMPLEMENTATION, on=dt.date(2024, 2, 1), by=commission_officer
        )
    with pytest.raises(CVRRefused, match="agency"):
        services.project_advance(
            project=project, to=S.ASSESSED, on=dt.date(2024, 2, 1), by=commission_officer
        )
    services.project_advance(
        project=project,
        to=S.ASSESSED,
        on=dt.date(2024, 2, 1),
        by=commission_officer,
        technical_agency="DRH Gao",
        technical_result="Favorable",
    )
    services.project_advance(
        project=project, to=S.IMPLEMENTATION, on=dt.date(2024, 3, 1), by=commission_officer
    )
    project.refresh_from_db()
    assert project.actual_start == dt.date(2024, 3, 1)


def test_completion_sets_the_visit_one_year_later_and_the_daily_job_flags_it(
    commission_officer: Any, sops: None
) -> None:
    project = ProjectFactory.create()
    start = TODAY - dt.timedelta(days=500)
    _walk(
        project,
        [S.SUBMITTED, S.LOCAL_REVIEW, S.PAC, S.GOVERNOR, S.VETTED, S.IMPLEMENTATION],
        commission_officer,
        start,
    )
    with pytest.raises(CVRRefused, match="before the previous one"):
        # Dated before the previous step: refused by the lifecycle itself.
        services.project_advance(project=project, to=S.COMPLETED, on=start, by=commission_officer)
    done = TODAY - dt.timedelta(days=400)
    project.refresh_from_db()
    Project.objects.filter(pk=project.pk).update(actual_start=done + dt.timedelta(days=1))
    with pytest.raises(CVRRefused, match="before the start"):
        services.project_advance(project=project, to=S.COMPLETED, on=done, by=commission_officer)
    Project.objects.filter(pk=project.pk).update(actual_start=start)
    services.project_advance(project=project, to=S.COMPLETED, on=done, by=commission_officer)
    project.refresh_from_db()
    assert project.me_due_on == done + dt.timedelta(days=365) and project.me_flag == "overdue"
    with pytest.raises(CVRRefused, match="source"):
        services.project_advance(
            project=project, to=S.VISITED, on=TODAY, by=commission_officer, me_mode="remote"
        )
    services.project_advance(
        project=project,
        to=S.VISITED,
        on=TODAY,
        by=commission_officer,
        me_mode="remote",
        me_source="Rapport de l'ONG et des bénéficiaires",
    )
    project.refresh_from_db()
    assert project.me_flag == "" and project.me_mode == "remote"


def test_me_visits_daily_job(sops: None) -> None:
    due_soon = ProjectFactory.create(status=S.COMPLETED, me_due_on=TODAY + dt.timedelta(days=20))
    overdue = ProjectFactory.create(status=S.COMPLETED, me_due_on=TODAY - dt.timedelta(days=1))
    later = ProjectFactory.create(status=S.COMPLETED, me_due_on=TODAY + dt.timedelta(days=200))
    assert services.me_visits_flag(TODAY) == {"overdue": 1, "due_soon": 1, "none": 0}
    flags = dict(Project.objects.values_list("pk", "me_flag"))
    assert (flags[due_soon.pk], flags[overdue.pk], flags[later.pk]) == ("due_soon", "overdue", "")
    assert services.me_visits_flag(TODAY) == {"overdue": 0, "due_soon": 0, "none": 0}  # nothing new


def test_ex_combatant_beneficiaries_never_a_child_nor_excluded(commission_officer: Any, sops: None) -> None:
    project = ProjectFactory.create()
    fine = CombatantFactory.create(pathway=Pathway.COMMUNITY)
    excluded = CombatantFactory.create(pathway=Pathway.COMMUNITY, vetting_status=VettingStatus.CONFIRMED)
    soldier = CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY)
    child = CombatantFactory.create(pathway=Pathway.COMMUNITY)
    screening.age_assess(
        person=child, assessed_on=TODAY, evidence="acte", assessed_age=16, by=commission_officer
    )
    child.refresh_from_db()
    for person, reason in ((child, "child"), (excluded, "excluded"), (soldier, "does not lead to CVR")):
        with pytest.raises(CVRRefused, match=reason):
            services.beneficiary_add(project=project, person=person, by=commission_officer, age_band="25-35")
    services.beneficiary_add(project=project, person=fine, by=commission_officer, age_band="25-35")
    with pytest.raises(CVRRefused, match="already"):
        services.beneficiary_add(project=project, person=fine, by=commission_officer, age_band="25-35")
    assert Beneficiary.objects.count() == 1


def test_the_mix_is_counted_from_the_register_and_flagged(commission_officer: Any, sops: None) -> None:
    project = ProjectFactory.create(
        approved_on=dt.date(2024, 1, 1), committee_leaders=4, committee_leaders_women=2
    )
    for sex in "FFM":
        Beneficiary.objects.create(project=project, kind="community", name="X", sex=sex, age_band="18-24")
    Beneficiary.objects.create(
        project=project,
        kind="ex_combatant",
        combatant=CombatantFactory.create(pathway=Pathway.COMMUNITY),
        sex="M",
        age_band="36-59",
    )
    untouched = ProjectFactory.create(
        beneficiaries_community=100, beneficiaries_women=48
    )  # reported, no register
    assert services.mix_refresh() == 2
    project.refresh_from_db()
    untouched.refresh_from_db()
    assert (project.beneficiaries_ex_combatants, project.beneficiaries_community) == (1, 3)
    assert (project.beneficiaries_women, project.beneficiaries_youth, project.counts_from_register) == (
        2,
        3,
        True,
    )
    assert project.mix_flags == ["mix"]  # 25 % ex-combatants
    assert untouched.beneficiaries_community == 100 and untouched.mix_flags == ["mix"]


def _import(project: Project, user: User, text: str) -> BeneficiaryImport:
    job = Job.objects.create(kind="cvr-beneficiaries", created_by=user)
    record = BeneficiaryImport.objects.create(job=job, project=project, filename="b.csv", created_by=user)
    record.file.save("b.csv", ContentFile(text.encode()), save=True)
    imports.beneficiaries_import(record.pk)
    record.refresh_from_db()
    return record


def test_import_is_all_or_nothing_and_names_every_bad_row(commission_officer: Any, sops: None) -> None:
    project = ProjectFactory.create()
    fine = CombatantFactory.create(pathway=Pathway.REINSERTION)
    soldier = CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY)
    text = (
        "type;numéro d'enregistrement;nom;sexe;tranche d'âge;village;jeune à risque\n"
        f"ex-combattant;{fine.registration_number};;;25-35;Gao;non\n"
        "communauté;;Aminata Touré;F;18-24;Gao;oui\n"
        f"ex-combattant;{soldier.registration_number};;;25-35;Gao;non\n"
        "communauté;;;X;99;Gao;non\n"
        "inconnu;;Moussa;M;18-24;Gao;non\n"
    )
    record = _import(project, commission_officer, text)
    assert record.status == BeneficiaryImport.Status.INVALID
    assert [(e["line"], e["column"]) for e in record.errors] == [
        (4, "numéro d'enregistrement"),  # the file's own headers, never the codes
        (5, "tranche d'âge"),
        (5, "nom"),
        (5, "sexe"),
        (6, "type"),
    ]
    assert not Beneficiary.objects.exists()
    good = "\n".join(text.splitlines()[:3]) + "\n"
    record = _import(project, commission_officer, good)
    assert record.status == BeneficiaryImport.Status.DONE and record.imported == 2
    project.refresh_from_db()
    assert (
        project.beneficiaries_ex_combatants,
        project.beneficiaries_community,
        project.beneficiaries_women,
    ) == (1, 1, 1)
    assert Beneficiary.objects.get(kind="community").youth_at_risk
    assert record.job.status == Job.Status.DONE and record.job.done == 2
