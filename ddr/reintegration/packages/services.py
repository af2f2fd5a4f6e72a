"""The package catalogue (versions by date: a package people are enrolled in is never edited, a
new version is made), enrolment in a package (one person, or a whole cohort set-based, on the
worker when it is large), the entitlements it gives, and what follows when they are settled:
the enrolment delivered, the person reinserted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from core.audit import save_audited
from core.bulk import insert_with_history
from core.dates import shown_date
from core.errors import Refused
from core.masterdata import record_save, refuse_on
from core.models import Job
from ddr.duplicates.models import DuplicatePair
from ddr.registration.models import Combatant
from ddr.reintegration.packages import rules
from ddr.reintegration.packages.models import Component, Enrolment, Entitlement, FundingSource, Package, Phase

S = Combatant.Status
# The statuses from which delivering the short-term package makes a person "reinserted"
# (the case transition table, ddr.eligibility.services.TRANSITIONS).
BEFORE_REINSERTION = (S.ORIENTED, S.DEMOBILISED, S.IN_TRAINING)


# A cohort larger than this is enrolled on the worker, batch by batch, with a progress bar.
COHORT_JOB_THRESHOLD = 5000
COHORT_BATCH = 2000


class EnrolmentRefused(Refused):
    """The enrolment cannot be made; the message says why. Nothing was changed."""


class PackageRefused(Refused):
    """The change to the catalogue cannot be made; the message says why. Nothing was changed."""


# --- the catalogue ------------------------------------------------------------------------


def _lock(package: Package) -> Package:
    """The package's row, locked: its components change, or people are enrolled in it, one at a
    time (an enrolment never lands on a version while it is being edited)."""
    return Package.objects.select_for_update().get(pk=package.pk)


def _unchanged_once_enrolled(package: Package) -> None:
    if package.enrolments.exists():
        raise PackageRefused(
            _("People are enrolled in %(package)s: it is never changed. Make a new version to change it.")
            % {"package": package}
        )


def _previous(package: Package) -> Package | None:
    return (
        Package.objects.select_for_update()
        .filter(code=package.code, version__lt=package.version)
        .order_by("-version")
        .first()
    )


def _follow_previous(package: Package, was_from: dt.date | None, by: User) -> None:
    """The previous version ends when this one starts: moved with it when it ended where this one
    started, cut short when it ran longer, left alone when it had ended before."""
    previous = _previous(package)
    if previous is None:
        return
    start = package.effective_from
    if start <= previous.effective_from:
        raise PackageRefused(
            _("Version %(v)s must start after the previous one (%(d)s).")
            % {"v": package.version, "d": shown_date(previous.effective_from)},
            field="effective_from",
        )
    if previous.enrolments.filter(enrolled_on__gte=start).exists():
        raise PackageRefused(
            _("People were enrolled in version %(v)s on or after %(d)s: start this version later.")
            % {"v": previous.version, "d": shown_date(start)},
            field="effective_from",
        )
    end = previous.effective_to
    if end is None or end == was_from or end > start:
        previous.effective_to = start
        save_audited(previous, by, ["effective_to"], f"version {package.version}")


def _check_period(package: Package) -> None:
    if package.effective_to is not None and package.effective_to <= package.effective_from:
        raise PackageRefused(_("The end must come after the start."), field="effective_to")


@transaction.atomic
def package_create(*, package: Package, by: User) -> Package:
    """A new package (version 1), without components yet. A code already in the catalogue is
    refused: its packages change by new versions."""
    if Package.objects.filter(code=package.code).exists():
        raise PackageRefused(
            _("The code %(code)s is already in the catalogue: make a new version of that package.")
            % {"code": package.code},
            field="code",
        )
    _check_period(package)
    package.version = 1
    package._history_user = by  # type: ignore[attr-defined]
    package.save()
    return package


@transaction.atomic
def package_save(*, package: Package, by: User) -> Package:
    """Change a version nobody is enrolled in; the previous version ends when it starts."""
    _lock(package)
    _unchanged_once_enrolled(package)
    _check_period(package)
    stored = Package.objects.values("code", "version", "effective_from").get(pk=package.pk)
    package.code, package.version = stored["code"], stored["version"]  # what identifies a version stays
    _follow_previous(package, stored["effective_from"], by)
    package._history_user = by  # type: ignore[attr-defined]
    package.save()
    return package


@transaction.atomic
def package_new_version(*, source: Package, by: User) -> Package:
    """A copy of `source` and its components as the next version, starting the day after (today
    or `source`'s start, whichever is later): `source` ends then. Only the latest version is copied.
    Enrolments stay with the version they were made in."""
    source = _lock(source)
    latest = Package.objects.select_for_update().filter(code=source.code).order_by("-version").first()
    if latest is not None and latest.pk != source.pk:
        raise PackageRefused(
            _("A newer version exists (%(latest)s): make the new version from it.") % {"latest": latest}
        )
    start = max(timezone.localdate(), source.effective_from) + dt.timedelta(days=1)
    # A version that runs past the new start ends then; one that had ended stays as it was.
    runs_on = source.effective_to is None or source.effective_to > start
    copy = Package(
        code=source.code,
        version=source.version + 1,
        name=source.name,
        phase=source.phase,
        funding_source_id=source.funding_source_id,
        envelope_xof=source.envelope_xof,
        effective_from=start,
        effective_to=source.effective_to if source.effective_to and source.effective_to > start else None,
        pathways=list(source.pathways),
        categories=list(source.categories),
        women_only=source.women_only,
    )
    copy._history_user = by  # type: ignore[attr-defined]
    copy.save()
    components = [
        {
            "package_id": copy.pk,
            "kind": c.kind,
            "label": c.label,
            "trade_id": c.trade_id,
            "delivery": c.delivery,
            "amount_xof": c.amount_xof,
            "due_after_days": c.due_after_days,
            "position": c.position,
        }
        for c in source.components.all()
    ]
    insert_with_history(Component, components, user=by, reason=f"copy of version {source.version}")
    if runs_on:
        source.effective_to = start
        save_audited(source, by, ["effective_to"], f"version {copy.version}")
    return copy


@transaction.atomic
def component_save(*, component: Component, by: User) -> Component:
    """Add or change a component of a version nobody is enrolled in."""
    _unchanged_once_enrolled(_lock(component.package))
    if (
        component.pk is not None
        and not Component.objects.filter(pk=component.pk, package_id=component.package_id).exists()
    ):
        raise PackageRefused(_("A component stays in its package."))
    component._history_user = by  # type: ignore[attr-defined]
    component.save()
    return component


@transaction.atomic
def component_remove(*, component: Component, by: User) -> None:
    """Take a component out of a version nobody is enrolled in (its history keeps it)."""
    _unchanged_once_enrolled(_lock(component.package))
    component._history_user = by  # type: ignore[attr-defined]
    component.delete()


# --- enrolment ----------------------------------------------------------------------------


def package_in_force(code: str, on: dt.date) -> Package | None:
    """The version of package `code` in force on `on`."""
    versions = Package.objects.filter(code=code, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    )
    return versions.order_by("-version").first()


def _entitlement_rows(
    enrolments: Iterable[tuple[int, int, dt.date]], components: list[Component]
) -> list[dict[str, Any]]:
    """One entitlement per (enrolment, component): (enrolment id, person id, enrolled on)."""
    return [
        {
            "enrolment_id": enrolment_id,
            "combatant_id": person_id,
            "component_id": component.pk,
            "amount_xof": component.amount_xof,
            "due_on": on + dt.timedelta(days=component.due_after_days),
        }
        for enrolment_id, person_id, on in enrolments
        for component in components
    ]


def _components(package: Package) -> list[Component]:
    """What an enrolment in `package` gives; a package that gives nothing takes no one."""
    components = list(package.components.order_by("position", "id"))
    if not components:
        raise EnrolmentRefused(str(rules.NO_COMPONENT) % {"package": package}, field="package")
    return components


@transaction.atomic
def enrolment_create(*, person: Combatant, package: Package, on: dt.date, by: User) -> Enrolment:
    """Enrol one person; refused, with the reason, when they may not benefit or the package does
    not serve them."""
    package = _lock(package)
    components = _components(package)
    person = Combatant.objects.select_for_update().get(pk=person.pk)
    in_pair = DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).touching([person.pk]).exists()
    enrolled = Enrolment.objects.filter(combatant=person, package__code=package.code).exists()
    if refusal := rules.package_refusal(person, package, on, in_open_pair=in_pair, enrolled=enrolled):
        bar = rules.package_bar(person, package, on, in_open_pair=in_pair, enrolled=enrolled)
        raise EnrolmentRefused(refusal, field="package" if bar == rules.NOT_IN_FORCE else "person")
    enrolment = Enrolment(combatant=person, package=package, enrolled_on=on, enrolled_by=by)
    enrolment._history_user = by  # type: ignore[attr-defined]
    enrolment.save()
    insert_with_history(Entitlement, _entitlement_rows([(enrolment.pk, person.pk, on)], components), user=by)
    return enrolment


@transaction.atomic
def cohort_enrol(*, people: QuerySet[Combatant], package: Package, on: dt.date, by: User) -> tuple[int, int]:
    """Enrol every person of `people` who may be enrolled, set-based; returns (enrolled, left out).
    Those left out are the ones the single enrolment would refuse (children, merged, excluded,
    in an open pair, not served by the package, already enrolled)."""
    package = _lock(package)
    if not rules.in_force(package, on):
        raise EnrolmentRefused(
            str(rules.MESSAGES[rules.NOT_IN_FORCE]) % {"package": package, "on": shown_date(on)},
            field="package",
        )
    components = _components(package)
    total = people.count()
    ids = list(people.filter(rules.may_enrol_q(package)).order_by("pk").values_list("pk", flat=True))
    enrolment_ids = insert_with_history(
        Enrolment,
        [
            {"combatant_id": pk, "package_id": package.pk, "enrolled_on": on, "enrolled_by_id": by.pk}
            for pk in ids
        ],
        user=by,
        reason=gettext_noop("cohort"),
    )
    rows = _entitlement_rows(((e, p, on) for e, p in zip(enrolment_ids, ids, strict=True)), components)
    insert_with_history(Entitlement, rows, user=by, reason=gettext_noop("cohort"))
    return len(ids), total - len(ids)


@transaction.atomic
def enrolment_drop(*, enrolment: Enrolment, on: dt.date, reason: str, by: User) -> Enrolment:
    """The person dropped out: the enrolment says why, and what was not yet paid is cancelled."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise EnrolmentRefused(_("Only an active enrolment can be dropped."))
    if not reason.strip():
        raise EnrolmentRefused(_("Say why the person dropped out."), field="reason")
    if on < enrolment.enrolled_on:
        raise EnrolmentRefused(_("A dropout cannot be dated before the enrolment."), field="on")
    enrolment.status, enrolment.dropped_on, enrolment.dropout_reason = Enrolment.Status.DROPPED, on, reason
    save_audited(enrolment, by, ["status", "dropped_on", "dropout_reason"])
    for entitlement in enrolment.entitlements.filter(state=Entitlement.State.DUE):
        entitlement.state = Entitlement.State.CANCELLED
        save_audited(entitlement, by, ["state"], "dropout")
    return enrolment


@transaction.atomic
def enrolments_settle(*, enrolment_ids: Iterable[int], by: User, reason: str = "") -> tuple[int, int]:
    """After entitlements were paid or handed over: each enrolment whose every entitlement is
    settled (paid, delivered or cancelled) is delivered; people whose short-term package is
    delivered become "reinserted". Set-based; returns (enrolments delivered, people reinserted).
    Call inside the transaction that settled the entitlements."""
    from ddr.eligibility.services import case_follow

    open_states = (Entitlement.State.DUE, Entitlement.State.IN_BATCH)
    done = list(
        Enrolment.objects.filter(pk__in=list(enrolment_ids), status=Enrolment.Status.ACTIVE)
        .select_related("package")
        .annotate(left=Count("entitlements", filter=Q(entitlements__state__in=open_states)))
        .filter(left=0)
    )
    if not done:
        return 0, 0
    for enrolment in done:
        enrolment.status = Enrolment.Status.COMPLETED
    bulk_update_with_history(
        done, Enrolment, ["status"], batch_size=1000, default_user=by, default_change_reason=reason[:100]
    )
    short_term = {e.combatant_id for e in done if e.package.phase == Phase.REINSERTION}
    # Moved by the transition table where their case allows it (a person in cantonment, already
    # reinserted or gone meanwhile keeps their status): paying never fails on a person's status.
    people = Combatant.objects.filter(pk__in=short_term, status__in=BEFORE_REINSERTION)
    moved = case_follow(people=people, to=S.REINSERTED, by=by, reason=reason or "package delivered")
    return len(done), moved


# --- a large cohort, on the worker ----------------------------------------------------------


def cohort_enrol_queue(
    *, package: Package, filters: dict[str, str], on: dt.date, by: User, total: int
) -> Job:
    """Queue the enrolment of the cohort that `filters` select (as `by` sees it) in `package`;
    the job's page shows its progress."""
    from ddr.reintegration.packages import tasks

    with transaction.atomic():
        job = Job.objects.create(
            kind="package_cohort_enrol", created_by=by, total=total, message=str(package)
        )
        transaction.on_commit(lambda: tasks.cohort_enrol.delay(job.pk, package.pk, filters, on.isoformat()))
    return job


def cohort_enrol_run(*, job_id: int, package_id: int, filters: dict[str, str], on: dt.date) -> Job:
    """The queued cohort, batch by batch (each its own transaction, so the bar moves and a killed
    run resumes: those already enrolled are left out the second time). Safe to run twice."""
    from ddr.reintegration.packages.selectors import cohort_people

    job = Job.objects.select_related("created_by").get(pk=job_id)
    by = job.created_by
    if by is None:
        job.fail(_("The person who asked for this enrolment no longer exists."))
        return job
    ids = list(cohort_people(by, filters).order_by("pk").values_list("pk", flat=True))
    if not job.start(total=len(ids)):
        return job  # finished meanwhile (a task delivered twice, a job already failed)
    package = Package.objects.get(pk=package_id)
    enrolled = left_out = 0
    for start in range(0, len(ids), COHORT_BATCH):
        chunk = ids[start : start + COHORT_BATCH]
        n, m = cohort_enrol(people=Combatant.objects.filter(pk__in=chunk), package=package, on=on, by=by)
        enrolled, left_out = enrolled + n, left_out + m
        job.advance(start + len(chunk))
    job.finish(
        _("%(n)s enrolled in %(package)s, %(m)s left out.")
        % {"n": enrolled, "m": left_out, "package": package},
        done=len(ids),
    )
    return job


@transaction.atomic
def funding_source_save(*, source: FundingSource | None, by: User, **values: Any) -> FundingSource:
    """A funding source created or its envelope revised (audited: the budget reads it)."""
    refuse_on(rules.envelope_problem(values.get("envelope_xof")), PackageRefused)
    return record_save(source or FundingSource(), by=by, values=values)
