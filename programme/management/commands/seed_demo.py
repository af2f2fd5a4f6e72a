"""`manage.py seed_demo`: a deterministic, realistic data set drawn from DOMAIN.md.

Idempotent: run it again and it only prints the logins. `--people N` sets the register size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from cantonment import demo as cantonment_demo
from cantonment.models import Site
from core.bulk import insert_with_history
from core.models import Cercle, Region
from cvr import demo as cvr_demo
from ddr.accountability.appeals import demo as appeals_demo
from ddr.accountability.consent import demo as consent_demo
from ddr.accountability.grievances import demo as grievances_demo
from ddr.models import (
    ArmedGroup,
    Category,
    Combatant,
    DeclaredWeapon,
    IdentityDocument,
    ListEntry,
    Pathway,
    RegistrationCounter,
    Sex,
    SubmittedList,
)
from ddr.registration.names import person_derive
from ddr.registration.rules import registration_number
from ddr.reintegration import demo as reintegration_demo
from integration import demo as integration_demo
from integration.models import Unit
from programme.governance import demo as governance_demo

DEFAULT_PASSWORD = "Bamako-2015!"  # noqa: S105 - demo only, printed on purpose
LOGINS = [
    ("commission", gettext_lazy("national commission officer")),
    ("gao", gettext_lazy("regional officer, Gao")),
    ("kidal", gettext_lazy("regional officer, Kidal")),
    ("analyste", gettext_lazy("mission analyst (API, aggregates only)")),
    ("protection", gettext_lazy("child-protection officer")),
    ("focal", gettext_lazy("protection focal point (sensitive grievances)")),
    ("admin", gettext_lazy("administrator (/admin/)")),
]

GIVEN_MEN = [
    "Mohamed",
    "Mahamadou",
    "Ibrahim",
    "Ibrahima",
    "Abdoulaye",
    "Moussa",
    "Oumar",
    "Aliou",
    "Hamadoun",
    "Issa",
    "Souleymane",
    "Alhassane",
    "Bilal",
    "Intallah",
    "Ahmed",
    "Sidi",
    "Boubacar",
    "Amadou",
    "Youssouf",
    "Hama",
    "Attaher",
    "Assalat",
]
GIVEN_WOMEN = [
    "Fatoumata",
    "Aïssata",
    "Mariam",
    "Aminata",
    "Fadimata",
    "Tina",
    "Zeinabou",
    "Khadija",
    "Hawa",
    "Safiatou",
    "Lalla",
    "Raïcha",
]
FAMILY = [
    "Ag Intallah",
    "Ag Acharatoumane",
    "Ould Sidati",
    "Ould Mohamed",
    "Maïga",
    "Touré",
    "Cissé",
    "Dicko",
    "Traoré",
    "Diallo",
    "Ag Ghaly",
    "Ag Bibi",
    "Walet Ahmed",
    "Haïdara",
    "Coulibaly",
    "Sangaré",
    "Ag Alhousseini",
    "Ould Bady",
    "Kounta",
    "Ag Najim",
    "Barry",
]

# Which movements recruit where (as declared on the lists that brought people in).
MOVEMENTS_BY_REGION = {
    "KID": ["MNLA", "HCUA", "HCUA", "MNLA", "GATIA"],
    "GAO": ["GATIA", "CMFPR", "MAA-PF", "MNLA", "CMFPR-2", "CJA"],
    "TBK": ["MAA-CMA", "HCUA", "CJA", "MAA-PF", "CPA"],
    "MEN": ["GATIA", "MSA", "MSA", "MNLA"],
    "MOP": ["DNA", "AUTODEF-CENTRE", "DEFECTEURS", "DNA"],
}
REGION_WEIGHTS = {"KID": 30, "GAO": 28, "TBK": 20, "MEN": 12, "MOP": 10}
PLACES_BY_REGION = {
    "KID": ["Kidal", "Aguelhok", "Tessalit", "Anefis", "Tin-Essako", "Abeïbara", "Intadeyni", "Tarkint"],
    "GAO": ["Gao", "Ansongo", "Bourem", "Tabankort", "Ouatagouna", "Tassiga", "Almoustarat", "Gossi"],
    "TBK": ["Tombouctou", "Goundam", "Diré", "Niafunké", "Gourma-Rharous", "Ber", "Léré", "Tonka"],
    "MEN": ["Ménaka", "Andéraboukane", "Inékar", "Tidermène", "Anderamboukane", "Talataye"],
    "MOP": ["Mopti", "Douentza", "Ténenkou", "Youwarou", "Djenné", "Bandiagara", "Boni", "Hombori"],
}
CATEGORY_WEIGHTS = [
    (Category.COMBATANT_ARMED, 34),
    (Category.COMBATANT_UNARMED, 48),
    (Category.WOMAN_ASSOCIATED, 9),
    (Category.EX_MDSF, 4),
    (Category.CIVILIAN_CADRE, 2),
    (Category.DEFECTOR, 2),
    (Category.CHILD, 1),
]

# The 8 sites approved by the CTS and built (never used), in the regions the report gives them
# (3.1.1, note 8), then the other proposals.
BUILT_SITES = [
    ("Likrakar", "TBK"),
    ("Fafa", "GAO"),
    ("Inékar", "MEN"),
    ("Ber", "TBK"),
    ("Tessalit", "KID"),
    ("Tin Fatimata", "GAO"),
    ("Ilouk", "GAO"),
    ("Tabankort", "GAO"),
]
# The three pilot pre-cantonment sites of the second half of 2013 (3.1.1): two in Kidal, one in
# Agharous Keyone.
PILOT_SITES = [
    "Pré-cantonnement pilote de Kidal 1",
    "Pré-cantonnement pilote de Kidal 2",
    "Pré-cantonnement pilote d'Agharous Keyone",
]
INVENTED_SITE = (
    "Démo : capacité, places pour les femmes, mouvement proposant et coordonnées absents du rapport, "
    "inventés."
)
# The accelerated DDR-integration was launched on 6 November 2018 and registered people until
# mid-2020; no child was registered in it (3.3.2): the children on the register came after.
ACCELERATED_LAUNCH = dt.date(2018, 11, 6)
ROADMAP_2020 = dt.date(2020, 12, 18)
CHILDREN_FROM = dt.date(2020, 8, 1)
OTHER_PROPOSALS = [
    ("Anéfis", "KID"),
    ("Aguelhok", "KID"),
    ("Tarkint", "GAO"),
    ("Léré", "TBK"),
    ("Goundam", "TBK"),
    ("Bourem", "GAO"),
    ("Andéramboukane", "MEN"),
    ("Tinzaouatène", "KID"),
    ("Talataye", "MEN"),
    ("Tin-Essako", "KID"),
    ("Almoustarat", "GAO"),
    ("Intahaka", "GAO"),
    ("Gossi", "TBK"),
    ("Tidermène", "MEN"),
    ("Abeïbara", "KID"),
    ("Ersane", "TBK"),
]


class Command(BaseCommand):
    help = "Load deterministic demo data (regions and groups come from migrations)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument("--no-logins", dest="print_logins", action="store_false")

    def handle(
        self, *args: Any, people: int, seed: int, logins: bool, print_logins: bool, **options: Any
    ) -> None:
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        if logins:
            return self._print_logins(password)
        if Combatant.objects.exists():
            self.stdout.write(self._french(gettext_lazy("Demo data already present.")))
        else:
            with transaction.atomic():
                admin = self._users(password)
                self._seed(random.Random(seed), people, admin)
            loaded = self._french(gettext_lazy("Demo data loaded: %(n)s people."), n=people)
            self.stdout.write(self.style.SUCCESS(loaded))
        if print_logins:
            self._print_logins(password)

    def _print_logins(self, password: str) -> None:
        title = self._french(gettext_lazy("Logins (password for all: %(p)s)"), p=password)
        self.stdout.write(self.style.SUCCESS(title))
        for username, role in LOGINS:
            self.stdout.write(f"  {username:<12} {self._french(role)}")

    @staticmethod
    def _french(text: Any, **params: Any) -> str:
        """In the application's first language: a command runs with translations off."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(text) % params if params else str(text)

    def _users(self, password: str) -> User:
        regions = {r.code: r for r in Region.objects.all()}
        specs = [
            ("admin", "Awa", "Konaté", Role.ADMINISTRATOR, None),
            ("commission", "Seydou", "Keïta", Role.COMMISSION_OFFICER, None),
            ("gao", "Hamadoun", "Maïga", Role.REGIONAL_OFFICER, "GAO"),
            ("kidal", "Ahmoudou", "Ag Assaleh", Role.REGIONAL_OFFICER, "KID"),
            ("analyste", "Claire", "Martin", Role.ANALYST, None),
            ("protection", "Kadiatou", "Sow", Role.CHILD_PROTECTION, None),
            ("focal", "Mariam", "Diarra", Role.FOCAL_POINT, None),
        ]
        users = {}
        for username, first, last, role, region in specs:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "region": regions.get(region) if region else None,
                    "is_superuser": role == Role.ADMINISTRATOR,
                },
            )
            user.set_password(password)
            user.save()
            users[username] = user
        return users["admin"]

    def _seed(self, rng: random.Random, count: int, admin: User) -> None:
        regions = {r.code: r for r in Region.objects.all()}
        groups = {g.code: g for g in ArmedGroup.objects.all()}
        cercles = {c.name: c for c in Cercle.objects.all()}
        self._people(rng, count, regions, groups, admin)
        self._screening(rng, admin)
        self._duplicates(rng, groups, admin)
        self._sites(regions, groups, cercles, admin)
        self._units(regions, admin)
        integration_demo.seed(random.Random(8), regions, admin)
        self._projects(rng, regions, admin)
        reintegration_demo.seed(random.Random(9), regions, admin)
        consent_demo.seed(random.Random(10), regions, admin)
        grievances_demo.seed(random.Random(11), regions, admin)
        appeals_demo.seed(random.Random(12), regions, admin)
        governance_demo.seed(admin)

    def _screening(self, rng: random.Random, admin: User) -> None:
        """The medical exams behind the results set at registration, a few possible watch-list
        matches for the vetting queue, then the 2018 rules decide everyone."""
        from core.models import Job
        from ddr.eligibility import services as eligibility
        from ddr.models import ChildReferral, EligibilityRun, MedicalExam, WatchlistEntry

        people = list(Combatant.objects.exclude(category=Category.CHILD).order_by("pk"))
        exams = [
            MedicalExam(
                combatant=person,
                examined_on=person.registered_at + dt.timedelta(days=rng.randint(1, 20)),
                examiner=rng.choice(["Dr Coulibaly", "Dr Maïga", "Dr Diallo"]),
                result=person.medical_status,
                disputed=person.medical_status == "unfit" and rng.random() < 0.1,
                recorded_by=admin,
            )
            for person in people
            if person.medical_status
        ]
        # Children: handed over to a care centre within the 48 hours, except the last two
        # (one of them already overdue) so that the child-protection page has work on it.
        children = list(Combatant.objects.filter(category=Category.CHILD).order_by("pk"))
        now = timezone.now()
        referrals = []
        for i, child in enumerate(children):
            identified = (
                now - dt.timedelta(hours=60 - 30 * (len(children) - 1 - i))
                if i >= len(children) - 2
                else dt.datetime.combine(child.registered_at, dt.time(9), tzinfo=dt.UTC)
            )
            referrals.append(
                ChildReferral(
                    combatant=child,
                    identified_at=identified,
                    handover_deadline=identified + dt.timedelta(hours=48),
                    partner="" if i >= len(children) - 2 else rng.choice(["UNICEF", "Save the Children"]),
                    referred_by=admin,
                    handed_over_at=None if i >= len(children) - 2 else identified + dt.timedelta(hours=20),
                )
            )
        bulk_create_with_history(referrals, ChildReferral, default_user=admin)
        bulk_create_with_history(exams, MedicalExam, batch_size=1000, default_user=admin)
        unvetted = [p for p in people if not p.vetting_status]
        for person, reason in zip(
            rng.sample(unvetted, min(3, len(unvetted))),
            ["Exécutions sommaires", "Recrutement d'enfants", "Pillage"],
            strict=False,  # fewer with a tiny register
        ):
            WatchlistEntry.objects.create(
                name=f"{person.given_name} {person.family_name}",
                birth_year=person.birth_year,
                reason=reason,
            )
        from ddr.screening import services as screening

        screening.vetting_screen(people=Combatant.objects.filter(vetting_status=""), by=admin)
        ruleset = self._rulesets(admin)
        job = Job.objects.create(kind="eligibility_recompute", created_by=admin)
        run = EligibilityRun.objects.create(ruleset=ruleset, job=job, started_by=admin)
        eligibility.eligibility_recompute(run_id=run.pk)

    @staticmethod
    def _rulesets(admin: User) -> Any:
        """The 2018 criteria (10,000 to integration, 16,000 to DDR, 3.3.1), then the roadmap of 18
        December 2020 that asked for the first reinsertion operation's volunteers at 300 per region
        (annex 6.2, item 12): that cap belongs to the later set, which decides today."""
        from ddr.models import RuleSet

        quotas: dict[str, Any] = {"integration_army": {"total": 10_000}, "reinsertion": {"total": 16_000}}
        specs = [
            (
                "Accord pour la paix — critères 2018",
                dt.date(2018, 1, 1),
                ROADMAP_2020,
                RuleSet.Status.RETIRED,
                quotas,
                "Démo : le rapport date les critères de 2018 à l'année ; le jour est inventé.",
            ),
            (
                "Feuille de route du 18 décembre 2020",
                ROADMAP_2020,
                None,
                RuleSet.Status.ACTIVE,
                {
                    **quotas,
                    "reinsertion": {"total": 16_000, "regions": {code: 300 for code in REGION_WEIGHTS}},
                },
                "Rapport 2024, annexe 6.2, point 12 : volontaires de la 1re opération de réinsertion, "
                "300 par région.",
            ),
        ]
        ruleset = None
        for name, start, end, status, limits, note in specs:
            ruleset = RuleSet.objects.filter(name=name).first()
            if ruleset is None:
                ruleset = RuleSet(
                    name=name,
                    effective_from=start,
                    effective_to=end,
                    status=status,
                    quotas=limits,
                    # The report's cadres join the civil service unarmed, without a military medical
                    # (annex 6.2, roadmap of 18 December 2020, items 7 and 13); it gives no age
                    # ceiling, so none here (a new rule set's default has one: invented).
                    pathway_requirements={"integration_civil": {"weapon": False, "medical": False}},
                    created_by=admin,
                    activated_by=admin,
                )
                ruleset._history_user = admin  # type: ignore[attr-defined]
                ruleset._change_reason = note  # type: ignore[attr-defined]
                ruleset.save()
        return ruleset

    def _duplicates(self, rng: random.Random, groups: dict[str, ArmedGroup], admin: User) -> None:
        """About forty people listed again by another movement in a later list, as a different clerk
        wrote them (Mohamed/Muhammad, Ag/Ould, a typo, a year off), then the register searched:
        the review queue has work, and the later list is held for review."""
        from core.models import Job
        from ddr.duplicates import services as duplicates
        from ddr.models import MatchingSettings

        people = list(
            Combatant.objects.exclude(category=Category.CHILD)
            .filter(status=Combatant.Status.REGISTERED)
            .select_related("region", "movement")
            .prefetch_related("weapons")
            .order_by("pk")
        )
        again = min(len(people), len(people) // 60)  # 40 in the default demo
        if not again:
            return
        counter = RegistrationCounter.objects.get(name="registration")
        copies = []
        originals = rng.sample(people, again)
        for seq, person in enumerate(originals, start=counter.value + 1):
            given, family = person.given_name, person.family_name
            given = {"Mohamed": "Muhammad", "Ibrahim": "Brahim", "Oumar": "Omar"}.get(given, given)
            family = family.replace("Ag ", "Ould ") if rng.random() < 0.5 else family
            if rng.random() < 0.3 and len(family) > 4:
                at = rng.randint(2, len(family) - 1)
                family = family[:at] + family[at + 1 :]  # a letter dropped
            copy = Combatant(
                **{
                    f.attname: getattr(person, f.attname)
                    for f in Combatant._meta.concrete_fields
                    if f.name not in {"id", "registration_number", "given_name", "family_name", "name_key"}
                },
                registration_number=registration_number(person.region.code, seq),
                given_name=given,
                family_name=family,
            )
            copy.birth_date = None
            copy.birth_year = (person.birth_year or 1990) + rng.choice((0, 0, 1))
            copy.birth_year_approximate = True
            person_derive(copy)
            copy.movement = groups["MAA-CMA"] if person.movement.code != "MAA-CMA" else groups["HCUA"]
            copy.has_weapon = bool(person.weapons.all())  # declared again below
            copies.append(copy)
        counter.value += len(copies)
        counter.save(update_fields=["value"])
        copies = bulk_create_with_history(
            copies, Combatant, default_user=admin, default_change_reason="demo data"
        )
        ids = dict(
            Combatant.objects.filter(
                registration_number__in=[c.registration_number for c in copies]
            ).values_list("registration_number", "pk")
        )
        # The same rifle declared again: a serial number declared twice, as integrity reports show.
        weapons = [
            DeclaredWeapon(
                combatant_id=ids[copy.registration_number],
                kind=weapon.kind,
                serial_number=weapon.serial_number,
                calibre=weapon.calibre,
                ammunition=weapon.ammunition,
                condition=weapon.condition,
            )
            for copy, person in zip(copies, originals, strict=True)
            for weapon in person.weapons.all()
        ]
        bulk_create_with_history(
            weapons, DeclaredWeapon, default_user=admin, default_change_reason="demo data"
        )
        late = SubmittedList.objects.create(
            title="Liste complémentaire MAA-CMA 2019",
            movement=groups["MAA-CMA"],
            submitted_to=SubmittedList.Recipient.CNDDR,
            submitted_on=dt.date(2019, 2, 15),
            certified_by="Secrétaire général MAA-CMA",
            status=SubmittedList.Status.RECEIVED,
            original_file="lists/demo/maa-cma-complementaire.csv",
            sha256=hashlib.sha256(b"demo MAA-CMA complementaire").hexdigest(),
            row_count=len(ids),
            created_by=admin,
        )
        bulk_create_with_history(
            [
                ListEntry(submitted_list=late, combatant_id=pk, line=line)
                for line, pk in enumerate(ids.values(), start=2)
            ],
            ListEntry,
            default_user=admin,
            default_change_reason="demo data",
        )
        job = Job.objects.create(kind="duplicates_find", created_by=admin)
        duplicates.duplicates_find(job_id=job.pk)
        duplicates.list_hold_check(late, MatchingSettings.current())

    @staticmethod
    def _screened(rng: random.Random, category: str) -> dict[str, Any]:
        """Screening already done, in the report's proportions (1,765 fit, about 430 unfit of 2,300)."""
        if category == Category.CHILD:
            return {"pathway": Pathway.CHILD_REFERRAL, "pathway_reason": "under_age"}
        medical = ""
        if category in (Category.COMBATANT_ARMED, Category.DEFECTOR) and rng.random() < 0.85:
            medical = rng.choices(["fit", "unfit", "reexamination"], weights=[77, 19, 4])[0]
        return {
            "age_verified": rng.random() < 0.7,
            "vetting_status": "clear" if rng.random() < 0.9 else "",
            "medical_status": medical,
        }

    def _people(
        self,
        rng: random.Random,
        count: int,
        regions: dict[str, Region],
        groups: dict[str, ArmedGroup],
        admin: User,
    ) -> None:
        region_codes = list(REGION_WEIGHTS)
        categories = [c for c, _ in CATEGORY_WEIGHTS]
        people = []
        for seq in range(1, count + 1):
            code = rng.choices(region_codes, weights=list(REGION_WEIGHTS.values()))[0]
            category = rng.choices(categories, weights=[w for _, w in CATEGORY_WEIGHTS])[0]
            female = category == Category.WOMAN_ASSOCIATED or (
                category in (Category.COMBATANT_UNARMED, Category.CHILD) and rng.random() < 0.08
            )
            first = CHILDREN_FROM if category == Category.CHILD else ACCELERATED_LAUNCH
            registered = first + dt.timedelta(days=rng.randrange(0, 600))
            age = rng.randint(14, 17) if category == Category.CHILD else rng.randint(18, 58)
            exact = rng.random() < 0.6
            born = registered - dt.timedelta(days=365 * age + rng.randrange(0, 365))
            movement = rng.choice(MOVEMENTS_BY_REGION[code])
            if category == Category.DEFECTOR:
                movement = "DEFECTEURS"
            people.append(
                Combatant(
                    registration_number=registration_number(code, seq),
                    given_name=rng.choice(GIVEN_WOMEN if female else GIVEN_MEN),
                    family_name=rng.choice(FAMILY),
                    sex=Sex.FEMALE if female else Sex.MALE,
                    birth_date=born if exact else None,
                    birth_year=born.year,
                    birth_year_approximate=not exact,
                    region=regions[code],
                    movement=groups[movement],
                    category=category,
                    status=(
                        Combatant.Status.REFERRED
                        if category == Category.CHILD
                        else rng.choice(
                            [Combatant.Status.REGISTERED] * 5
                            + [Combatant.Status.PRE_REGISTERED, Combatant.Status.SCREENED]
                        )
                    ),
                    has_weapon=category in (Category.COMBATANT_ARMED, Category.EX_MDSF),
                    registered_at=registered,
                    place_of_birth=rng.choice(PLACES_BY_REGION[code]),
                    **self._screened(rng, category),
                )
            )
        for person in people:
            person_derive(person)
        RegistrationCounter.objects.update_or_create(name="registration", defaults={"value": count})
        people = bulk_create_with_history(
            people, Combatant, batch_size=1000, default_user=admin, default_change_reason="demo data"
        )
        self._papers(rng, people, groups, admin)

    def _papers(
        self, rng: random.Random, people: list[Combatant], groups: dict[str, ArmedGroup], admin: User
    ) -> None:
        """Documents, declared weapons, and the lists that brought people in (MNLA's in two versions)."""
        ids = dict(Combatant.objects.values_list("registration_number", "id"))
        documents, weapons = [], []
        for person in people:
            pk = ids[person.registration_number]
            if rng.random() < 0.6:
                issued = person.registered_at - dt.timedelta(days=rng.choice([5, 12, 400, 2000, 3000]))
                documents.append(
                    {
                        "combatant_id": pk,
                        "kind": rng.choice(["nina", "national_id", "birth_certificate"]),
                        "number": f"ML{pk:08d}",
                        "issued_on": issued,
                        "issuer": "Mairie",
                    }
                )
            if person.has_weapon:
                weapons.append(
                    {
                        "combatant_id": pk,
                        "kind": rng.choice(["assault_rifle"] * 4 + ["machine_gun", "pistol"]),
                        "serial_number": f"{rng.choice(['AK', 'PK', 'MK'])}{rng.randint(100000, 999999)}",
                        "calibre": "7,62",
                        "ammunition": rng.randrange(0, 240, 30),
                        "condition": rng.choice(["serviceable", "serviceable", "unserviceable", "unknown"]),
                    }
                )
        insert_with_history(IdentityDocument, documents, user=admin, reason="demo data")
        insert_with_history(DeclaredWeapon, weapons, user=admin, reason="demo data")
        by_movement: dict[int, list[int]] = {}
        for person in people:
            by_movement.setdefault(person.movement_id, []).append(ids[person.registration_number])
        previous = None
        for code in ("MNLA", "MNLA", "HCUA", "GATIA", "CMFPR", "MAA-CMA", "DNA"):
            movement = groups[code]
            version = 2 if previous is not None and previous.movement_id == movement.pk else 1
            members = by_movement.get(movement.pk, [])
            if version == 1:
                members = members[: int(len(members) * 0.9)]  # the first list missed a tenth of them
            submitted = SubmittedList.objects.create(
                title=f"Liste {code} 2018",
                movement=movement,
                submitted_to=SubmittedList.Recipient.CTS,
                submitted_on=dt.date(2018, 5 + version, 2),
                certified_by=f"Secrétaire général {code}",
                version=version,
                previous=previous if version == 2 else None,
                status=SubmittedList.Status.ACCEPTED
                if version == 2 or code != "MNLA"
                else SubmittedList.Status.DISPUTED,
                original_file=f"lists/demo/{code.lower()}-v{version}.csv",
                sha256=hashlib.sha256(f"demo {code} v{version}".encode()).hexdigest(),
                row_count=len(members),
                created_by=admin,
            )
            insert_with_history(
                ListEntry,
                [
                    {
                        "submitted_list_id": submitted.pk,
                        "combatant_id": pk,
                        "line": line,
                        "movement_ref": f"{code}-{line:05d}",
                    }
                    for line, pk in enumerate(members, start=2)
                ],
                user=admin,
                audited=False,
            )
            previous = submitted

    def _sites(
        self,
        regions: dict[str, Region],
        groups: dict[str, ArmedGroup],
        cercles: dict[str, Cercle],
        admin: User,
    ) -> None:
        # "Within the eight cantonment sites that were set up, separate facilities were built for
        # children" (3.3.2); "all sites include special arrangements for female combatants" (note 8).
        sites = [
            Site(
                name=name,
                kind=Site.Kind.CANTONMENT,
                status=Site.Status.BUILT,
                region=regions[code],
                proposed_by=groups["MNLA" if code == "KID" else "GATIA"],
                capacity=1500,
                places_for_women=150,
                children_facilities=True,
            )
            for name, code in BUILT_SITES
        ]
        sites += [
            Site(
                name=name,
                kind=Site.Kind.CANTONMENT,
                status=Site.Status.PROPOSED,
                region=regions[code],
                proposed_by=groups["HCUA" if code in ("KID", "TBK") else "CMFPR"],
            )
            for name, code in OTHER_PROPOSALS
        ]
        sites += [
            Site(
                name=name,
                kind=Site.Kind.PRE_CANTONMENT,
                status=Site.Status.CLOSED,
                region=regions["KID"],
                cercle=cercles.get("Kidal"),
                capacity=620,
                places_for_women=40,
            )
            for name in PILOT_SITES
        ]
        for site in sites:
            site._change_reason = INVENTED_SITE  # type: ignore[attr-defined]
        # Completed by MINUSMA in April 2021 and handed over to the transition government (3.4),
        # which runs it for the training before redeployment in the BATFAR.
        kati = Site(
            name="Camp de transit de Kati",
            kind=Site.Kind.TRANSIT,
            status=Site.Status.OPERATIONAL,
            region=regions["KOU"],
            cercle=cercles.get("Kati"),
            capacity=250,
            places_for_women=30,
            handed_over_to="Gouvernement de transition du Mali (avril 2021)",
            intended_reuse="Camp de transit : formation avant le redéploiement dans les BATFAR",
        )
        kati._change_reason = "Démo : places pour les femmes absentes du rapport, inventées."  # type: ignore[attr-defined]
        sites.append(kati)
        # Announced by the commission's president in early 2017 (3.2.3), for the CRP.
        sites += [
            Site(
                name=f"Site PRC de {name}",
                kind=Site.Kind.PROCESSING,
                status=Site.Status.PROPOSED,
                region=regions["MOP"],
                cercle=cercles.get(name),
            )
            for name in ("Ténenkou", "Douentza", "Bankass")
        ]
        sites = bulk_create_with_history(sites, Site, default_user=admin, default_change_reason="demo data")
        cantonment_demo.seed(
            random.Random(6), list(Site.objects.select_related("region", "proposed_by")), admin
        )

    def _units(self, regions: dict[str, Region], admin: User) -> None:
        """The MOC's mixed units and the four reconstituted units, dated as the report dates them;
        a day it does not give is invented and the record's note says so."""
        day = "Démo : le rapport donne {when} ; le jour est inventé."
        # name, kind, region, garrison, established, dissolved, strength, note
        specs: list[tuple[str, str, str, str, dt.date | None, dt.date | None, int, str]] = [
            # Delayed until 2016, struck on 18 January 2017 (3.2.1).
            (
                "MOC Gao",
                Unit.Kind.MOC,
                "GAO",
                "Gao",
                dt.date(2016, 12, 1),
                None,
                600,
                day.format(when="2016"),
            ),
            # "In early 2018, mixed units of the MOC were established in Timbuktu" (3.2.1).
            (
                "MOC Tombouctou",
                Unit.Kind.MOC,
                "TBK",
                "Tombouctou",
                dt.date(2018, 2, 15),
                None,
                600,
                day.format(when="début 2018"),
            ),
            # Still to be set up in the roadmap of 22 March 2018 (annex 6.2, item 5); the report
            # never says it was.
            (
                "MOC Kidal",
                Unit.Kind.MOC,
                "KID",
                "Kidal",
                None,
                None,
                600,
                "Rapport 2024 : encore à mettre en place selon la feuille de route du 22 mars 2018 "
                "(point 5) ; aucune date de création.",
            ),
            # Deployed to Gao and Timbuktu first, Ménaka, then Kidal in February 2020 (3.3.1); the
            # Kidal BATFAR did not survive the fighting of autumn 2023 and left Kidal in October.
            (
                "BATFAR Gao",
                Unit.Kind.BATFAR,
                "GAO",
                "Gao",
                dt.date(2019, 7, 1),
                None,
                550,
                day.format(when="un déploiement avant celui de Kidal (février 2020)"),
            ),
            (
                "BATFAR Kidal",
                Unit.Kind.BATFAR,
                "KID",
                "Kidal",
                dt.date(2020, 2, 13),
                dt.date(2023, 10, 31),
                550,
                day.format(when="février 2020 et un départ de Kidal en octobre 2023"),
            ),
            (
                "BATFAR Tombouctou",
                Unit.Kind.BATFAR,
                "TBK",
                "Tombouctou",
                dt.date(2019, 7, 1),
                None,
                500,
                day.format(when="un déploiement avant celui de Kidal (février 2020)"),
            ),
            (
                "Compagnie de Ménaka",
                Unit.Kind.COMPANY,
                "MEN",
                "Ménaka",
                dt.date(2019, 12, 1),
                None,
                165,
                day.format(when="un déploiement avant celui de Kidal (février 2020)"),
            ),
        ]
        units = []
        for name, kind, code, garrison, established, dissolved, strength, note in specs:
            unit = Unit(
                name=name,
                kind=kind,
                region=regions[code],
                location=garrison,
                established=established,
                dissolved=dissolved,
                authorised_strength=strength,
            )
            unit._change_reason = f"{note} Effectif autorisé inventé."  # type: ignore[attr-defined]
            units.append(unit)
        bulk_create_with_history(units, Unit, default_user=admin, default_change_reason="demo data")

    def _projects(self, rng: random.Random, regions: dict[str, Region], admin: User) -> None:
        cvr_demo.seed(random.Random(7), regions, admin)
        cantonment_demo.seed_cvr_collections(admin)
