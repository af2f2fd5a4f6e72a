"""Demo appeals, drawn from the report's recurring disputes: medical results contested by
ex-combatants found unfit for integration, ranks refused by integrated officers, a list whose
figures its movement contests, a merge of two records a person says are two people, and a pathway
contested by someone whose reinsertion tranches wait (the open appeal holds them).

Some are open (one holding a payment), some upheld, some overturned, the overturns through the
services that made the decisions, as the commission would do it: the demo is audited like the rest.
An empty register (`seed_demo --people 0`) gets no appeal and no error.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.errors import Refused
from core.models import Region
from ddr.accountability.appeals import services
from ddr.accountability.appeals.models import Appeal
from ddr.duplicates.models import DuplicatePair, Merge
from ddr.lists.models import SubmittedList
from ddr.registration.models import Category, Combatant, MedicalStatus, Pathway
from ddr.reintegration.packages.models import Entitlement
from ddr.screening.models import AgeAssessment, MedicalExam
from integration.models import Candidate
from integration.models.cohorts import ARMY_RANKS

K, S = Appeal.Kind, Appeal.Status
BODY = "Commission nationale DDR — comité des recours"
MEDICAL_BODY = "Commission médicale de recours (Hôpital Gabriel Touré)"


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["commission", "admin", "gao", "kidal"])}


def _decider(appeal: Appeal, users: dict[str, User]) -> User:
    """National staff who did not make the contested decision."""
    for name in ("commission", "admin"):
        if name in users and users[name].pk != appeal.decision_by_id:
            return users[name]
    raise LookupError("no decider")


def _filer(person: Combatant | None, users: dict[str, User]) -> User:
    if person is not None and person.region and person.region.code == "GAO" and "gao" in users:
        return users["gao"]
    if person is not None and person.region and person.region.code == "KID" and "kidal" in users:
        return users["kidal"]
    return users.get("commission") or next(iter(users.values()))


def _appeal(
    users: dict[str, User],
    *,
    kind: str,
    decision: int,
    grounds: str,
    filed_days_ago: int,
    person: Combatant | None = None,
    body: str = BODY,
    hearing_after: int | None = None,
    outcome: str = "",
    new_value: str = "",
    reasons: str = "",
) -> Appeal | None:
    """File, then schedule, hear and decide as far as asked. A refusal (the register changed under
    the demo) skips that appeal: the demo never fails on one."""
    today = timezone.localdate()
    filed_on = today - dt.timedelta(days=filed_days_ago)
    try:
        appeal = services.appeal_file(
            kind=kind,
            decision=decision,
            person=person,
            grounds=grounds,
            filed_on=filed_on,
            deciding_body=body,
            by=users["commission"] if kind == K.LIST_STATUS else _filer(person, users),
        )
        if hearing_after is None:
            return appeal
        decider = _decider(appeal, users)
        hearing_on = min(filed_on + dt.timedelta(days=hearing_after), today)
        appeal = services.appeal_schedule(
            appeal=appeal, hearing_on=hearing_on, deciding_body=body, by=decider
        )
        if hearing_on > today or not outcome:
            return appeal
        appeal = services.appeal_hear(appeal=appeal, by=decider)
        return services.appeal_decide(
            appeal=appeal,
            outcome=outcome,
            decided_on=min(hearing_on + dt.timedelta(days=7), today),
            reasons=reasons,
            new_value=new_value,
            by=decider,
        )
    except (Refused, LookupError):
        return None


def _medical(rng: random.Random, users: dict[str, User]) -> None:
    """Ex-combatants found unfit for integration contest the result (the report: 'medical
    results contested'); second opinions overturn some."""
    exams = list(
        MedicalExam.objects.filter(final=True, result=MedicalStatus.UNFIT)
        .exclude(combatant__category=Category.CHILD)
        .select_related("combatant__region")
        .order_by("pk")[:40]
    )
    rng.shuffle(exams)
    plans: list[dict[str, Any]] = [
        {
            "grounds": "Déclaré inapte pour une blessure ancienne guérie ; demande une contre-expertise.",
            "hearing_after": 20,
            "outcome": S.OVERTURNED,
            "new_value": MedicalStatus.FIT,
            "reasons": "La contre-expertise conclut à l'aptitude : la blessure est consolidée.",
        },
        {
            "grounds": "Conteste l'inaptitude : l'examen a duré cinq minutes, sans examen de la vue.",
            "hearing_after": 25,
            "outcome": S.UPHELD,
            "reasons": (
                "La contre-expertise confirme une baisse d'acuité visuelle incompatible avec l'intégration."
            ),
        },
        {
            "grounds": "Inapte pour hypertension ; le traitement est suivi depuis deux ans.",
            "hearing_after": 18,
            "outcome": S.OVERTURNED,
            "new_value": MedicalStatus.FIT,
            "reasons": "Tension stabilisée sous traitement, attestée par le médecin traitant.",
        },
        {"grounds": "Demande un nouvel examen par un médecin militaire.", "hearing_after": 30},
        {"grounds": "Le médecin n'a pas tenu compte du certificat apporté."},
    ]
    for exam, plan in zip(exams, plans, strict=False):
        _appeal(
            users,
            kind=K.MEDICAL,
            decision=exam.pk,
            person=exam.combatant,
            filed_days_ago=60,
            body=MEDICAL_BODY,
            **plan,
        )


def _ranks(users: dict[str, User]) -> None:
    """Integrated officers refuse the rank the table gave them (the report: 'ranks refused')."""
    candidates = list(
        Candidate.objects.filter(status=Candidate.Status.ASSIGNED)
        .select_related("combatant__region")
        .order_by("pk")
    )
    for n, candidate in enumerate(candidates[:2]):
        current = ARMY_RANKS.index(candidate.army_rank) if candidate.army_rank in ARMY_RANKS else 0
        higher = ARMY_RANKS[min(current + 1, len(ARMY_RANKS) - 1)]
        plan: dict[str, Any] = (
            {
                "outcome": S.OVERTURNED,
                "new_value": higher,
                "reasons": "Le commandement exercé dans le mouvement est attesté par deux chefs de groupe.",
            }
            if n == 0 and higher != candidate.army_rank
            else {
                "outcome": S.UPHELD,
                "reasons": "Le grade suit la table en vigueur ; ancienneté non établie.",
            }
        )
        _appeal(
            users,
            kind=K.RANK,
            decision=candidate.pk,
            person=candidate.combatant,
            grounds=(
                f"Refuse le grade de {candidate.army_rank or 'soldat'} : "
                "était chef de section dans le mouvement."
            ),
            filed_days_ago=4,
            hearing_after=2,
            **plan,
        )


def _list(users: dict[str, User]) -> None:
    """A movement contests the status of its list (the report: 'lists whose figures kept changing')."""
    submitted = (
        SubmittedList.objects.filter(status=SubmittedList.Status.DISPUTED).order_by("pk").first()
        or SubmittedList.objects.order_by("pk").first()
    )
    if submitted is None:
        return
    _appeal(
        users,
        kind=K.LIST_STATUS,
        decision=submitted.pk,
        grounds=(
            "Le mouvement conteste le statut de sa liste : les écarts d'effectifs viennent des doublons "
            "entre ses deux versions, non d'ajouts."
        ),
        filed_days_ago=15,
        hearing_after=30,  # the hearing is ahead: the appeal stays open, the status frozen
    )


def _merge(users: dict[str, User]) -> None:
    """A merge contested by the person whose record was absorbed: 'we are cousins, not one man'.
    Left open: it holds both records' payments."""
    merge = (
        Merge.objects.filter(undone_at__isnull=True)
        .exclude(Q(kept__category=Category.CHILD) | Q(absorbed__category=Category.CHILD))
        .order_by("pk")
        .first()
    )
    if merge is None:
        pair = (
            DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN)
            .exclude(Q(first__category=Category.CHILD) | Q(second__category=Category.CHILD))
            .order_by("-score", "pk")
            .first()
        )
        if pair is None or "admin" not in users:
            return
        from ddr.duplicates.services import pair_merge

        try:
            merge = pair_merge(pair=pair, by=users["admin"])
        except Refused:
            return
    _appeal(
        users,
        kind=K.MERGE,
        decision=merge.pk,
        person=merge.absorbed,
        grounds="Les deux fiches sont celles de deux cousins portant le même nom, nés la même année.",
        filed_days_ago=10,
        hearing_after=40,
    )


