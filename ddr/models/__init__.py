from __future__ import annotations

import hashlib
import hmac
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Role
from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet, signed_in

# Columns of the people, document and weapon history tables left without an index: history is
# read by record id (kept indexed), and each index would slow every bulk import.
UNINDEXED_HISTORY = [
    "registration_number",
    "name_key",
    "biometric_ref",
    "region",
    "movement",
    "registered_by",
    "combatant",
    "number",
    "serial_number",
    "pathway_ruleset",
]


class Coalition(models.Model):
    """CMA, Platform, CMI... Movements join and leave them over time (see CoalitionMembership)."""

    code = models.CharField(_("acronym"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    signatory = models.BooleanField(_("signatory of the 2015 Agreement"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")

    def __str__(self) -> str:
        return self.code


class ArmedGroup(models.Model):
    """A movement, militia or self-defence group, as it appears on submitted lists."""

    class Kind(models.TextChoices):
        MOVEMENT = "movement", _("Signatory movement")
        SPLINTER = "splinter", _("Inclusivity movement")
        MILITIA = "militia", _("Militia or self-defence group (non-signatory)")
        DEFECTORS = "defectors", _("Defectors from extremist groups")

    code = models.CharField(_("acronym"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="splinters",
        verbose_name=_("split from"),
    )
    # UN-listed for recruiting children: their lists get closer age screening.
    listed_for_child_recruitment = models.BooleanField(_("UN-listed for recruiting children"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("armed group")
        verbose_name_plural = _("armed groups")

    def __str__(self) -> str:
        return self.code

    def coalition_on(self, day: Any) -> Coalition | None:
        membership = (
            self.coalition_memberships.filter(start__lte=day)
            .filter(models.Q(end__isnull=True) | models.Q(end__gt=day))
            .select_related("coalition")
            .first()
        )
        return membership.coalition if membership else None


class CoalitionMembership(models.Model):
    """A movement's membership of a coalition, with dates: groups split and change sides."""

    group = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="coalition_memberships", verbose_name=_("group")
    )
    coalition = models.ForeignKey(
        Coalition, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("coalition")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group__code", "start"]
        verbose_name = _("coalition membership")
        verbose_name_plural = _("coalition memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_end_after_start",
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.coalition} ({self.start:%Y})"


class Category(models.TextChoices):
    COMBATANT_ARMED = "combatant_armed", _("Combatant with a weapon")
    COMBATANT_UNARMED = "combatant_unarmed", _("Combatant or associate without a weapon")
    WOMAN_ASSOCIATED = "woman_associated", _("Woman associated with an armed group")
    CHILD = "child", _("Child associated with an armed group")
    EX_MDSF = "ex_mdsf", _("Former member of the defence and security forces")
    CIVILIAN_CADRE = "civilian_cadre", _("Civilian cadre of a movement")
    DEFECTOR = "defector", _("Defector")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class MedicalStatus(models.TextChoices):
    NOT_EXAMINED = "", _("Not examined")
    FIT = "fit", _("Fit")
    UNFIT = "unfit", _("Unfit")
    REEXAMINATION = "reexamination", _("Re-examination requested")


class VettingStatus(models.TextChoices):
    NOT_VETTED = "", _("Not vetted")
    CLEAR = "clear", _("Cleared")
    PENDING = "pending", _("Possible match under review")
    CONFIRMED = "confirmed", _("Confirmed match: excluded")


class Pathway(models.TextChoices):
    INTEGRATION_ARMY = "integration_army", _("Integration: armed forces")
    INTEGRATION_SECURITY = "integration_security", _("Integration: security forces")
    INTEGRATION_CIVIL = "integration_civil", _("Integration: civil service")
    RECALL = "recall", _("Recall of ex-MDSF to their corps")
    REINSERTION = "reinsertion", _("Socio-economic reinsertion (DDR)")
    COMMUNITY = "community", _("Community reinsertion (CRP)")
    CHILD_REFERRAL = "child_referral", _("Child-protection referral")
    EXCLUDED = "excluded", _("Excluded")
    PENDING = "pending", _("Pending: a screening step is missing")


class CombatantQuerySet(RegionScopedQuerySet):
    @staticmethod
    def scope_q(user: Any, prefix: str = "") -> models.Q | None:
        """Who may see a person, as a condition on `prefix` (None: nobody). The one rule for people
        and for everything that belongs to one (core.querysets.PersonScopedQuerySet).

        Children are opened by the child-protection role only; everyone else never sees them; a
        regional officer sees the people of their region.
        """
        if not signed_in(user):
            return None
        condition = models.Q()
        if user.role == Role.REGIONAL_OFFICER:
            if user.region_id is None:
                return None
            condition &= models.Q(**{f"{prefix}region": user.region_id})
        child = models.Q(**{f"{prefix}category": Category.CHILD})
        return condition & (child if user.role == Role.CHILD_PROTECTION else ~child)

    def for_user(self, user: Any) -> Self:
        scope = self.scope_q(user)
        return self.none() if scope is None else self.filter(scope)

    def may_benefit(self) -> Self:
        """People who may be enrolled in a programme (ddr.benefit.benefit_bar, set-based)."""
        from ddr.benefit import may_benefit_q  # the rule imports this module's choices

        return self.filter(may_benefit_q())


class Combatant(models.Model):
    """A person registered in the programme (combatant, associated woman, child, ex-MDSF...)."""

    class Status(models.TextChoices):
        PRE_REGISTERED = "pre_registered", _("Pre-registered")
        REGISTERED = "registered", _("Registered")
        SCREENED = "screened", _("Screened")
        ORIENTED = "oriented", _("Oriented")
        CANTONED = "cantoned", _("In cantonment")
        DEMOBILISED = "demobilised", _("Demobilised")
        REINSERTED = "reinserted", _("In reinsertion")
        IN_TRAINING = "in_training", _("In training")
        REINTEGRATED = "reintegrated", _("Reintegrated")
        INTEGRATED = "integrated", _("Integrated")
        REFERRED = "referred", _("Separated, referred to child protection")
        EXCLUDED = "excluded", _("Excluded")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECEASED = "deceased", _("Deceased")
        DESERTED = "deserted", _("Deserted")
        MERGED = "merged", _("Merged into another record (duplicate)")

    registration_number = models.CharField(_("registration number"), max_length=20, unique=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_year_approximate = models.BooleanField(_("approximate year"), default=False)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region of residence")
    )
    movement = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="members", verbose_name=_("movement")
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    has_weapon = models.BooleanField(_("declared a weapon"), default=False)
    registered_at = models.DateField(_("registered on"))
    also_known_as = models.CharField(_("also known as"), max_length=200, blank=True)
    # A duplicate merged into another record: kept, with its provenance moved, so it can be undone.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merged into"),
    )
    place_of_birth = models.CharField(_("place of birth"), max_length=100, blank=True)
    commune = models.CharField(_("commune of residence"), max_length=100, blank=True)
    rank_in_movement = models.CharField(_("rank in the movement"), max_length=60, blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/%Y/", blank=True)
    # An identifier from the enrolment device, never raw fingerprints.
    biometric_ref = models.CharField(_("biometric reference"), max_length=64, blank=True, db_index=True)
    registration_place = models.CharField(_("place of registration"), max_length=100, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    # Lower case, no accents, single spaces: what accent-insensitive search matches against.
    name_key = models.CharField(max_length=420, editable=False, db_index=True, default="")
    # Screening outcomes, kept on the person by the screening services so that a rule set can
    # decide a million pathways in one statement (ddr.eligibility).
    age_verified = models.BooleanField(_("age verified"), default=False)
    medical_status = models.CharField(
        _("medical fitness"),
        max_length=16,
        choices=MedicalStatus.choices,
        default=MedicalStatus.NOT_EXAMINED,
        blank=True,
    )
    vetting_status = models.CharField(
        _("vetting"),
        max_length=16,
        choices=VettingStatus.choices,
        default=VettingStatus.NOT_VETTED,
        blank=True,
    )
    # The decision of the rule set in force: pathway, why (reason code), which rule set.
    pathway = models.CharField(_("pathway"), max_length=24, choices=Pathway.choices, default=Pathway.PENDING)
    pathway_reason = models.CharField(_("reason"), max_length=40, blank=True)
    pathway_ruleset = models.ForeignKey(
        "ddr.RuleSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by rule set"),
    )
    # History is read per person (by id): indexes on its other columns would only slow every write.
    history = HistoricalRecords(no_db_index=UNINDEXED_HISTORY)

    objects = CombatantQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("registered person")
        verbose_name_plural = _("registered people")
        indexes = [
            models.Index(fields=["region", "category"]),
            models.Index(fields=["movement", "status"]),
            # The people table is read in name order, page by page.
            models.Index(fields=["family_name", "given_name", "id"], name="combatant_name_order"),
            models.Index(
                fields=["region", "family_name", "given_name", "id"], name="combatant_region_name_order"
            ),
            models.Index(fields=["pathway", "region"], name="combatant_pathway_region"),
            # The dashboard counts the part-months at the ends of a period from here.
            models.Index(fields=["registered_at"], name="combatant_registered_at"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.family_name} {self.given_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def card_token_for(pk: int) -> str:
    """What a card's QR code holds: opaque (keyed HMAC), so a lost card reveals nothing."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"card:{pk}".encode(), hashlib.sha256)
    return "DDR-" + digest.hexdigest()[:20].upper()


def pseudonym_for(pk: int, purpose: str) -> str:
    """A pseudonym for one purpose (an endpoint, an export): keyed HMAC of the purpose and the id,
    never reversible without the key. The purpose is in the message so that two endpoints give
    the same person two unrelated pseudonyms: no join rebuilds a profile across them."""
    if not purpose:
        raise ValueError("A pseudonym needs its purpose.")
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"combatant:{purpose}:{pk}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:16].upper()


class IdentityDocument(models.Model):
    class Kind(models.TextChoices):
        NATIONAL_ID = "national_id", _("National identity card")
        NINA = "nina", _("NINA card")
        PASSPORT = "passport", _("Passport")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        VOTER_CARD = "voter_card", _("Voter card")
        OTHER = "other", _("Other document")

    combatant = models.ForeignKey(
        Combatant, on_delete=models.PROTECT, related_name="documents", verbose_name=_("person")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=40, db_index=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    history = HistoricalRecords(no_db_index=UNINDEXED_HISTORY)

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class DeclaredWeapon(models.Model):
    class Kind(models.TextChoices):
        ASSAULT_RIFLE = "assault_rifle", _("Assault rifle")
        RIFLE = "rifle", _("Rifle")
        MACHINE_GUN = "machine_gun", _("Machine gun")
        PISTOL = "pistol", _("Pistol")
        ROCKET_LAUNCHER = "rocket_launcher", _("Rocket launcher")
        OTHER = "other", _("Other weapon")

    class Condition(models.TextChoices):
        SERVICEABLE = "serviceable", _("Serviceable")
        UNSERVICEABLE = "unserviceable", _("Unserviceable")
        UNKNOWN = "unknown", _("Not examined")

    combatant = models.ForeignKey(
        Combatant, on_delete=models.PROTECT, related_name="weapons", verbose_name=_("person")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True, db_index=True)
    calibre = models.CharField(_("calibre"), max_length=30, blank=True)
    ammunition = models.PositiveIntegerField(_("rounds of ammunition"), default=0)
    condition = models.CharField(
        _("condition"), max_length=16, choices=Condition.choices, default=Condition.UNKNOWN
    )
    history = HistoricalRecords(no_db_index=UNINDEXED_HISTORY)

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("declared weapon")
        verbose_name_plural = _("declared weapons")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial_number}".strip()


class SubmittedList(models.Model):
    """A movement's certified list of its members, as submitted; versions chain through `previous`."""

    class Recipient(models.TextChoices):
        CTS = "cts", _("Technical Security Commission (CTS)")
        CNDDR = "cnddr", _("National DDR Commission (CNDDR)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        DISPUTED = "disputed", _("Disputed")

    title = models.CharField(_("title"), max_length=200)
    movement = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="lists", verbose_name=_("movement")
    )
    submitted_to = models.CharField(_("submitted to"), max_length=8, choices=Recipient.choices)
    submitted_on = models.DateField(_("submitted on"))
    certified_by = models.CharField(_("certified by"), max_length=200, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # Set by duplicate detection when too many of the list's people are probable duplicates:
    # the list cannot be accepted while its pairs are open.
    held_share = models.FloatField(_("share of probable duplicates when held"), null=True, blank=True)
    held_limit = models.FloatField(_("limit when held"), null=True, blank=True)
    duplicates_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    original_file = models.FileField(_("original file"), upload_to="lists/%Y/")
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, unique=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_on", "movement__code", "-version"]
        verbose_name = _("submitted list")
        verbose_name_plural = _("submitted lists")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def hold_reason(self) -> str:
        """Why duplicate detection holds the list ('' when it does not), in the reader's language."""
        if self.held_share is None:
            return ""
        return _("%(share)s of its people are probable duplicates (limit %(limit)s).") % {
            "share": f"{self.held_share:.0%}",
            "limit": f"{self.held_limit or 0:.0%}",
        }


class ListEntry(models.Model):
    """One line of a submitted list, tied to the person it brought in: provenance, kept for ever."""

    submitted_list = models.ForeignKey(SubmittedList, on_delete=models.PROTECT, related_name="entries")
    combatant = models.ForeignKey(Combatant, on_delete=models.PROTECT, related_name="list_entries")
    line = models.PositiveIntegerField(_("line"))
    movement_ref = models.CharField(_("movement's own reference"), max_length=40, blank=True)
    # A merge moves entries to the kept person: the move is kept. Written in bulk by every import.
    history = HistoricalRecords(no_db_index=["submitted_list", "combatant"])

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_list", "line"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        constraints = [
            models.UniqueConstraint(fields=["submitted_list", "line"], name="list_entry_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submitted_list_id}:{self.line}"


class RegistrationCounter(models.Model):
    """The last registration sequence used; reserved in blocks under a row lock."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ListImport(models.Model):
    """An import in progress: validated and previewed first, committed (all or nothing) on request."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking the file")
        INVALID = "invalid", _("Errors found")
        READY = "ready", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed, nothing saved")

    job = models.OneToOneField("core.Job", on_delete=models.PROTECT, related_name="list_import")
    file = models.FileField(upload_to="imports/%Y/")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    movement = models.ForeignKey(
        ArmedGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("movement")
    )
    submitted_to = models.CharField(_("submitted to"), max_length=8, choices=SubmittedList.Recipient.choices)
    submitted_on = models.DateField(_("submitted on"))
    certified_by = models.CharField(_("certified by"), max_length=200, blank=True)
    previous = models.ForeignKey(
        SubmittedList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALIDATING)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first DDR_IMPORT_MAX_ERRORS
    error_count = models.PositiveIntegerField(default=0)  # all of them
    diff = models.JSONField(default=dict, blank=True)
    # The rows as checked in phase 1 (JSON), so the commit need not parse the file again.
    checked_rows = models.FileField(upload_to="imports/checked/", blank=True)
    message = models.TextField(blank=True)
    result = models.OneToOneField(
        SubmittedList, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_record"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


from .duplicates import DuplicatePair, MatchingSettings, Merge  # noqa: E402  (models split by concept)
from .eligibility import EligibilityRun, RuleSet, WaitingPlace  # noqa: E402
from .screening import AgeAssessment, ChildReferral, MedicalExam, VettingMatch, WatchlistEntry  # noqa: E402
from .tally import RegisterTally  # noqa: E402

__all__ = [
    "RegisterTally",
    "AgeAssessment",
    "ArmedGroup",
    "Category",
    "ChildReferral",
    "Coalition",
    "CoalitionMembership",
    "Combatant",
    "DeclaredWeapon",
    "DuplicatePair",
    "EligibilityRun",
    "IdentityDocument",
    "ListEntry",
    "ListImport",
    "MatchingSettings",
    "MedicalExam",
    "MedicalStatus",
    "Merge",
    "Pathway",
    "RegistrationCounter",
    "RuleSet",
    "Sex",
    "SubmittedList",
    "VettingMatch",
    "VettingStatus",
    "WaitingPlace",
    "WatchlistEntry",
    "card_token_for",
    "pseudonym_for",
]
