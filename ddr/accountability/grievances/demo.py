"""Demo grievances drawn from the report's disputes: lists whose figures kept changing, medical
results contested, ranks refused, the families of deserters who died before integration,
communities not consulted about CVR projects, payment delays, site conditions, and one case of
sexual exploitation and abuse handled by the protection focal point. Some are overdue, some
answered. Every record named is looked for first: on an empty register, what needs a person is
left out."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from cantonment.models import Site
from core.models import Region
from cvr.models import Project
from ddr.accountability.grievances import services as S
from ddr.accountability.grievances.models import Accepted, Grievance
from ddr.models import Category, Combatant, PaymentLine, SubmittedList
from integration.models import Unit

Step = Callable[[Grievance], Any]


def _at(days: float, hour: int = 9) -> dt.datetime:
    now = timezone.localtime()
    return (now - dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _user(username: str, role: str) -> User | None:
    return (
        User.objects.filter(username=username).first()
        or User.objects.filter(role=role, is_active=True).first()
    )


def seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:  # noqa: C901, PLR0915
    officer = _user("commission", Role.COMMISSION_OFFICER) or admin
    gao = User.objects.filter(role=Role.REGIONAL_OFFICER, region=regions.get("GAO")).first()
    focal = _user("focal", Role.FOCAL_POINT)
    adults = Combatant.objects.exclude(category=Category.CHILD).exclude(status=Combatant.Status.MERGED)
    people = list(adults.order_by("pk")[:400])
    rng.shuffle(people)
    unfit = list(adults.filter(medical_status="unfit").order_by("pk")[:3])
    deserted = list(adults.filter(status__in=[Combatant.Status.DESERTED, Combatant.Status.DECEASED])[:3])
    payments = list(PaymentLine.objects.exclude(combatant__category=Category.CHILD).order_by("pk")[:4])
    lists = list(SubmittedList.objects.order_by("pk")[:3])
    sites = list(Site.objects.order_by("pk")[:3])
    units = list(Unit.objects.order_by("pk")[:2])
    projects = list(Project.objects.order_by("pk")[:3])

    def person() -> Combatant | None:
        return people.pop() if people else None

    def receive(days: float, by: User = officer, **kwargs: Any) -> Grievance:
        return S.grievance_receive(received_on=_at(days), by=by, **kwargs)

    def answered(
        g: Grievance, days: float, answer: str, accepted: str = Accepted.YES, by: User = officer
    ) -> None:
        S.grievance_acknowledge(grievance=g, by=by, at=g.received_on + dt.timedelta(hours=20), note="SMS")
        if gao and g.region == gao.region:
            S.grievance_assign(grievance=g, assignee=gao, by=by)
        S.grievance_resolve(grievance=g, answer=answer, accepted=accepted, by=by, at=_at(days, 15))

    # Lists whose figures kept changing: the movements complain of the version in force.
    for i, submitted in enumerate(lists):
        g = receive(
            80 - 20 * i,
            channel="letter",
            complainant_kind="movement",
            complainant_movement=submitted.movement,
            subject_kind="list",
            subject_list=submitted,
            category="eligibility",
            region=regions.get("GAO"),
            description=(
                f"Le mouvement conteste les effectifs de la liste « {submitted.title} » : des noms "
                "présents dans la version précédente ont disparu sans explication."
            ),
        )
        if i == 0:
            answered(
                g, 40, "Comparaison des versions remise au mouvement ; 37 noms retirés étaient des doublons."
            )
        elif i == 1:
            S.grievance_acknowledge(grievance=g, by=officer, at=g.received_on + dt.timedelta(hours=30))
            S.grievance_refer(grievance=g, referred_to="Commission technique de sécurité (CTS)", by=officer)

    # Medical results contested.
    for i, p in enumerate(unfit or [q for q in [person()] if q]):
        g = receive(
            50 - 15 * i,
            channel="office",
            complainant_kind="person",
            complainant_person=p,
            subject_kind="person",
            subject_person=p,
            category="medical",
            description="Déclaré inapte à l'intégration ; conteste le résultat et demande une contre-visite.",
        )
        S.grievance_acknowledge(grievance=g, by=officer, at=g.received_on + dt.timedelta(hours=24))
        S.grievance_refer(grievance=g, referred_to="Commission médicale de Bamako", by=officer)

    # Ranks refused at integration.
    for i in range(3):
        complainant = person()
        if complainant is None:
            break
        kwargs: dict[str, Any] = {"subject_kind": "person", "subject_person": complainant}
        if i == 2 and units:
            kwargs = {"subject_kind": "unit", "subject_unit": units[0]}
        g = receive(
            35 - 10 * i,
            channel="hotline",
            complainant_kind="person",
            complainant_person=complainant,
            category="rank",
            description="Le grade de capitaine du mouvement n'a pas été reconnu ; on lui propose sergent.",
            **kwargs,
        )
        if i == 0:
            answered(g, 5, "Grade réexaminé par la commission d'harmonisation : lieutenant.", Accepted.NO)
            S.grievance_reopen(grievance=g, reason="Le plaignant refuse le grade proposé.", by=officer)
        elif i == 1:
            S.grievance_acknowledge(grievance=g, by=officer, at=g.received_on + dt.timedelta(hours=40))

    # Families of deserters or of people who died before integration.
    for i, p in enumerate(deserted or [q for q in [person()] if q]):
        receive(
            12 + 9 * i,
            channel="site",
            complainant_kind="family",
            complainant_person=p,
            contact_name="Fatoumata " + p.family_name,
            contact_phone=f"+223 76 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            subject_kind="person",
            subject_person=p,
            category="payment",
            description="La famille demande le filet de sécurité dû au défunt, mort avant l'intégration.",
        )

    # Communities not consulted about CVR projects.
    for i, project in enumerate(projects):
        g = receive(
            45 - 12 * i,
            channel="partner_ngo" if i else "letter",
            complainant_kind="community",
            contact_name="Chef de village",
            subject_kind="project",
            subject_project=project,
            category="other",
            description="Les notables n'ont été consultés ni sur le site du projet ni sur les bénéficiaires.",
        )
        if i == 0:
            answered(g, 20, "Réunion communautaire tenue avec le partenaire ; liste des bénéficiaires revue.")
            S.grievance_close(grievance=g, by=officer)

    # Payment delays: the SMS line.
    for i, line in enumerate(payments):
        g = receive(
            [3, 9, 33, 60][i],
            channel="sms",
            complainant_kind="person",
            complainant_person=line.combatant,
            contact_phone="+223 65 00 00 0" + str(i),
            subject_kind="payment",
            subject_payment=line,
            category="payment",
            description="Deuxième tranche toujours pas reçue alors que le relevé indique payé.",
        )
        if i == 3:
            answered(g, 50, "Paiement retrouvé au guichet BNDA : retrait effectué le 12.", Accepted.YES)

    # Site conditions and security.
    for i, site in enumerate(sites):
        g = receive(
            6 + 4 * i,
            channel="site",
            complainant_kind="anonymous",
            subject_kind="site",
            subject_site=site,
            category="site_conditions" if i != 1 else "security",
            urgency="high" if i == 1 else "normal",
            description="Pas d'eau potable depuis une semaine ; les latrines des femmes sont détruites."
            if i != 1
            else "Des hommes armés rôdent la nuit près de l'entrée du site.",
        )
        if i == 2:
            answered(g, 1, "Citerne livrée et latrines réparées par le génie.", Accepted.UNKNOWN)

    # One case of sexual exploitation and abuse, received by the focal point, handled by her alone.
    if focal is not None and sites:
        g = receive(
            15,
            by=focal,
            channel="women_focal_point",
            complainant_kind="anonymous",
            subject_kind="site",
            subject_site=sites[0],
            category="sea",
            urgency="critical",
            description="Une femme associée signale des demandes de faveurs contre l'accès aux kits.",
        )
        S.grievance_acknowledge(grievance=g, by=focal, at=g.received_on + dt.timedelta(hours=6))
        S.grievance_assign(grievance=g, assignee=focal, by=focal)
        S.grievance_refer(grievance=g, referred_to="Unité déontologie et discipline (CDU)", by=focal)

    S.grievances_flag_overdue()