def _pathway(users: dict[str, User]) -> None:
    """Someone sent to reinsertion contests the pathway while their tranches are due: the open
    appeal holds their payment until it is decided."""
    waiting = (
        Entitlement.objects.filter(state=Entitlement.State.DUE, combatant__pathway=Pathway.REINSERTION)
        .exclude(combatant__category=Category.CHILD)
        .select_related("combatant__region")
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        _appeal(
            users,
            kind=K.ELIGIBILITY,
            decision=waiting.combatant_id,
            person=waiting.combatant,
            grounds=(
                "Demande l'intégration dans l'armée : l'arme déclarée n'a pas été enregistrée au bon nom."
            ),
            filed_days_ago=8,
        )
    upheld = (
        Combatant.objects.filter(pathway=Pathway.COMMUNITY)
        .exclude(category=Category.CHILD)
        .order_by("pk")
        .first()
    )
    if upheld is not None:
        _appeal(
            users,
            kind=K.ELIGIBILITY,
            decision=upheld.pk,
            person=upheld,
            grounds="Conteste l'orientation vers la réinsertion communautaire.",
            filed_days_ago=50,
            hearing_after=20,
            outcome=S.UPHELD,
            reasons="Aucune arme déclarée ni remise : la réinsertion communautaire s'applique.",
        )


def _age(users: dict[str, User]) -> None:
    """An adult finding contested by the family (the person says they were 17 when they joined)."""
    assessment = (
        AgeAssessment.objects.filter(decision=AgeAssessment.Decision.ADULT)
        .exclude(combatant__category=Category.CHILD)
        .order_by("pk")
        .first()
    )
    if assessment is None:  # no assessment in the register yet: a young adult's, as a site would record it
        year = timezone.localdate().year
        young = (
            Combatant.objects.exclude(category=Category.CHILD)
            .filter(birth_year__gte=year - 25, status__in=["registered", "screened", "oriented"])
            .select_related("region")
            .order_by("-birth_year", "pk")
            .first()
        )
        if young is None or young.birth_year is None:
            return
        from ddr.screening.services import age_assess

        assessment = age_assess(
            person=young,
            assessed_on=timezone.localdate() - dt.timedelta(days=60),
            evidence="Radiographie du poignet et entretien",
            assessed_age=max(18, year - young.birth_year),
            by=_filer(young, users),
        )
    _appeal(
        users,
        kind=K.AGE,
        decision=assessment.pk,
        person=assessment.combatant,
        grounds="La famille présente un extrait d'acte de naissance indiquant 17 ans.",
        filed_days_ago=35,
        hearing_after=14,
        outcome=S.UPHELD,
        reasons="L'extrait a été établi après l'enregistrement ; l'évaluation de l'âge est maintenue.",
    )


def seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:
    users = _users()
    users.setdefault("admin", admin)
    if not Combatant.objects.exists() or "commission" not in users:
        return
    _medical(rng, users)
    _ranks(users)
    _list(users)
    _merge(users)
    _pathway(users)
    _age(users)
