"""What the appeals tests share: one decision of each kind, made by a known user, and an appeal
filed against it and scheduled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from ddr.accountability.appeals import services
from ddr.accountability.appeals.models import Appeal
from ddr.duplicates import services as duplicates
from ddr.models import AgeAssessment, Combatant, DuplicatePair, MedicalExam, Merge, Pathway, SubmittedList
from ddr.screening import services as screening
from integration.models import Candidate, Cohort

from ...factories import CombatantFactory, UserFactory, group, region

K = Appeal.Kind
TODAY = timezone.localdate


def decider(username: str = "decideur") -> User:
    return UserFactory.create(username=username, role=Role.ADMINISTRATOR)


def medical(by: User, person: Combatant | None = None, result: str = "unfit") -> MedicalExam:
    person = person or CombatantFactory.create()
    return screening.medical_record(
        person=person,
        examined_on=TODAY() - dt.timedelta(days=30),
        examiner="Dr Coulibaly",
        result=result,
        final=True,
        by=by,
    )


def age(by: User, person: Combatant | None = None, years: int = 19) -> AgeAssessment:
    person = person or CombatantFactory.create()
    return screening.age_assess(
        person=person,
        assessed_on=TODAY() - dt.timedelta(days=30),
        evidence="Radiographie du poignet",
        assessed_age=years,
        by=by,
    )


def assigned(by: User, person: Combatant | None = None, rank: str = "Caporal") -> Candidate:
    person = person or CombatantFactory.create(pathway=Pathway.INTEGRATION_ARMY)
    cohort = Cohort.objects.create(name=f"Cohorte {person.pk}", region=region("GAO"))
    candidate = Candidate(cohort=cohort, combatant=person, status=Candidate.Status.ASSIGNED, army_rank=rank)
    candidate._history_user = by  # type: ignore[attr-defined]
    candidate.save()
    return candidate


def a_list(by: User, movement: str = "MNLA") -> SubmittedList:
    submitted = SubmittedList(
        title=f"Liste {movement}",
        movement=group(movement),
        submitted_to="cts",
        submitted_on=dt.date(2018, 5, 2),
        sha256=f"{movement}appeal".ljust(64, "0"),
        created_by=by,
    )
    submitted._history_user = by  # type: ignore[attr-defined]
    submitted.save()
    return submitted


def merged(by: User, **person: Any) -> Merge:
    first = CombatantFactory.create(given_name="Mohamed", family_name="Ag Intallah", **person)
    second = CombatantFactory.create(given_name="Muhammad", family_name="Ag Intalah", **person)
    pair = DuplicatePair.objects.create(first=first, second=second, score=0.95, agreed=[], differed=[])
    return duplicates.pair_merge(pair=pair, by=by)


def filed(kind: str, decision: int, by: User, **extra: Any) -> Appeal:
    return services.appeal_file(
        kind=kind,
        decision=decision,
        grounds="Conteste la décision.",
        filed_on=TODAY() - dt.timedelta(days=10),
        by=by,
        **extra,
    )


def scheduled(appeal: Appeal, by: User) -> Appeal:
    return services.appeal_schedule(
        appeal=appeal, hearing_on=TODAY() - dt.timedelta(days=5), deciding_body="Comité des recours", by=by
    )


def overturn(appeal: Appeal, by: User, new_value: str = "") -> Appeal:
    return services.appeal_decide(
        appeal=appeal,
        outcome="overturned",
        decided_on=TODAY(),
        reasons="Contre-expertise.",
        new_value=new_value,
        by=by,
    )


def uphold(appeal: Appeal, by: User) -> Appeal:
    return services.appeal_decide(
        appeal=appeal, outcome="upheld", decided_on=TODAY(), reasons="La décision est fondée.", by=by
    )
