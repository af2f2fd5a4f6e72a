"""Consent services, every write of this part: the texts' versions (written, activated: the
previous version retires), a person's answer (at registration or later), a withdrawal of optional
processing (which removes what it covers) and a new photo (refused while the photo is withdrawn)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.audit import save_audited
from core.errors import Refused
from core.uploads import document_file_is_accepted
from ddr.accountability.consent import rules as R
from ddr.accountability.consent import selectors
from ddr.accountability.consent.models import (
    ConsentKind,
    ConsentLanguage,
    ConsentRecord,
    ConsentText,
    ConsentWithdrawal,
    Optional,
)
from ddr.accountability.consent.texts import SHIPPED
from ddr.registration.models import Combatant

SCAN_MAX_BYTES = 10_000_000


class ConsentRefused(Refused):
    """The consent, the text or the withdrawal cannot be recorded so; the message says why."""


# --- texts ---------------------------------------------------------------------------------


@transaction.atomic
def consent_text_create(
    *, kind: str, language: str, title: str, body: str, translator: str = "", by: User
) -> ConsentText:
    """A new version of a text (the next number for its kind and language), not active yet."""
    if kind not in ConsentKind.values:
        raise ConsentRefused(_("Choose the text: declaration or data-processing notice."), "kind")
    if language not in ConsentLanguage.values:
        raise ConsentRefused(_("Choose one of the programme's languages."), "language")
    if not body.strip() or not title.strip():
        raise ConsentRefused(_("A text needs its title and its body."), "body")
    if R.translator_required(language) and not translator.strip():
        raise ConsentRefused(
            _("A text in a language other than French or English names its translator."), "translator"
        )
    latest = ConsentText.objects.filter(kind=kind, language=language).aggregate(v=Max("version"))["v"]
    text = ConsentText(
        kind=kind,
        language=language,
        version=(latest or 0) + 1,
        title=title.strip(),
        body=body.strip(),
        translator=translator.strip(),
    )
    text._history_user = by  # type: ignore[attr-defined]
    text.save()
    return text


@transaction.atomic
def consent_text_activate(*, text: ConsentText, by: User) -> ConsentText:
    """Make this version the one officers read: the active version of its kind and language
    retires (records keep naming it)."""
    text = ConsentText.objects.select_for_update().get(pk=text.pk)
    if text.active:
        raise ConsentRefused(_("This version is already active."))
    if text.retired_on is not None:
        raise ConsentRefused(_("A retired version is not activated again: write a new version."))
    today = timezone.localdate()
    for previous in ConsentText.objects.select_for_update().filter(
        kind=text.kind, language=text.language, active=True
    ):
        previous.active, previous.retired_on = False, today
        save_audited(previous, by, ["active", "retired_on"], f"replaced by v{text.version}")
    text.active, text.activated_on = True, today
    save_audited(text, by, ["active", "activated_on"], gettext_noop("activated"))
    return text


def consent_texts_ship(by: User | None = None) -> int:
    """The French and English texts the project ships, each active, when missing (idempotent):
    for a database emptied after its migrations (tests that flush). Returns the texts created."""
    created = 0
    for kind, language, title, body in SHIPPED:
        if not ConsentText.objects.filter(kind=kind, language=language).exists():
            ConsentText.objects.create(
                kind=kind,
                language=language,
                version=1,
                title=title,
                body=body,
                active=True,
                activated_on=timezone.localdate(),
            )
            created += 1
    return created


# --- a person's answer ------------------------------------------------------------------------


def scan_problem(scan: Any) -> str:
    """Why a scanned form is refused ('' when accepted): only a PDF or an image, by name and content."""
    if scan is None:
        return ""
    if (getattr(scan, "size", 0) or 0) > SCAN_MAX_BYTES:
        return _("The scanned form is larger than %(mb)s MB.") % {"mb": SCAN_MAX_BYTES // 1_000_000}
    if not document_file_is_accepted(scan):
        return _("The scanned form must be a PDF or an image (JPEG, PNG or WebP).")
    return ""


@transaction.atomic
def consent_record(
    *,
    person: Combatant,
    text: ConsentText,
    language: str,
    outcome: str,
    recorded_on: dt.date,
    read_by: User | None = None,
    scan: Any = None,
    restores: str = "",
    partner: str = "",
    by: User,
) -> ConsentRecord:
    """Record that `text` was read to the person in `language` by `read_by` (default: whoever
    records) and what they answered. Refused, nothing recorded, for a version that is not active,
    a scanned form that is not a PDF or an image, a date in the future, consent given again by a
    refusal or to sharing with nobody named."""
    current = ConsentText.objects.filter(pk=text.pk, active=True).first()
    if current is None:
        active = selectors.active_text(text.kind, text.language)
        message = _("This version of the text is not active: read the active version.")
        if active is None:
            message = _("This version of the text is not active, and no version in this language is.")
        raise ConsentRefused(message, "text")
    if language not in ConsentLanguage.values:
        raise ConsentRefused(_("Choose the language the text was read in."), "language")
    if outcome not in ConsentRecord.Outcome.values:
        raise ConsentRefused(_("Say whether the person signed, thumb-printed or refused."), "outcome")
    if recorded_on > timezone.localdate():
        raise ConsentRefused(_("The date cannot be in the future."), "recorded_on")
    if problem := scan_problem(scan):
        raise ConsentRefused(problem, "scan")
    if restores and restores not in Optional.values:
        raise ConsentRefused(_("Choose what consent is given again for."), "restores")
    if restores and outcome == ConsentRecord.Outcome.REFUSED:
        raise ConsentRefused(_("A refusal gives no consent again."), "restores")
    if restores == Optional.SHARING and not partner.strip():
        raise ConsentRefused(_("Name the partner the person agrees to share with."), "partner")
    record = ConsentRecord(
        combatant=person,
        text=current,
        language=language,
        outcome=outcome,
        recorded_on=recorded_on,
        read_by=read_by or by,
        recorded_by=by,
        restores=restores,
        partner=partner.strip() if restores == Optional.SHARING else "",
    )
    if scan is not None:
        record.scan = scan
    record._history_user = by  # type: ignore[attr-defined]
    record.save()
    return record


# --- withdrawal -------------------------------------------------------------------------------


@transaction.atomic
def consent_withdraw(
    *, person: Combatant, scope: str, withdrawn_on: dt.date, partner: str = "", reason: str = "", by: User
) -> ConsentWithdrawal:
    """Record that the person withdrew consent to `scope`, and remove what it covers: the photo
    (its file deleted from storage once the transaction commits; the history says it was removed),
    the biometric reference (cleared); sharing with a partner is recorded and shown as a restriction.
    What the programme must keep stays (`rules.RETAINED`, with its basis)."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    partner = partner.strip()
    if scope not in Optional.values:
        raise ConsentRefused(_("Choose what the person withdraws consent for."), "scope")
    if scope == Optional.SHARING and not partner:
        raise ConsentRefused(_("Name the partner the person no longer agrees to share with."), "partner")
    if withdrawn_on > timezone.localdate():
        raise ConsentRefused(_("The date cannot be in the future."), "withdrawn_on")
    if selectors.withdrawn(person, scope, partner):
        raise ConsentRefused(_("This consent is already withdrawn."), "scope")
    withdrawal = ConsentWithdrawal(
        combatant=person,
        scope=scope,
        partner=partner if scope == Optional.SHARING else "",
        withdrawn_on=withdrawn_on,
        reason=reason.strip()[:500],
        recorded_by=by,
    )
    withdrawal._history_user = by  # type: ignore[attr-defined]
    withdrawal.save()
    if scope == Optional.PHOTO and person.photo:
        name, storage = person.photo.name, person.photo.storage
        person.photo = ""
        save_audited(person, by, ["photo"], "photo removed: consent withdrawn")
        # After the commit only: a refused or failed withdrawal keeps the file.
        transaction.on_commit(lambda: storage.delete(name))
    elif scope == Optional.BIOMETRIC and person.biometric_ref:
        person.biometric_ref = ""
        save_audited(person, by, ["biometric_ref"], "biometric reference cleared: consent withdrawn")
    return withdrawal


@transaction.atomic
def person_photo_replace(*, person: Combatant, photo: Any, by: User) -> Combatant:
    """A new photo of the person; refused while the person's withdrawal of the photo is in force
    (until a new consent record gives it again)."""
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    if selectors.withdrawn(person, Optional.PHOTO):
        raise ConsentRefused(
            _(
                "The person withdrew consent to their photo: record their consent again (for the photo) "
                "before taking a new one."
            ),
            "photo",
        )
    person.photo = photo
    save_audited(person, by, ["photo"], gettext_noop("photo replaced"))
    return person
