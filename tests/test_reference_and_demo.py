from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from cantonment.models import (
    CantonmentStay,
    CustodyEvent,
    Handover,
    InventoryItem,
    InventoryMovement,
    Site,
    SiteHeadcount,
    StockCheck,
    StorageLocation,
    WamItem,
)
from core.models import Cercle, Region
from cvr.models import (
    Beneficiary,
    Committee,
    CommunityConsultation,
    Consortium,
    Partner,
    Project,
    ProjectEvent,
)
from ddr.models import (
    ArmedGroup,
    Category,
    Combatant,
    DeclaredWeapon,
    DuplicatePair,
    IdentityDocument,
    ListEntry,
    SubmittedList,
)
from ddr.registration.rules import is_valid_registration_number, luhn_digit, registration_number
from integration.models import (
    Candidate,
    Cohort,
    ComplianceCheck,
    Intake,
    Membership,
    Patrol,
    Placement,
    PlacementStep,
    Reclassification,
    Unit,
)

pytestmark = pytest.mark.django_db


def test_regions_include_menaka_and_taoudenit_with_their_cercles() -> None:
    names = set(Region.objects.values_list("name", flat=True))
    assert {"Gao", "Kidal", "Tombouctou", "Mopti", "Ménaka", "Taoudénit", "District de Bamako"} <= names
    assert Cercle.objects.filter(region__code="MEN", name="Andéramboukane").exists()
    assert Cercle.objects.filter(region__code="KOU", name="Kati").exists()


def test_groups_belong_to_coalitions_and_changes_are_dated() -> None:
    mnla = ArmedGroup.objects.get(code="MNLA")
    assert mnla.coalition_on(dt.date(2019, 1, 1)).code == "CMA"
    assert mnla.listed_for_child_recruitment
    # The CPA split from the MNLA on 18 March 2014 and is in the Platform from 14 June 2014.
    cpa = ArmedGroup.objects.get(code="CPA")
    assert cpa.split_from.code == "MNLA" and cpa.coalition_on(dt.date(2014, 6, 13)) is None
    assert cpa.coalition_on(dt.date(2014, 6, 14)).code == "PLATEFORME"
    assert ArmedGroup.objects.get(code="CMFPR-2").split_from.code == "CMFPR"
    assert ArmedGroup.objects.filter(kind=ArmedGroup.Kind.MILITIA).exists()


@pytest.mark.parametrize("body", ["0000001", "1234567", "0002979"])
def test_registration_number_check_digit_catches_single_digit_typos(body: str) -> None:
    number = registration_number("GAO", int(body))
    assert is_valid_registration_number(number)
    for i in range(len(body)):
        for d in "0123456789":
            if d != body[i]:
                typo = body[:i] + d + body[i + 1 :]
                assert luhn_digit(typo) != luhn_digit(body)


