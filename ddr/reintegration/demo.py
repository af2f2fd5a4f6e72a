"""Demo data for reinsertion and reintegration, true to the report (section 3.3.1):

- 16,000 people earmarked for socio-economic reinsertion (the 2018 rules' quota), with the World
  Bank's USD 4 million (2.4 billion XOF) as the envelope: the package's cost shows it covered half;
- the medically unfit sent to reinsertion, enrolled in the DDR package;
- volunteers of the first reinsertion operation (2021, workshops of 300 per location) who chose
  civilian life, paid, followed up and, for most, reintegrated;
- the project for 900 women associated with armed groups (FAGA), partly funded by the World Bank;
- community reinsertion (CRP) for the unarmed, and the loans NGOs helped defectors obtain.

Everything goes through the services, as an officer would do it, so that the demo is audited.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from accounts.models import User
from core.models import Cercle, Region
from ddr.eligibility import services as eligibility
from ddr.registration.models import Category, Combatant, Pathway, card_token_for
from ddr.reintegration.followup import services as followup
from ddr.reintegration.followup.models import Acceptance, FollowUp, IncomeBand
from ddr.reintegration.packages import services as packages
from ddr.reintegration.packages.models import (
    Component,
    Delivery,
    Enrolment,
    Entitlement,
    FundingSource,
    Package,
    Phase,
)
from ddr.reintegration.payments import services as payments
from ddr.reintegration.payments.models import Channel, Confirmation
from ddr.reintegration.profiles import services as profiles
from ddr.reintegration.profiles.models import ChoiceOption, Demand, Opportunity, Trade

SOURCES = [
    # USD 4 million of the World Bank's 15 million to the commission, at 600 XOF to the dollar.
    ("banque-mondiale", "Banque mondiale (appui à la CNDDR)", 2_400_000_000),
    ("pbf", "Fonds pour la consolidation de la paix (PBF)", 1_800_000_000),
    ("fonds-fiduciaire", "Fonds fiduciaire pour la paix et la sécurité au Mali", 600_000_000),
    ("etat", "Gouvernement du Mali", 300_000_000),
]

Kind = Component.Kind
# code, name, phase, source, envelope, pathways, categories, women only, components
PACKAGES: list[tuple[str, str, str, str, int, list[str], list[str], bool, list[tuple[Any, ...]]]] = [
    (
        "ddr-reinsertion",
        "Réinsertion socio-économique DDR (16 000 personnes ciblées)",
        Phase.REINSERTION,
        "banque-mondiale",
        2_400_000_000,
        [Pathway.REINSERTION],
        [],
        False,
        [
            (Kind.ALLOWANCE, Delivery.CASH, "Filet de sécurité transitoire, 1re tranche", 50_000, 0, None),
            (Kind.ALLOWANCE, Delivery.CASH, "Filet de sécurité transitoire, 2e tranche", 50_000, 30, None),
            (Kind.ALLOWANCE, Delivery.CASH, "Filet de sécurité transitoire, 3e tranche", 50_000, 60, None),
            (Kind.TOOLKIT, Delivery.IN_KIND, "Kit d'installation (selon le métier)", 150_000, 45, None),
        ],
    ),
    (
        "faga",
        "Projet des 900 femmes associées aux groupes armés (FAGA)",
        Phase.REINTEGRATION,
        "banque-mondiale",
        360_000_000,
        [],
        [Category.WOMAN_ASSOCIATED],
        True,
        [
            (Kind.TRAINING, Delivery.SERVICE, "Formation en couture et teinture", 100_000, 0, "sewing"),
            (Kind.TOOLKIT, Delivery.IN_KIND, "Kit de couture", 80_000, 60, "sewing"),
            (Kind.GRANT, Delivery.CASH, "Subvention d'activité génératrice de revenus", 220_000, 90, None),
        ],
    ),
    (
        "crp",
        "Programme de réhabilitation communautaire (CRP)",
        Phase.REINSERTION,
        "pbf",
        900_000_000,
        [Pathway.COMMUNITY],
        [],
        False,
        [
            (Kind.ALLOWANCE, Delivery.CASH, "Allocation de réinsertion, 1re tranche", 40_000, 0, None),
            (Kind.ALLOWANCE, Delivery.CASH, "Allocation de réinsertion, 2e tranche", 40_000, 45, None),
            (Kind.TRAINING, Delivery.SERVICE, "Formation professionnelle courte", 60_000, 15, None),
        ],
    ),
    (
        "credit",
        "Appui à l'accès au crédit (ONG partenaires)",
        Phase.REINTEGRATION,
        "fonds-fiduciaire",
        120_000_000,
        [],
        [Category.DEFECTOR, Category.COMBATANT_UNARMED],
        False,
        [(Kind.LOAN_SUPPORT, Delivery.SERVICE, "Accompagnement du dossier de crédit", 30_000, 0, None)],
    ),
]

# The opportunity map: from the baseline assessment of October 2014 and the studies the report asks for.
OPPORTUNITIES = [
    ("GAO", "Gao", "agriculture", Demand.HIGH, "Centre de formation agricole de Gao", 120, "FAO, ONG GADL"),
    ("GAO", "Gao", "mechanics", Demand.HIGH, "Centre de formation professionnelle de Gao", 60, "ANPE"),
    ("GAO", "Ansongo", "fishing", Demand.MEDIUM, "Coopérative des pêcheurs d'Ansongo", 40, "ONG GADL"),
    ("GAO", "Bourem", "livestock", Demand.HIGH, "Service local des productions animales", 50, "AJB"),
    ("TBK", "Tombouctou", "crafts", Demand.MEDIUM, "Chambre des métiers de Tombouctou", 45, "IJT"),
    ("TBK", "Tombouctou", "sewing", Demand.HIGH, "Centre féminin de Tombouctou", 80, "FNP"),
    ("TBK", "Goundam", "agriculture", Demand.HIGH, "Office du Niger (antenne)", 100, "FAO"),
    ("KID", "Kidal", "livestock", Demand.HIGH, "Association des éleveurs de Kidal", 70, "KIS"),
    ("KID", "Kidal", "electricity", Demand.MEDIUM, "Atelier solaire de Kidal", 20, "ONG Tassaght"),
    ("MEN", "Ménaka", "livestock", Demand.HIGH, "Groupement pastoral de Ménaka", 60, "RMD"),
    ("MEN", "Ménaka", "commerce", Demand.MEDIUM, "Chambre de commerce (antenne)", 40, "RMD"),
    ("MOP", "Mopti", "fishing", Demand.HIGH, "Centre de pêche de Mopti", 80, "ADCM"),
    ("MOP", "Bankass", "agriculture", Demand.HIGH, "Coopérative agricole de Bankass", 90, "ADCM"),
    ("MOP", "Douentza", "masonry", Demand.MEDIUM, "Centre de formation de Douentza", 30, "DRC"),
]
# The first reinsertion operation's workshops of 18 and 19 March 2021, in the six central and
# northern regions, 300 ex-combatants per location (3.4); the 27 September 2021 mission to
# Timbuktu was an awareness mission about the "medically unfit".
WORKSHOP = dt.date(2021, 3, 18)
ENROLLED_2021 = dt.date(2021, 10, 15)
STUDY = ("Évaluation de base des opportunités de réinsertion, MINUSMA, octobre 2014", dt.date(2014, 10, 31))


def _catalogue(admin: User) -> dict[str, Package]:
    sources = {
        code: FundingSource.objects.get_or_create(
            code=code, defaults={"name": name, "envelope_xof": envelope}
        )[0]
        for code, name, envelope in SOURCES
    }
    trades = {t.code: t for t in Trade.objects.all()}
    catalogue = {}
    for code, name, phase, source, envelope, pathways, categories, women, components in PACKAGES:
        package = Package(
            code=code,
            name=name,
            phase=phase,
            funding_source=sources[source],
            envelope_xof=envelope,
            effective_from=dt.date(2019, 1, 1),
            pathways=[str(p) for p in pathways],
            categories=[str(c) for c in categories],
            women_only=women,
        )
        package._history_user = admin  # type: ignore[attr-defined]
        package.save()
        for position, (kind, delivery, label, amount, days, trade) in enumerate(components, start=1):
            component = Component(
                package=package,
                kind=kind,
                delivery=delivery,
                label=label,
                amount_xof=amount,
                due_after_days=days,
                position=position,
                trade=trades.get(trade) if trade else None,
            )
            component._history_user = admin  # type: ignore[attr-defined]
            component.save()
        catalogue[code] = package
    return catalogue


def _opportunities(regions: dict[str, Region], admin: User) -> None:
    trades = {t.code: t for t in Trade.objects.all()}
    cercles = {(c.region_id, c.name): c for c in Cercle.objects.all()}
    for region, cercle, trade, demand, provider, capacity, partners in OPPORTUNITIES:
        line = Opportunity(
            region=regions[region],
            cercle=cercles.get((regions[region].pk, cercle)),
            trade=trades[trade],
            demand=demand,
            provider=provider,
            capacity=capacity,
            partners=partners,
            source=STUDY[0],
            studied_on=STUDY[1],
        )
        line._history_user = admin  # type: ignore[attr-defined]
        line.save()


def _oriented(people: Any, admin: User) -> Any:
    """Bring people to "oriented" through the case transitions, as the screening teams did."""

    S = Combatant.Status
    for before, after in (
        (S.PRE_REGISTERED, S.REGISTERED),
        (S.REGISTERED, S.SCREENED),
        (S.SCREENED, S.ORIENTED),
    ):
        eligibility.case_transition(
            people=people.filter(status=before), to=after, by=admin, reason="demo data"
        )
    return people.filter(status=S.ORIENTED)


def _volunteers(rng: random.Random, admin: User) -> Any:
    """The first reinsertion operation (2021): armed combatants fit for integration who chose
    civilian life at the workshops of Timbuktu and Gao; the rules then orient them to reinsertion."""

    candidates = list(
        Combatant.objects.filter(
            pathway=Pathway.INTEGRATION_ARMY, region__code__in=["TBK", "GAO"], registered_at__lt=WORKSHOP
        ).order_by("pk")
    )
    chosen = rng.sample(candidates, min(40, len(candidates)))
    for person in chosen:
        profiles.choice_record(
            person=person,
            option=ChoiceOption.CIVILIAN_LIFE,
            volunteer_first_operation=True,
            chosen_on=WORKSHOP,
            witnessed_by=f"Atelier des 18 et 19 mars 2021, {person.region} (300 par localité)",
            by=admin,
        )
    return _oriented(Combatant.objects.filter(pk__in=[p.pk for p in chosen]), admin)


def _paid_and_followed(rng: random.Random, package: Package, officer: User, admin: User) -> None:
    """The volunteers' tranches paid through a batch approved by a second person and reconciled,
    their kits handed over, their follow-ups done: most reintegrated, a few not yet, one dropout."""

    enrolments = list(Enrolment.objects.filter(package=package, enrolled_on=ENROLLED_2021).order_by("pk"))
    if len(enrolments) < 2:
        return  # a register too small for the story (benchmarks seed users and reference data only)
    dropout = enrolments.pop()  # went back to the armed group before the first payment
    packages.enrolment_drop(
        enrolment=dropout, on=ENROLLED_2021 + dt.timedelta(days=5), reason="Retour au groupe armé", by=officer
    )
    batch = payments.batch_prepare(
        by=officer,
        package=package,
        due_by=ENROLLED_2021 + dt.timedelta(days=90),
        channel=Channel.CASH_PARTNER,
        provider="Banque Nationale de Développement Agricole (BNDA)",
    )
    payments.batch_approve(batch=batch, by=admin)
    payments.batch_export(batch=batch, fmt="csv", by=admin)
    batch.refresh_from_db()
    paid_on = timezone.localdate()  # a payment is never dated before its batch
    lines = ["reference,amount,currency,status,paid_on,provider_reference"] + [
        f"{ref},{amount},XOF,paid,{paid_on.isoformat()},BNDA-{i:05d}"
        for i, (ref, amount) in enumerate(batch.lines.order_by("pk").values_list("reference", "amount_xof"))
    ]
    record = payments.statement_import_start(
        batch=batch, data="\n".join(lines).encode(), filename="releve-bnda.csv", by=admin
    )
    payments.statement_import(import_id=record.pk)  # the worker's own call, run here at once
    for entitlement in Entitlement.objects.filter(
        enrolment__package=package,
        enrolment__enrolled_on=ENROLLED_2021,
        component__delivery=Delivery.IN_KIND,
        state="due",
    ).select_related("combatant"):
        payments.distribution_record(
            token=card_token_for(entitlement.combatant_id),
            entitlement=entitlement,
            place=f"Atelier de réinsertion, {entitlement.combatant.region}",
            confirmation=Confirmation.THUMBPRINT,
            on=ENROLLED_2021 + dt.timedelta(days=50),
            by=officer,
        )
    followup.follow_ups_plan(enrolment_ids=[e.pk for e in enrolments], on=timezone.localdate(), by=admin)
    for visit in FollowUp.objects.filter(enrolment__in=enrolments).order_by("enrolment", "month"):
        struggling = visit.enrolment_id % 5 == 0  # one in five: the activity stopped
        followup.follow_up_record(
            follow_up=visit,
            done_on=visit.due_on + dt.timedelta(days=rng.randint(0, 10)),
            mode=FollowUp.Mode.PHONE if visit.month == 6 else FollowUp.Mode.VISIT,
            status=FollowUp.Status.DONE,
            activity_running=not struggling,
            income=IncomeBand.NONE if struggling else rng.choice([IncomeBand.LOW, IncomeBand.MEDIUM]),
            acceptance=Acceptance.MIXED if struggling else Acceptance.GOOD,
            security_incident=False,
            needs="Fonds de roulement" if struggling else "",
            by=officer,
        )


def seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:
    catalogue = _catalogue(admin)
    _opportunities(regions, admin)
    officer = User.objects.get(username="commission")
    today = timezone.localdate()
    volunteers = _volunteers(rng, officer)
    packages.cohort_enrol(
        people=volunteers, package=catalogue["ddr-reinsertion"], on=ENROLLED_2021, by=officer
    )
    _paid_and_followed(rng, catalogue["ddr-reinsertion"], officer, admin)
    # The medically unfit, sent to reinsertion by the rules, enrolled a hundred days ago: their
    # follow-ups are planned and their tranches wait for the next batch.
    unfit = _oriented(
        Combatant.objects.filter(pathway=Pathway.REINSERTION, pathway_reason="medical_unfit"), admin
    )
    packages.cohort_enrol(
        people=unfit, package=catalogue["ddr-reinsertion"], on=today - dt.timedelta(days=100), by=officer
    )
    # The FAGA project: women associated with armed groups, enrolled forty days ago.
    women = _oriented(Combatant.objects.filter(category=Category.WOMAN_ASSOCIATED), admin)
    packages.cohort_enrol(
        people=women, package=catalogue["faga"], on=today - dt.timedelta(days=40), by=officer
    )

    followup.follow_ups_daily(today)
