"""Beneficiary files: every row checked, every bad row reported with its line and reason, and the
whole file saved in one transaction or not at all. Runs on the worker with a progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.models import Job
from core.tasks import job_failure
from core.uploads import FileRejected, cell_problem, error, max_length, read_table
from cvr.models import Beneficiary, BeneficiaryImport
from cvr.models.beneficiaries import AgeBand
from cvr.services import ex_combatant_refusal, mix_refresh, participants_screen
from ddr.models import Combatant
from ddr.registration.rules import name_key

# Canonical column -> accepted headers (compared after name_key: no accents, lower case).
HEADERS = {
    "kind": ("type", "kind", "categorie"),
    "registration_number": ("numero d'enregistrement", "registration number", "numero"),
    "name": ("nom", "name", "nom et prenom"),
    "sex": ("sexe", "sex"),
    "age_band": ("tranche d'age", "age band", "age"),
    "village": ("village",),
    "youth_at_risk": ("jeune a risque", "youth at risk"),
}
LOOKUP = {name_key(h): col for col, names in HEADERS.items() for h in names}
# An error names its column as the file does ("Tranche d'âge", not "age_band"); a column the file
# lacks, by the header it should have had.
LABELS = {
    "kind": "Type",
    "registration_number": "Numéro d'enregistrement",
    "name": "Nom",
    "sex": "Sexe",
    "age_band": "Tranche d'âge",
    "village": "Village",
    "youth_at_risk": "Jeune à risque",
}
KINDS = {
    "ex-combattant": Beneficiary.Kind.EX_COMBATANT,
    "ex combattant": Beneficiary.Kind.EX_COMBATANT,
    "ex-combatant": Beneficiary.Kind.EX_COMBATANT,
    "ex_combatant": Beneficiary.Kind.EX_COMBATANT,
    "communaute": Beneficiary.Kind.COMMUNITY,
    "community": Beneficiary.Kind.COMMUNITY,
    "membre de la communaute": Beneficiary.Kind.COMMUNITY,
}
YES = {"oui", "yes", "o", "y", "1", "x"}
BATCH = 500


# Free text is stored as it is: a cell longer than its field is refused, never cut silently.
LENGTHS = {col: max_length(Beneficiary, col) for col in ("name", "village")}
DEFAULT_LENGTH = 100


def beneficiaries_import(import_id: int) -> None:
    record = BeneficiaryImport.objects.select_related("job", "project", "created_by").get(pk=import_id)
    if record.status != BeneficiaryImport.Status.QUEUED:
        return  # idempotent: a finished import is left alone
    if not record.job.start():
        return  # its job has finished meanwhile (failed): nothing left to do
    with job_failure(
        record.job_id, lambda message: _finish(record, BeneficiaryImport.Status.FAILED, message=message)
    ):
        _import(record)


def _import(record: BeneficiaryImport) -> None:
    job = record.job
    try:
        with record.file.open("rb") as f:
            data = f.read(settings.DDR_BENEFICIARY_IMPORT_MAX_BYTES + 1)
        rows = read_table(data, record.filename, max_bytes=settings.DDR_BENEFICIARY_IMPORT_MAX_BYTES)
        header = next(rows, None) or []
        columns = [LOOKUP.get(name_key(h)) for h in header]
        if "kind" not in columns:
            raise FileRejected(_("Missing required column: type (ex-combattant or communauté)."))
        headers = LABELS | {col: header[i].strip() for i, col in enumerate(columns) if col}
        parsed, errors, error_count, total = _check(record, columns, rows, job)
        for e in errors:
            e["column"] = headers.get(e["column"], e["column"])
    except FileRejected as exc:
        _finish(record, BeneficiaryImport.Status.INVALID, message=str(exc))
        return
    if errors:
        _finish(record, BeneficiaryImport.Status.INVALID, errors=errors, error_count=error_count, total=total)
        return
    with transaction.atomic():
        bulk_create_with_history(
            parsed,
            Beneficiary,
            batch_size=BATCH,
            default_user=record.created_by,
            default_change_reason=record.filename[:100],
        )
        participants_screen(project=record.project, by=record.created_by)
        mix_refresh([record.project_id])
        _finish(record, BeneficiaryImport.Status.DONE, total=len(parsed), imported=len(parsed))


def _cells(
    line: int, cells: list[str], columns: list[str | None]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """A row's values by column; a cell the database would refuse, or a formula (CSV injection), is
    reported and left empty: its one error, as the checks after this one skip a column in error."""
    raw: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    for i, col in enumerate(columns):
        if col and i < len(cells):
            value = cells[i].strip()
            if problem := cell_problem(value, LENGTHS.get(col, DEFAULT_LENGTH), refuse_formulas=True):
                errors.append(error(line, col, problem))
                value = ""
            raw[col] = value
    return raw, errors


def _check(
    record: BeneficiaryImport, columns: list[str | None], lines: Iterator[list[str]], job: Job
) -> tuple[list[Beneficiary], list[dict[str, Any]], int, int]:
    """Check every row (no early stop): the officer fixes the whole file at once. Returns the
    beneficiaries, the first DDR_IMPORT_MAX_ERRORS errors, how many errors and how many rows."""
    raw_rows = [
        (line, *_cells(line, cells, columns))
        for line, cells in enumerate(lines, start=2)
        if any(c.strip() for c in cells)
    ]
    job.advance(0, total=len(raw_rows))
    people, already = _known_people(record, [raw for _line, raw, _errors in raw_rows])
    seen: dict[int, int] = {}
    parsed: list[Beneficiary] = []
    errors: list[dict[str, Any]] = []
    error_total = 0
    for n, (line, raw, row_errors) in enumerate(raw_rows, start=1):
        kind, age, person = _check_row(line, raw, row_errors, people=people, already=already, seen=seen)
        if row_errors:
            errors += row_errors
            if len(errors) > settings.DDR_IMPORT_MAX_ERRORS:
                del errors[settings.DDR_IMPORT_MAX_ERRORS :]  # only the count of the rest is kept
            error_total += len(row_errors)
        elif kind is not None:
            parsed.append(
                Beneficiary(
                    project=record.project,
                    kind=kind,
                    combatant=person,
                    name="" if person else raw.get("name", ""),
                    sex=person.sex if person else raw["sex"].upper(),
                    age_band=age,
                    village=raw.get("village", ""),
                    youth_at_risk=name_key(raw.get("youth_at_risk", "")) in YES,
                    registered_by=record.created_by,
                )
            )
        if n % BATCH == 0:
            job.advance(n)
    return parsed, errors, error_total, len(raw_rows)


def _known_people(
    record: BeneficiaryImport, rows: list[dict[str, str]]
) -> tuple[dict[str, Combatant], set[int]]:
    """The registered people the file names that the importer may see (by registration number),
    and the ids of those already on the project."""
    numbers = {r.get("registration_number", "").upper() for r in rows} - {""}
    people = {
        p.registration_number: p
        for p in Combatant.objects.for_user(record.created_by).filter(registration_number__in=numbers)
    }
    already = set(
        record.project.participants.filter(combatant__isnull=False).values_list("combatant_id", flat=True)
    )
    return people, already


def _check_row(
    line: int,
    raw: dict[str, str],
    row_errors: list[dict[str, Any]],
    *,
    people: dict[str, Combatant],
    already: set[int],
    seen: dict[int, int],
) -> tuple[str | None, str, Combatant | None]:
    """A row's kind, age band and registered person, its problems added to `row_errors` (one a
    cell: a column already in error, a formula emptied say, is not checked again)."""
    refused = {e["column"] for e in row_errors}
    kind = KINDS.get(name_key(raw.get("kind", "")))
    if kind is None and "kind" not in refused:
        row_errors.append(
            error(
                line,
                "kind",
                _("Unknown type “%(v)s”: ex-combattant or communauté.") % {"v": raw.get("kind", "")},
            )
        )
    age = raw.get("age_band", "").replace(" ", "")
    if age not in AgeBand.values and "age_band" not in refused:
        row_errors.append(
            error(
                line,
                "age_band",
                _("Unknown age band “%(v)s”: %(bands)s.") % {"v": age, "bands": ", ".join(AgeBand.values)},
            )
        )
    person = None
    if kind == Beneficiary.Kind.EX_COMBATANT and "registration_number" not in refused:
        person = _ex_combatant(line, raw, row_errors, people=people, already=already, seen=seen)
    elif kind == Beneficiary.Kind.COMMUNITY:
        if not raw.get("name") and "name" not in refused:
            row_errors.append(error(line, "name", _("A community member needs a name.")))
        if raw.get("sex", "").upper() not in ("M", "F") and "sex" not in refused:
            row_errors.append(error(line, "sex", _("Sex must be M or F.")))
    return kind, age, person


def _ex_combatant(
    line: int,
    raw: dict[str, str],
    row_errors: list[dict[str, Any]],
    *,
    people: dict[str, Combatant],
    already: set[int],
    seen: dict[int, int],
) -> Combatant | None:
    """The registered person a row names, if the importer may see them; why they cannot benefit
    (or are named twice) is added to `row_errors`. `seen` records the first line of each."""
    number = raw.get("registration_number", "").upper()
    person = people.get(number)
    if person is None:
        row_errors.append(
            error(
                line,
                "registration_number",
                _("No registered person %(n)s in your scope.") % {"n": number or "—"},
            )
        )
    elif refusal := ex_combatant_refusal(person):
        row_errors.append(error(line, "registration_number", refusal))
    elif person.pk in already:
        row_errors.append(
            error(
                line,
                "registration_number",
                _("%(n)s is already a beneficiary of this project.") % {"n": number},
            )
        )
    elif person.pk in seen:
        row_errors.append(
            error(
                line,
                "registration_number",
                _("%(n)s is already on line %(line)s.") % {"n": number, "line": seen[person.pk]},
            )
        )
    else:
        seen[person.pk] = line
    return person


def _finish(
    record: BeneficiaryImport,
    status: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    error_count: int = 0,
    message: str = "",
    total: int = 0,
    imported: int = 0,
) -> None:
    errors = errors or []
    BeneficiaryImport.objects.filter(pk=record.pk).update(
        status=status,
        errors=errors,
        error_count=error_count or len(errors),
        message=message,
        total_rows=total,
        imported=imported,
    )
    if status != BeneficiaryImport.Status.DONE:
        # Nothing was saved, and the page says so: no copy of the file is kept either.
        if record.file:
            record.file.delete(save=False)
        BeneficiaryImport.objects.filter(pk=record.pk).update(file="")
    job = record.job
    if status == BeneficiaryImport.Status.FAILED:
        job.fail(message)
    elif status == BeneficiaryImport.Status.DONE:
        job.finish(_("%(n)s beneficiaries imported.") % {"n": imported}, done=total, total=total)
    else:
        reason = message or _("%(n)s errors: nothing was saved.") % {"n": error_count or len(errors)}
        job.finish(reason, done=total, total=total)
