"""CVR services: consortia, the project lifecycle (with the SOP check at approval), beneficiaries,
the mix computed for the worker, and the M&E visit alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from core.audit import save_audited
from core.dates import shown_date
from core.errors import Refused
from core.lifecycle import Lifecycle, Step
from core.masterdata import record_save, refuse_on, split_many
from core.models import Decision, Job
from cvr import rules
from cvr.models import (
    Beneficiary,
    BeneficiaryImport,
    Committee,
    CommunityConsultation,
    Consortium,
    ParticipantMatch,
    Partner,
    Project,
    ProjectEvent,
    SOPVersion,
)
from cvr.models.beneficiaries import YOUTH_BANDS
from ddr.models import Combatant, Pathway, VettingMatch, VettingStatus, WatchlistEntry
from ddr.registration.benefit import benefit_refusal
from ddr.registration.names import canonical
from ddr.screening import services as screening

S = Project.Status
# Pathways that lead to CVR: community reinsertion (CRP) and socio-economic reinsertion.
CVR_PATHWAYS = frozenset({Pathway.COMMUNITY, Pathway.REINSERTION})
ME_WARNING = dt.timedelta(days=30)


class CVRRefused(Refused):
    """A CVR change cannot be made; the message says why. Nothing was changed."""


# --- partners -----------------------------------------------------------------------------


@transaction.atomic
def consortium_create(
    *, name: str, lead: Partner, members: Sequence[Partner], formed_on: dt.date, by: User
) -> Consortium:
    """Two or three local NGOs, the lead among them."""
    members = list({m.pk: m for m in members}.values())
    if not 2 <= len(members) <= 3:
        raise CVRRefused(
            _("A consortium has 2 or 3 NGOs (lead included); %(n)s were given.") % {"n": len(members)},
            "members",
        )
    if lead.pk not in {m.pk for m in members}:
        raise CVRRefused(_("The lead NGO %(lead)s must be one of the members.") % {"lead": lead}, "lead")
    not_local = [str(m) for m in members if m.kind != Partner.Kind.LOCAL_NGO]
    if not_local:
        raise CVRRefused(
            _("Only local NGOs form a consortium: %(names)s.") % {"names": ", ".join(not_local)}, "members"
        )
    consortium = Consortium(name=name, lead=lead, formed_on=formed_on)
    consortium._history_user = by  # type: ignore[attr-defined]
    consortium.save()
    consortium.members.set(members)
    return consortium


# --- projects -----------------------------------------------------------------------------


@transaction.atomic
def project_create(*, by: User, **values: Any) -> Project:
    """A new project, saved as a draft; `values` are the project's own fields (code, title,
    kind, place, implementer, budget, dates, targets). Its steps follow by `project_advance`."""
    project = Project(**values, status=S.DRAFT)
    project._history_user = by  # type: ignore[attr-defined]
    project.save()
    return project


def project_analysis_record(
    *, project: Project, by: User, political_economy: str, risk_analysis: str
) -> None:
    """The analysis of the area and of the risks (recommendations X and XI), audited as any change."""
    project.political_economy, project.risk_analysis = political_economy.strip(), risk_analysis.strip()
    save_audited(project, by, ["political_economy", "risk_analysis"])


def consultation_record(*, project: Project, by: User, **values: Any) -> CommunityConsultation:
    """A request or a consultation of the community, recorded on its project."""
    problem = rules.consultation_problem(
        values.get("participants", 0), values.get("women", 0), values["on"], timezone.localdate()
    )
    refuse_on(problem, CVRRefused)
    consultation = CommunityConsultation(project=project, recorded_by=by, **values)
    consultation._history_user = by  # type: ignore[attr-defined]
    consultation.save()
    return consultation


# --- lifecycle ----------------------------------------------------------------------------


def sop_for(day: dt.date) -> SOPVersion | None:
    return rules.sop_in_force(SOPVersion.objects.all(), day)


def _skipped(project: Project, to: str) -> str:
    return _("A project cannot go from “%(from)s” to “%(to)s”: no step may be skipped.") % {
        "from": project.get_status_display(),
        "to": S(to).label if to in S.values else to,
    }


# The steps in order; a project never skips one. The technical assessment is required for water
# and construction projects and skipped for the others.
LIFECYCLE: Lifecycle[Project, ProjectEvent] = Lifecycle(
    {
        S.DRAFT: {S.SUBMITTED},
        S.SUBMITTED: {S.LOCAL_REVIEW},
        S.LOCAL_REVIEW: {S.PAC},
        S.PAC: {S.GOVERNOR, S.VETTED},
        S.GOVERNOR: {S.VETTED},
        S.VETTED: {S.ASSESSED, S.IMPLEMENTATION},
        S.ASSESSED: {S.IMPLEMENTATION},
        S.IMPLEMENTATION: {S.COMPLETED, S.TRANSFERRED},
        S.COMPLETED: {S.VISITED, S.TRANSFERRED},
        S.VISITED: {S.CLOSED},
        S.CLOSED: set(),
        S.TRANSFERRED: set(),
    },
    refused=CVRRefused,
    forbidden=_skipped,
    event=ProjectEvent,
    owner="project",
    notes=["minutes"],
    future=False,
)


def project_advance(
    *,
    project: Project,
    to: str,
    on: dt.date,
    by: User,
    decided_by: str = "",
    decision: Decision | None = None,
    minutes: str = "",
    technical_agency: str = "",
    technical_result: str = "",
    me_mode: str = "",
    me_source: str = "",
    me_findings: str = "",
    transferred_to: Partner | None = None,
    remaining_funds_usd: Decimal | None = None,
) -> ProjectEvent:
    """Move a project to its next step, with the checks each step requires."""
    return LIFECYCLE.advance(
        project,
        to=to,
        on=on,
        by=by,
        decided_by=decided_by,
        decision=decision,
        minutes=minutes,
        technical_agency=technical_agency,
        technical_result=technical_result,
        me_mode=me_mode,
        me_source=me_source,
        me_findings=me_findings,
        transferred_to=transferred_to,
        remaining_funds_usd=remaining_funds_usd,
    ).event


@LIFECYCLE.entering(S.LOCAL_REVIEW)
def _reviewed_locally(project: Project, step: Step) -> list[str]:
    """The local review committee approves a project whose participants were vetted against the
    watch-list (the report's own case: CVR participants checked against the "wanted list")."""
    if waiting := unvetted_participants(project):
        raise CVRRefused(
            ngettext(
                "%(n)s participant is not yet cleared against the watch-list: screen the participants "
                "and review the possible matches first.",
                "%(n)s participants are not yet cleared against the watch-list: screen the participants "
                "and review the possible matches first.",
                waiting,
            )
            % {"n": waiting},
            "to",
        )
    return []


@LIFECYCLE.entering(S.PAC)
def _approve(project: Project, step: Step) -> list[str]:
    """Approval checks the budget against the SOP in force that day, and records which."""
    sop = sop_for(step.on)
    if sop is None:
        raise CVRRefused(
            _("No SOP is in force on %(d)s: record the SOP versions first.") % {"d": shown_date(step.on)},
            "on",
        )
    # The caps bound grants to NGOs; UN agencies implementing a project are not under them.
    capped = project.consortium_id is not None or (
        project.partner and project.partner.kind != Partner.Kind.UN_AGENCY
    )
    refusal = (
        rules.cap_refusal(sop, project.budget_usd, consortium=project.consortium_id is not None)
        if capped
        else ""
    )
    if refusal:
        raise CVRRefused(refusal, "budget_usd")
    project.approved_on, project.sop = step.on, sop
    return ["approved_on", "sop"]


@LIFECYCLE.entering(S.GOVERNOR)
def _governor(project: Project, step: Step) -> list[str]:
    if project.approved_on and not rules.needs_governor(project.approved_on):
        raise CVRRefused(
            _("Governors approve projects the PAC approved from %(d)s on; this one was approved on %(on)s.")
            % {"d": shown_date(rules.GOVERNOR_APPROVAL_FROM), "on": shown_date(project.approved_on)},
            "to",
        )
    return []


@LIFECYCLE.entering(S.VETTED)
def _vetted(project: Project, step: Step) -> list[str]:
    if project.status == S.PAC and rules.needs_governor(project.approved_on):
        raise CVRRefused(
            _("Since %(d)s the governor of the region approves every project after the PAC: record it first.")
            % {"d": shown_date(rules.GOVERNOR_APPROVAL_FROM)},
            "to",
        )
    return []


@LIFECYCLE.entering(S.ASSESSED)
def _assessed(project: Project, step: Step) -> list[str]:
    agency, result = step.details["technical_agency"], step.details["technical_result"]
    if not (agency.strip() and result.strip()):
        raise CVRRefused(_("Name the government agency and its result."), "technical_agency")
    project.technical_agency, project.technical_result = agency, result
    return ["technical_agency", "technical_result"]


@LIFECYCLE.entering(S.IMPLEMENTATION)
def _started(project: Project, step: Step) -> list[str]:
    if project.status == S.VETTED and project.needs_technical_assessment:
        raise CVRRefused(
            _("A %(kind)s project needs the technical assessment of the competent agency first.")
            % {"kind": project.get_kind_display().lower()},
            "to",
        )
    project.actual_start = step.on
    return ["actual_start"]


@LIFECYCLE.entering(S.COMPLETED)
def _completed(project: Project, step: Step) -> list[str]:
    """Completion sets the day the M&E visit falls due: the delay of the project's SOP after it."""
    if project.actual_start and step.on < project.actual_start:
        raise CVRRefused(
            _("Completion (%(end)s) cannot come before the start (%(start)s).")
            % {"end": shown_date(step.on), "start": shown_date(project.actual_start)},
            "on",
        )
    sop = project.sop or sop_for(step.on)
    project.actual_end = step.on
    project.me_due_on = step.on + dt.timedelta(days=sop.me_delay_days if sop else 365)
    project.me_flag = _me_flag(project.me_due_on, timezone.localdate())
    return ["actual_end", "me_due_on", "me_flag"]


@LIFECYCLE.entering(S.VISITED)
def _visited(project: Project, step: Step) -> list[str]:
    mode, source = step.details["me_mode"], step.details["me_source"]
    if mode not in Project.VisitMode.values:
        raise CVRRefused(_("Say whether the visit was on site or reported remotely."), "me_mode")
    if mode == Project.VisitMode.REMOTE and not source.strip():
        raise CVRRefused(_("A remote report names its source (NGO, beneficiaries…)."), "me_source")
    project.me_visited_on, project.me_mode, project.me_source = step.on, mode, source
    project.me_findings, project.me_flag = step.details["me_findings"], Project.VisitFlag.NONE
    return ["me_visited_on", "me_mode", "me_source", "me_findings", "me_flag"]


@LIFECYCLE.entering(S.TRANSFERRED)
def _transferred(project: Project, step: Step) -> list[str]:
    to, funds = step.details["transferred_to"], step.details["remaining_funds_usd"]
    if to is None or funds is None:
        raise CVRRefused(_("Name the partner taking over and the funds remaining."), "transferred_to")
    project.transferred_to, project.remaining_funds_usd = to, funds
    return ["transferred_to", "remaining_funds_usd"]


def _me_flag(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return Project.VisitFlag.NONE
    if due < today:
        return Project.VisitFlag.OVERDUE
    if due <= today + ME_WARNING:
        return Project.VisitFlag.DUE_SOON
    return Project.VisitFlag.NONE


@transaction.atomic
def me_visits_flag(today: dt.date | None = None) -> dict[str, int]:
    """Completed projects whose one-year visit is overdue or due within 30 days (daily job)."""
    today = today or timezone.localdate()
    waiting = Project.objects.filter(status=S.COMPLETED, me_due_on__isnull=False)
    return {
        "overdue": waiting.filter(me_due_on__lt=today).exclude(me_flag="overdue").update(me_flag="overdue"),
        "due_soon": waiting.filter(me_due_on__gte=today, me_due_on__lte=today + ME_WARNING)
        .exclude(me_flag="due_soon")
        .update(me_flag="due_soon"),
        "none": Project.objects.exclude(me_flag="")
        .filter(Q(me_due_on__gt=today + ME_WARNING) | ~Q(status=S.COMPLETED))
        .update(me_flag=""),
    }


# --- beneficiaries ------------------------------------------------------------------------


def ex_combatant_refusal(person: Combatant) -> str:
    """Why a registered person cannot be a CVR beneficiary ('' when they can)."""
    if refusal := benefit_refusal(person):
        return refusal
    if person.pathway not in CVR_PATHWAYS:
        return _("%(who)s's pathway (%(pathway)s) does not lead to CVR.") % {
            "who": person.registration_number,
            "pathway": person.get_pathway_display(),
        }
    return ""


def beneficiary_add(
    *, project: Project, by: User, person: Combatant | None = None, **values: Any
) -> Beneficiary:
    with transaction.atomic():
        if person is not None:
            refusal = ex_combatant_refusal(person)
            if refusal:
                raise CVRRefused(refusal, "person")
            if project.participants.filter(combatant=person).exists():
                raise CVRRefused(
                    _("%(who)s is already a beneficiary of this project.")
                    % {"who": person.registration_number},
                    "person",
                )
            values.update(kind=Beneficiary.Kind.EX_COMBATANT, sex=person.sex, name="")
        else:
            if not values.get("name", "").strip():
                raise CVRRefused(_("A community member needs a name."), "name")
            values["kind"] = Beneficiary.Kind.COMMUNITY
        beneficiary = Beneficiary(project=project, combatant=person, registered_by=by, **values)
        beneficiary._history_user = by  # type: ignore[attr-defined]
        beneficiary.save()
        participants_screen(project=project, by=by)
        mix_refresh_later([project.pk])
    beneficiary.refresh_from_db(fields=["vetting_status"])
    return beneficiary


# --- vetting of participants -----------------------------------------------------------------

UNDECIDED = (VettingStatus.NOT_VETTED, VettingStatus.PENDING)


def unvetted_participants(project: Project) -> int:
    """Participants not yet cleared: community members not screened or with a match under review,
    ex-combatants whose vetting in the register is not done. Those confirmed are excluded already."""
    return project.participants.filter(
        Q(kind=Beneficiary.Kind.COMMUNITY, vetting_status__in=UNDECIDED)
        | Q(kind=Beneficiary.Kind.EX_COMBATANT, combatant__vetting_status__in=UNDECIDED)
    ).count()


@transaction.atomic
def participants_screen(*, project: Project, by: User) -> int:
    """Match the project's participants not yet vetted against the active watch-list: its
    ex-combatants in the register (`ddr.screening`), its community members here, scored alike.
    Possible matches go to review; the others are cleared. Returns the new possible matches."""
    found = screening.vetting_screen(
        people=Combatant.objects.filter(
            cvr_participations__project=project, vetting_status=VettingStatus.NOT_VETTED
        ),
        by=by,
    )
    community = list(
        project.participants.filter(kind=Beneficiary.Kind.COMMUNITY, vetting_status=VettingStatus.NOT_VETTED)
    )
    if not community:
        return found
    entries = [
        (entry, set().union(*(screening.blocking_words(n) for n in entry.names())))
        for entry in WatchlistEntry.objects.filter(active=True)
    ]
    matches: list[ParticipantMatch] = []
    for beneficiary in community:
        words, names = screening.blocking_words(beneficiary.name), [canonical(beneficiary.name)]
        before = len(matches)
        for entry, its_words in entries:
            if not words & its_words:
                continue
            score, matched = screening.name_match(entry, names)
            if score >= screening.VETTING_THRESHOLD:
                matches.append(
                    ParticipantMatch(
                        beneficiary=beneficiary, entry=entry, score=round(score, 1), matched_name=matched
                    )
                )
        found_some = len(matches) > before
        beneficiary.vetting_status = VettingStatus.PENDING if found_some else VettingStatus.CLEAR
    bulk_create_with_history(matches, ParticipantMatch, default_user=by)
    bulk_update_with_history(
        community, Beneficiary, ["vetting_status"], default_user=by, default_change_reason="watch-list"
    )
    return found + len(matches)


@transaction.atomic
def participant_match_review(
    *, match: ParticipantMatch, status: str, reason: str, by: User
) -> ParticipantMatch:
    """Clear (not the same person) or confirm (excluded: no longer counted in the mix) a match."""
    if status not in (VettingMatch.Status.CLEARED, VettingMatch.Status.CONFIRMED):
        raise CVRRefused(_("A match is either cleared or confirmed."), "status")
    match = ParticipantMatch.objects.select_for_update().select_related("beneficiary").get(pk=match.pk)
    if match.status != VettingMatch.Status.PENDING:
        raise CVRRefused(_("This match has already been decided."), "status")
    match.status, match.reason, match.reviewed_by, match.reviewed_at = status, reason, by, timezone.now()
    save_audited(match, by, ["status", "reason", "reviewed_by", "reviewed_at"])
    beneficiary = match.beneficiary
    statuses = set(beneficiary.watchlist_matches.values_list("status", flat=True))
    beneficiary.vetting_status = (
        VettingStatus.CONFIRMED
        if VettingMatch.Status.CONFIRMED in statuses
        else VettingStatus.PENDING
        if VettingMatch.Status.PENDING in statuses
        else VettingStatus.CLEAR
    )
    save_audited(beneficiary, by, ["vetting_status"], "watch-list")
    mix_refresh_later([beneficiary.project_id])
    return match


@transaction.atomic
def beneficiary_import_start(*, project: Project, file: File[Any], by: User) -> BeneficiaryImport:
    """Keep the file (already checked for size and type) and queue its import on the worker."""
    from cvr.tasks import beneficiaries_import

    job = Job.objects.create(kind="cvr-beneficiaries", created_by=by)
    record = BeneficiaryImport.objects.create(
        job=job, project=project, file=file, filename=(file.name or "")[:255], created_by=by
    )
    transaction.on_commit(lambda: beneficiaries_import.delay(record.pk))
    return record


def mix_refresh_later(project_ids: Iterable[int]) -> None:
    """The mix is the worker's: queued when the change commits."""
    from cvr.tasks import mix_refresh

    ids = list(project_ids)
    transaction.on_commit(lambda: mix_refresh.delay(ids))


@transaction.atomic
def mix_refresh(project_ids: Iterable[int] | None = None) -> int:
    """Count each project's registered beneficiaries (one grouped query), store the counts and
    the deviations from the SOP in force. Projects without a register keep their reported counts."""
    # A participant confirmed on the watch-list is excluded: on record, no longer counted.
    counts = Beneficiary.objects.exclude(vetting_status=VettingStatus.CONFIRMED)
    if project_ids is not None:
        counts = counts.filter(project_id__in=list(project_ids))
    by_project = {
        r["project"]: r
        for r in counts.values("project").annotate(
            ex=Count("id", filter=Q(kind=Beneficiary.Kind.EX_COMBATANT)),
            community=Count("id", filter=Q(kind=Beneficiary.Kind.COMMUNITY)),
            women=Count("id", filter=Q(sex="F")),
            youth=Count("id", filter=Q(age_band__in=YOUTH_BANDS)),
        )
    }
    projects = (
        Project.objects.all() if project_ids is None else Project.objects.filter(pk__in=list(project_ids))
    )
    versions = list(SOPVersion.objects.all())
    now = timezone.now()
    changed = []
    for project in projects.only(*PROJECT_MIX_FIELDS):
        row = by_project.get(project.pk)
        if row is not None:
            project.beneficiaries_ex_combatants, project.beneficiaries_community = row["ex"], row["community"]
            project.beneficiaries_women, project.beneficiaries_youth = row["women"], row["youth"]
            project.counts_from_register = True
        elif project.counts_from_register:  # its last beneficiary was removed
            project.beneficiaries_ex_combatants = project.beneficiaries_community = 0
            project.beneficiaries_women = project.beneficiaries_youth = 0
            project.counts_from_register = False
        sop = project.sop or rules.sop_in_force(versions, project.approved_on or project.start)
        # Codes are stored (for lists and reports); the explanation is written for each reader.
        flags = [d.code for d in deviations(project, sop)] if sop else []
        project.mix_flags, project.mix_checked_at = flags, now
        changed.append(project)
    Project.objects.bulk_update(changed, [*MIX_FIELDS, "mix_flags", "mix_checked_at"], batch_size=500)
    return len(changed)


MIX_FIELDS = [
    "beneficiaries_ex_combatants",
    "beneficiaries_community",
    "beneficiaries_women",
    "beneficiaries_youth",
    "counts_from_register",
]
PROJECT_MIX_FIELDS = [
    *MIX_FIELDS,
    "sop",
    "approved_on",
    "start",
    "committee_leaders",
    "committee_leaders_women",
]


def deviations(project: Project, sop: SOPVersion | None = None) -> list[rules.Deviation]:
    """The project's deviations from its SOP, explained in the reader's language."""
    sop = sop or project.sop or sop_for(project.approved_on or project.start)
    if sop is None:
        return []
    return rules.mix_deviations(
        mix_of(project), sop, leaders=project.committee_leaders, leaders_women=project.committee_leaders_women
    )


def mix_of(project: Project) -> rules.BeneficiaryMix:
    return rules.BeneficiaryMix(
        ex_combatants=project.beneficiaries_ex_combatants,
        community=project.beneficiaries_community,
        women=project.beneficiaries_women,
        youth=project.beneficiaries_youth,
    )


# --- partners and their committees: master data kept by national staff ---------------------


def partner_projects(partner: Partner) -> Any:
    """The projects a partner runs, alone or in a consortium."""
    return Project.objects.filter(Q(partner=partner) | Q(consortium__members=partner)).distinct()


@transaction.atomic
def partner_save(*, partner: Partner | None, by: User, **values: Any) -> Partner:
    """A partner created or corrected, its regions of work with it (their change is audited too)."""
    plain, many = split_many(Partner, values)
    return record_save(partner or Partner(), by=by, values=plain, many=many)


@transaction.atomic
def committee_save(*, committee: Committee | None, partner: Partner, by: User, **values: Any) -> Committee:
    """A partner's committee created or updated (its members, the women among them); one that
    stops is dissolved (dated), never deleted."""
    refuse_on(
        rules.committee_problem(
            values.get("members", 0),
            values.get("women", 0),
            values.get("women_leaders", 0),
            values.get("formed_on"),
            values.get("dissolved_on"),
        ),
        CVRRefused,
    )
    project = values.get("project")
    if project is not None and project not in partner_projects(partner):
        raise CVRRefused(_("The project is run by another partner."), "project")
    return record_save(committee or Committee(), by=by, values={**values, "partner": partner})
