from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from accounts.models import Role, User
from cantonment.models import Site
from core.models import Region
from cvr.models import Partner, Project
from ddr.eligibility.models import RuleSet
from ddr.models import ArmedGroup, Category, Combatant, Component, Delivery, FundingSource, Package, Sex
from ddr.registration.names import person_derive
from ddr.registration.rules import registration_number
from integration.models import Unit


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def group(code: str) -> ArmedGroup:
    return ArmedGroup.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Awa"
    last_name = "Traoré"
    role = Role.COMMISSION_OFFICER
    password = factory.PostGenerationMethodCall("set_password", "Sahel-pass-2024")

    @factory.post_generation
    def save_password(self: Any, create: bool, extracted: Any, **kwargs: Any) -> None:  # self: the User made
        if create:
            self.save()


class CombatantFactory(factory.django.DjangoModelFactory[Combatant]):
    class Meta:
        model = Combatant

    registration_number = factory.Sequence(lambda n: registration_number("TST", n + 1))
    given_name = "Mohamed"
    family_name = factory.Sequence(lambda n: f"Ag Family{n}")
    sex = Sex.MALE
    birth_year = 1990
    region = factory.LazyFunction(lambda: region("GAO"))
    movement = factory.LazyFunction(lambda: group("GATIA"))
    category = Category.COMBATANT_ARMED
    has_weapon = True
    registered_at = dt.date(2019, 3, 1)
    also_known_as = ""

    @classmethod
    def _build(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        person = model_class(*args, **kwargs)
        person_derive(person)  # the search key and the birth year, as every path computes them
        return person

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        person = cls._build(model_class, *args, **kwargs)
        person.save(using=cls._meta.database)  # type: ignore[attr-defined]
        return person


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    kind = Site.Kind.CANTONMENT
    region = factory.LazyFunction(lambda: region("GAO"))
    capacity = 100
    places_for_women = 10
    status = Site.Status.OPERATIONAL


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = Unit.Kind.BATFAR
    region = factory.LazyFunction(lambda: region("GAO"))


class PartnerFactory(factory.django.DjangoModelFactory[Partner]):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"ONG {n}")


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"RVC-T-{n:03d}")
    title = "Maraîchage"
    kind = Project.Kind.AGRICULTURE
    region = factory.LazyFunction(lambda: region("GAO"))
    partner = factory.SubFactory(PartnerFactory)
    status = Project.Status.DRAFT
    budget_usd = 50000
    start = dt.date(2022, 7, 1)
    end = dt.date(2023, 6, 30)


class RuleSetFactory(factory.django.DjangoModelFactory[RuleSet]):
    class Meta:
        model = "ddr.RuleSet"

    name = factory.Sequence(lambda n: f"Accord {n}")
    effective_from = dt.date(2018, 1, 1)
    # Every pathway by the general fields, as before per-pathway requirements (the tests of those
    # give them: tests/ddr/test_pathway_requirements.py).
    pathway_requirements = factory.LazyFunction(dict)


# --- reinsertion and reintegration ---------------------------------------------------------


class FundingSourceFactory(factory.django.DjangoModelFactory[FundingSource]):
    class Meta:
        model = FundingSource
        django_get_or_create = ("code",)

    code = "world-bank"
    name = "Banque mondiale"
    envelope_xof = 2_400_000_000


class PackageFactory(factory.django.DjangoModelFactory[Package]):
    """A short-term package: two tranches of the allowance (cash) and a toolkit (in kind)."""

    class Meta:
        model = Package
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"reinsertion-{n}")
    name = "Filet de sécurité transitoire et kit"
    funding_source = factory.SubFactory(FundingSourceFactory)
    envelope_xof = 900_000_000
    effective_from = dt.date(2019, 1, 1)

    @factory.post_generation
    def components(self: Any, create: bool, extracted: Any, **kwargs: Any) -> None:  # self: the Package
        if not create or extracted is False:
            return
        for position, (kind, delivery, amount, days) in enumerate(
            [
                (Component.Kind.ALLOWANCE, Delivery.CASH, 75_000, 0),
                (Component.Kind.ALLOWANCE, Delivery.CASH, 75_000, 90),
                (Component.Kind.TOOLKIT, Delivery.IN_KIND, 250_000, 30),
            ],
            start=1,
        ):
            label = f"{Component.Kind(kind).label} {position}"
            Component.objects.create(
                package=self,
                kind=kind,
                delivery=delivery,
                amount_xof=amount,
                due_after_days=days,
                position=position,
                label=label,
            )
