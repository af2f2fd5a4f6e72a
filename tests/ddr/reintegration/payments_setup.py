"""What the payment tests share: people enrolled in a package, with or without a mobile-money
number, a batch prepared and approved by two people, a provider's statement written as CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import Role
from ddr.models import Combatant, Component, Delivery, Entitlement, PaymentBatch, Profile
from ddr.reintegration.packages.services import enrolment_create
from ddr.reintegration.payments import services

from ...factories import CombatantFactory, PackageFactory, UserFactory, region

ENROLLED_ON = dt.date(2024, 1, 10)
# By then the first tranche (day 0) and the toolkit (day 30) are due, the second tranche (day 90) not.
DUE_BY = dt.date(2024, 3, 1)


def paid_on() -> dt.date:
    """Statements pay on the day: a payment is never dated before its batch was prepared."""
    return timezone.localdate()


def approver(username: str = "approbateur") -> Any:
    return UserFactory.create(username=username, role=Role.COMMISSION_OFFICER)


def profile(person: Combatant, by: Any, number: str = "+22370000000") -> Profile:
    return Profile.objects.create(
        combatant=person, mobile_money=number, profiled_on=ENROLLED_ON, profiled_by=by
    )


def enrolled(
    by: Any,
    n: int = 1,
    *,
    package: Any = None,
    mobile: bool = True,
    on: dt.date = ENROLLED_ON,
    **person: Any,
) -> list[Combatant]:
    """`n` people enrolled in `package` (a new test package by default), oriented, each with a
    mobile-money number unless `mobile` is False."""
    package = package or PackageFactory.create()
    people = []
    for _ in range(n):
        someone = CombatantFactory.create(status=Combatant.Status.ORIENTED, **person)
        if mobile:
            profile(someone, by, f"+2237{someone.pk:07d}")
        enrolment_create(person=someone, package=package, on=on, by=by)
        people.append(someone)
    return people


def cash_only_package() -> Any:
    """A package of one cash tranche: paying it delivers the whole package."""
    package = PackageFactory.create(components=False)
    Component.objects.create(
        package=package,
        kind=Component.Kind.ALLOWANCE,
        delivery=Delivery.CASH,
        amount_xof=100_000,
        due_after_days=0,
        position=1,
        label="Filet de sécurité",
    )
    return package


def prepared(by: Any, **filters: Any) -> PaymentBatch:
    options: dict[str, Any] = {"due_by": DUE_BY, "channel": "mobile_money", "provider": "Orange Money"}
    return services.batch_prepare(by=by, **{**options, **filters})


def exported(preparer: Any, checker: Any, **filters: Any) -> PaymentBatch:
    batch = prepared(preparer, **filters)
    services.batch_approve(batch=batch, by=checker)
    services.batch_export(batch=batch, fmt="csv", by=checker)
    batch.refresh_from_db()
    return batch


def statement_csv(
    rows: list[tuple[Any, ...]], header: str = "reference;amount;currency;status;paid_on;provider_reference"
) -> bytes:
    lines = [header] + [";".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def all_paid(batch: PaymentBatch, status: str = "paid") -> list[tuple[Any, ...]]:
    return [
        (line.reference, line.amount_xof, "XOF", status, paid_on().strftime("%d/%m/%Y"), f"OM{line.pk}")
        for line in batch.lines.order_by("reference")
    ]


def states(people: list[Combatant]) -> list[str]:
    return list(
        Entitlement.objects.filter(combatant__in=people).order_by("pk").values_list("state", flat=True)
    )


def gao_people(by: Any, n: int = 1, **kwargs: Any) -> list[Combatant]:
    return enrolled(by, n, region=region("GAO"), **kwargs)