def test_seed_demo_builds_the_domain_figures_and_is_deterministic_and_idempotent() -> None:
    out = StringIO()
    call_command("seed_demo", people=400, stdout=out)
    assert "Identifiants (mot de passe pour tous : Bamako-2015!)" in out.getvalue()
    assert "agent régional, Gao" in out.getvalue()
    # About one in sixty registered people is listed again by another movement (the duplicates demo).
    again = ListEntry.objects.filter(submitted_list__title__startswith="Liste complémentaire").count()
    assert 0 < again < 10 and Combatant.objects.count() == 400 + again
    assert DuplicatePair.objects.filter(status="open").count() >= again * 0.8
    first = list(
        Combatant.objects.order_by("registration_number").values_list(
            "registration_number", "family_name", "category"
        )[:20]
    )
    assert Site.objects.filter(kind=Site.Kind.CANTONMENT).count() == 24
    built = set(Site.objects.filter(status=Site.Status.BUILT).values_list("name", flat=True))
    assert built == {"Likrakar", "Fafa", "Inékar", "Ber", "Tessalit", "Tin Fatimata", "Ilouk", "Tabankort"}
    assert Site.objects.get(name="Camp de transit de Kati").capacity == 250
    assert Site.objects.filter(kind=Site.Kind.PRE_CANTONMENT, region__code="KID").count() == 3
    assert set(
        Unit.objects.filter(kind__in=["batfar", "company"]).values_list("region__code", flat=True)
    ) == {"GAO", "KID", "TBK", "MEN"}
    # Integration: mixed units by party, the autumn 2023 departures (every CMA member of the Kidal
    # BATFAR, three of the Gao MOC), the reported figures of 2018-2020 over the four units.
    kidal_cma = Membership.objects.filter(unit__name="BATFAR Kidal", party="cma").count()
    assert kidal_cma and Membership.objects.filter(leaving="deserted", end__year=2023).count() == kidal_cma + 3
    reported = [
        sum(getattr(c, f"reported_{figure}") for c in Cohort.objects.exclude(reported_fit=None))
        for figure in ("registered", "biometric", "fit", "unfit")
    ]
    assert reported == [1423, 2300, 1765, 430]
    assert Candidate.objects.filter(status="assigned").exists() and ComplianceCheck.objects.exists()
    # The other pathways into the State (roadmap 2020, items 7, 13, 15; report 3.2.2): ex-MDSF
    # recalled to their corps, civilian cadres in the civil service, defectors "recruited"; the
    # report gives no figure for them, and each intake's note says the demo invented them.
    assert Placement.objects.filter(intake__structure="recall", status="reinstated").exists()
    assert Placement.objects.filter(intake__structure="civil_service").exists()
    assert Intake.objects.filter(structure="recruitment").exists()
    assert all(note.startswith("Démo") for note in Intake.objects.values_list("note", flat=True))

    # CVR: the report's yearly record, and this year's projects taken through the lifecycle.
    from cvr import selectors as cvr_selectors

    record = {r.year: r for r in cvr_selectors.yearly_record(Project.objects.all())}
    early = [record["2013-2014"], record["2014-2015"]]
    assert sum(r.projects for r in early) == 11 and sum(r.budget_usd for r in early) == 466_000
    assert sum(r.reached for r in early) == 38_000 and sum(r.reached_women for r in early) == 11_438
    for year in range(2015, 2021):
        row = record[f"{year}-{year + 1}"]
        assert (row.projects, row.budget_usd, row.reached, row.reached_women) == (
            30,
            3_000_000,
            52_416,
            25_415,
        )
    assert (record["2021-2022"].projects, record["2021-2022"].reached, record["2021-2022"].reached_women) == (
        38,
        33_522,
        16_666,
    )
    last = record["2022-2023"]
    assert (last.projects, last.targeted, last.targeted_women, last.reached, last.reached_women) == (
        34,
        26_804,
        12_952,
        21_126,
        10_222,
    )
    assert Project.objects.get(code="RVC-2026-001").consortium.members.count() == 3
    assert Project.objects.get(code="RVC-2026-003").me_flag == "due_soon"
    assert Project.objects.filter(me_flag="overdue").exists()
    assert "mix" in Project.objects.get(code="RVC-2026-001").mix_flags
    assert Combatant.objects.filter(category=Category.CHILD, status=Combatant.Status.REFERRED).exists()
    # Demo rows are audited like any other: each person's creation, then the 2018 rules' decision.
    assert Combatant.history.filter(history_type="+").count() == 400 + again
    decided = Combatant.objects.exclude(pathway__in=["", "pending", "child_referral"]).count()
    assert decided > 200
    assert (
        Combatant.history.filter(history_type="~", history_change_reason__startswith="rule set").count()
        >= decided
    )
    assert not Combatant.objects.filter(category=Category.CHILD).exclude(pathway="child_referral").exists()
    mnla = SubmittedList.objects.filter(movement__code="MNLA").order_by("version")
    assert [lst.version for lst in mnla] == [1, 2] and mnla[1].previous == mnla[0]
    assert DeclaredWeapon.objects.count() == Combatant.objects.filter(has_weapon=True).count()
    assert IdentityDocument.objects.exists() and ListEntry.objects.exists()

    # Cantonment: sites with their lifecycle, people at Kati, weapons handed in, equipment.
    kati = Site.objects.get(name="Camp de transit de Kati")
    assert 0 < kati.occupancy <= kati.capacity
    assert kati.occupancy == CantonmentStay.objects.filter(site=kati, checked_out_on__isnull=True).count()
    assert CantonmentStay.objects.filter(flag="overstay").exists()
    assert CantonmentStay.objects.filter(flag="ending_soon").exists()
    assert all(site.events.count() == 4 for site in Site.objects.filter(status=Site.Status.BUILT))
    assert WamItem.objects.filter(declared__isnull=False).exists()
    assert WamItem.objects.filter(status=WamItem.Status.DESTROYED).exists()
    assert InventoryItem.objects.count() > 100
    # Every container handed over to the Malian authorities at the exit, each region's with its receipt.
    assert not InventoryItem.objects.filter(handover=None).exists()
    assert Handover.objects.count() == 5 and all(h.receipt_sha256 for h in Handover.objects.all())

    # Reinsertion and reintegration (section 3.3.1): volunteers of 2021 paid, followed up and
    # mostly reintegrated; the unfit and the FAGA women enrolled.
    from ddr.models import Enrolment, PaymentBatch

    assert PaymentBatch.objects.filter(status="reconciled").exists()
    assert Combatant.objects.filter(status=Combatant.Status.REINTEGRATED).exists()
    assert Enrolment.objects.filter(package__code="faga", combatant__category="woman_associated").exists()
    assert not Enrolment.objects.filter(package__code="faga").exclude(combatant__sex="F").exists()
    assert Enrolment.objects.filter(status="dropped").count() == 1
    # Grievances and appeals drawn from the report's disputes; consent recorded for most people.
    from django.db.models import Q

    from ddr.models import Appeal, ConsentRecord, Grievance

    assert Grievance.objects.filter(category="sea").exists()
    assert Grievance.objects.filter(status="resolved").exists()
    assert Grievance.objects.filter(Q(acknowledge_overdue=True) | Q(answer_overdue=True)).exists()
    assert Appeal.objects.filter(status="overturned").exists() and Appeal.objects.filter(kind="medical").exists()
    assert ConsentRecord.objects.filter(outcome="refused").exists()

    call_command("seed_demo", people=400, stdout=StringIO())  # again: nothing new
    assert Combatant.objects.count() == 400 + again
    # Records with history are protected from deletion: the test removes each part before its whole.
    from cantonment.models import SiteEvent, StockCheckLine
    from ddr.models import (
        AgeAssessment,
        ChildReferral,
        ConsentWithdrawal,
        GrievanceEvent,
        MedicalExam,
        Merge,
        VettingMatch,
    )

    for accountability in (GrievanceEvent, Grievance, Appeal, ConsentWithdrawal, ConsentRecord):
        accountability.objects.all().delete()  # they name lists, sites, payments and people
    Combatant.objects.update(merged_into=None)  # a merged record points at the one kept (protected)
    ListEntry.objects.all().delete()
    SubmittedList.objects.filter(version=2).delete()  # versions point at their predecessor (protected)
    from ddr import models as ddr_models

    reintegration = [
        getattr(ddr_models, name)
        for name in (
            "Distribution",
            "PaymentLine",
            "StatementImport",
            "Statement",
            "PaymentBatch",
            "FollowUp",
            "Entitlement",
            "Enrolment",
            "Component",
            "Package",
            "FundingSource",
            "Choice",
            "Profile",
            "Opportunity",
        )
    ]
    for model in (
        *reintegration,
        Merge,
        DuplicatePair,
        AgeAssessment,
        ChildReferral,
        MedicalExam,
        VettingMatch,
        StockCheckLine,
        SiteEvent,
        Reclassification,
        PlacementStep,
        Placement,
        Intake,
        Candidate,
        Cohort,
        ComplianceCheck,
        Patrol,
        Membership,
        Beneficiary,
        ProjectEvent,
        CommunityConsultation,
        Committee,
        StockCheck,
        CustodyEvent,
        WamItem,
        StorageLocation,
        CantonmentStay,
        SiteHeadcount,
        InventoryMovement,
        InventoryItem,
        Handover,
        ListEntry,
        SubmittedList,
        IdentityDocument,
        DeclaredWeapon,
        Combatant,
        Site,
        Unit,
        Project,
        Consortium,
        Partner,
    ):
        model.objects.all().delete()
    call_command("seed_demo", people=400, stdout=StringIO())  # same seed, same people
    listed_again = list(
        Combatant.objects.order_by("registration_number").values_list(
            "registration_number", "family_name", "category"
        )[:20]
    )
    assert listed_again == first
