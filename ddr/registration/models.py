from __future__ import annotations

import hashlib
import hmac
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser, Role
from core.models import ChoiceLabels
from core.querysets import PersonScopedQuerySet, RegionScopedQuerySet, signed_in
from ddr.reintegration.profiles.models import ChoiceOption

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


class CombatantQuerySet(RegionScopedQuerySet["Combatant"]):
    @staticmethod
    def scope_q(user: AnyUser, prefix: str = "") -> models.Q | None:
        """Who may see a person, as a condition on `prefix` (None: nobody). The one rule for people
        and for everything that belongs to one (core.querysets.PersonScopedQuerySet).

        Children are opened by the child-protection role only; everyone else never sees them; a
        regional officer sees the people of their region; the protection focal point sees nobody.
        """
        if not signed_in(user) or user.role == Role.FOCAL_POINT:
            return None  # the focal point reads the sensitive grievances, never the register
        condition = models.Q()
        if user.role == Role.REGIONAL_OFFICER:
            if user.region_id is None:
                return None
            condition &= models.Q(**{f"{prefix}region": user.region_id})
        child = models.Q(**{f"{prefix}category": Category.CHILD})
        return condition & (child if user.role == Role.CHILD_PROTECTION else ~child)

    def for_user(self, user: AnyUser) -> Self:
        scope = self.scope_q(user)
        return self.none() if scope is None else self.filter(scope)

    def may_benefit(self) -> Self:
        """People who may be enrolled in a programme (ddr.benefit.benefit_bar, set-based)."""
        from ddr.registration.benefit import may_benefit_q

        return self.filter(may_benefit_q())


class Combatant(ChoiceLabels, models.Model):
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
        "ddr.ArmedGroup", on_delete=models.PROTECT, related_name="members", verbose_name=_("movement")
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
    name_key = models.CharField(_("search key"), max_length=420, editable=False, db_index=True, default="")
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
    # The decision of the rule set in force: pathway, why (reason code), and the rule set that
    # last changed it (a newer one that gives the same decision leaves it: see
    # `eligibility.selectors.decided_by`).
    pathway = models.CharField(_("pathway"), max_length=24, choices=Pathway.choices, default=Pathway.PENDING)
    pathway_reason = models.CharField(_("reason"), max_length=40, blank=True)
    # The person's latest recorded choice (ddr.Choice keeps them all): eligibility rules read it.
    choice = models.CharField(
        _("choice"), max_length=24, choices=ChoiceOption.choices, blank=True, default="", db_default=""
    )
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
            # The home page counts the children referred (never in the register tally) from here:
            # an index-only scan of the children alone.
            models.Index(
                fields=["region", "status"], condition=Q(category="child"), name="combatant_children"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.family_name} {self.given_name}"

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # Django's, with one word changed
        # The report insists on the word: defectors are recruited into the forces, not integrated.
        if self.status == self.Status.INTEGRATED and self.category == Category.DEFECTOR:
            return str(_("Recruited into the armed forces"))
        return str(self._get_FIELD_display(self._meta.get_field("status")))  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def card_token_for(pk: int) -> str:
    """What a card's QR code holds: opaque (keyed HMAC), so a lost card reveals nothing."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"card:{pk}".encode(), hashlib.sha256)
    return "DDR-" + digest.hexdigest()[:20].upper()


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

    @property
    def receipt_number(self) -> str:
        """The declaration receipt's number, from the record: a reprint carries the same one.
        "DA" for déclaration d'arme, distinct from the hand-in receipts' "RM-"."""
        return f"DA-{self.pk:06d}"


class RegistrationCounter(models.Model):
    """The last registration sequence used; reserved in blocks under a row lock."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


# Each grouping keeps the counts one family of dashboard figures needs, by region and month of
# registration; the columns a grouping does not use hold "", 0 or false. Narrow groupings stay
# small where one grouping by every column would hold nearly a row per person.
GROUPINGS = {
    "status": ["status", "pathway"],  # the funnel, pathways by region, quotas
    "sex": ["pathway", "sex"],  # merged records left out
    "movement": ["pathway", "movement_id"],  # merged records left out
    "category": ["category", "has_weapon"],  # the home page; merged records left out
}
KEY = ["grouping", "region", "month", "status", "pathway", "sex", "movement_id", "category", "has_weapon"]


class TallyQuerySet(RegionScopedQuerySet["RegisterTally"]):
    def for_user(self, user: AnyUser) -> Self:
        # Children are not tallied: the child-protection role reads none of these counts.
        if user and user.is_authenticated and user.role == Role.CHILD_PROTECTION:
            return self.none()
        return super().for_user(user)


class RegisterTally(models.Model):
    """How many people (children left out) share a region, a month of registration and the
    columns of one grouping. Derived data: written only by the database triggers of migrations
    0013 and 0025 on every insert, update, delete and COPY of a person, and never archived."""

    grouping = models.CharField(max_length=8)
    region = models.ForeignKey(
        "core.Region", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(_("month of registration"))
    status = models.CharField(max_length=16)
    pathway = models.CharField(max_length=24)
    sex = models.CharField(max_length=1)
    movement_id = models.BigIntegerField()
    category = models.CharField(max_length=24, default="")
    has_weapon = models.BooleanField(default=False)
    n = models.IntegerField(default=0)

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("register tally")
        verbose_name_plural = _("register tallies")
        constraints = [models.UniqueConstraint(fields=KEY, name="register_tally_key")]

    def __str__(self) -> str:
        return f"{self.grouping} {self.month:%Y-%m}: {self.n}"
