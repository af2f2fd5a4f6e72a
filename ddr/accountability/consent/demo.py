"""Demo consent: most of the register heard the declaration of voluntary participation at
registration, read aloud from the French text in the language of their region (Songhai in Gao,
Tamasheq in Kidal and Ménaka...), and signed or, more often, thumb-printed; a few refused; some
also heard the data-processing notice; a couple withdrew consent to their photo or biometric
reference, one to sharing with a named partner. Set-based: one bulk insert with its history.

Called by `seed_demo` after the register and reintegration (`consent_demo.seed(random.Random(10),
regions, admin)`); an empty register gives no records and no error."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from core.models import Region
from ddr.accountability.consent import services
from ddr.accountability.consent.models import ConsentKind, ConsentRecord, ConsentText, Optional
from ddr.registration.models import Category, Combatant

# Languages heard in each region: (language read in, weight).
SPOKEN: dict[str, list[tuple[str, int]]] = {
    "GAO": [("ses", 55), ("fr", 20), ("tmh", 15), ("bm", 10)],
    "KID": [("tmh", 70), ("ar", 10), ("fr", 20)],
    "MEN": [("tmh", 60), ("ses", 15), ("fr", 25)],
    "TBK": [("ses", 40), ("tmh", 30), ("ar", 10), ("fr", 20)],
    "TAO": [("ar", 50), ("tmh", 30), ("fr", 20)],
    "MOP": [("ff", 45), ("bm", 35), ("fr", 20)],
}
DEFAULT: list[tuple[str, int]] = [("bm", 60), ("fr", 35), ("en", 5)]
SHARE = 0.8  # of the register heard the declaration
NOTICE_SHARE = 0.4  # of those, also the data-processing notice


def _spoken(rng: random.Random, region: str) -> str:
    choices = SPOKEN.get(region, DEFAULT)
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _outcome(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.03:
        return ConsentRecord.Outcome.REFUSED
    return ConsentRecord.Outcome.THUMBPRINT if roll < 0.6 else ConsentRecord.Outcome.SIGNED


def seed(rng: random.Random, regions: dict[str, Region], admin: User) -> None:
    services.consent_texts_ship(admin)
    texts = {(t.kind, t.language): t for t in ConsentText.objects.filter(active=True)}
    if not texts:
        return
    officers = {u.region_id: u for u in User.objects.filter(role=Role.REGIONAL_OFFICER, is_active=True)}
    national = User.objects.filter(role=Role.COMMISSION_OFFICER, is_active=True).first() or admin
    codes = {r.pk: code for code, r in regions.items()}
    people = (
        Combatant.objects.exclude(category=Category.CHILD)
        .exclude(status=Combatant.Status.MERGED)
        .values_list("pk", "region_id", "registered_at")
        .order_by("pk")
    )
    today = timezone.localdate()
    records: list[ConsentRecord] = []
    for pk, region_id, registered_at in people:
        if rng.random() >= SHARE:
            continue
        language = _spoken(rng, codes.get(region_id, ""))
        text_language = "en" if language == "en" else "fr"  # read aloud from the French text
        officer = officers.get(region_id, national)
        on = min(registered_at, today)
        outcome = _outcome(rng)
        kinds = [ConsentKind.DECLARATION]
        if outcome != ConsentRecord.Outcome.REFUSED and rng.random() < NOTICE_SHARE:
            kinds.append(ConsentKind.DATA_NOTICE)
        for kind in kinds:
            text = texts.get((kind, text_language))
            if text is None:
                continue
            records.append(
                ConsentRecord(
                    combatant_id=pk,
                    text=text,
                    language=language,
                    outcome=outcome,
                    recorded_on=on,
                    read_by=officer,
                    recorded_by=officer,
                )
            )
    bulk_create_with_history(
        records,
        ConsentRecord,
        batch_size=1000,
        default_user=national,
        default_change_reason=gettext_noop("recorded"),
    )
    _withdrawals(national, today)


def _withdrawals(by: User, today: dt.date) -> None:
    """Two photo withdrawals (or biometric, when nobody has a photo), and a sharing restriction."""
    adults = Combatant.objects.exclude(category=Category.CHILD).exclude(status=Combatant.Status.MERGED)
    with_photo = list(adults.exclude(photo="").order_by("pk")[:2])
    for person in with_photo:
        services.consent_withdraw(
            person=person,
            scope=Optional.PHOTO,
            withdrawn_on=today,
            reason="Ne veut pas être photographié",
            by=by,
        )
    with_biometric = list(adults.exclude(biometric_ref="").order_by("-pk")[: 2 - len(with_photo) or 1])
    for person in with_biometric:
        services.consent_withdraw(
            person=person,
            scope=Optional.BIOMETRIC,
            withdrawn_on=today,
            reason="Crainte pour sa sécurité",
            by=by,
        )
    someone = adults.order_by("pk").first()
    if someone is not None:
        services.consent_withdraw(
            person=someone,
            scope=Optional.SHARING,
            partner="Association Tassaght",
            withdrawn_on=today,
            reason="Refuse le partage avec cette association",
            by=by,
        )
