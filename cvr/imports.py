"""Beneficiary files: every row checked, every bad row reported with its line and reason, and the
whole file saved in one transaction or not at all. Runs on the worker with a progress bar."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.models import Job
from ddr.imports import FileRejected, read_csv, read_xlsx
from ddr.models import Combatant
from ddr.rules import name_key

from .models import Beneficiary, BeneficiaryImport
from .models.beneficiaries import AgeBand
from .services import ex_combatant_refusal, mix_refresh

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


def _error(line: int, column: str, reason: str) -> dict[str, Any]:
    return {"line": line, "column": column, "reason": str(reason)}


def beneficiaries_import(import_id: int) -> None:
    record = BeneficiaryImport.objects.select_related("job", "project", "created_by").get(pk=import_id)
    if record.status != BeneficiaryImport.Status.QUEUED:
        return  # idempotent: a finished import is left alone
    job = record.job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    try:
        data = record.file.read()
        rows = read_xlsx(data) if record.filename.lower().endswith((".xlsx", ".xlsm")) else read_csv(data)
        header = next(rows, None) or []
        columns = [LOOKUP.get(name_key(h)) for h in header]
        if "kind" not in columns:
            raise FileRejected(_("Missing required column: type (ex-combattant or communauté)."))
        parsed, errors = _check(record, columns, list(rows), job)
    except FileRejected as exc:
        _finish(record, BeneficiaryImport.Status.INVALID, errors=[_error(1, "", str(exc))])
        return
    if errors:
        _finish(record, BeneficiaryImport.Status.INVALID, errors=errors, total=len(parsed) + len(errors))
        return
    with transaction.atomic():
        bulk_create_with_history(
            parsed,
            Beneficiary,
            batch_size=BATCH,
            default_user=record.created_by,
            default_change_reason=record.filename[:100],
        )
        mix_refresh([record.project_id])
        _finish(record, BeneficiaryImport.Status.DONE, total=len(parsed), imported=len(parsed))


def _check(
    record: BeneficiaryImport, columns: list[str | None], lines: list[list[str]], job: Job
) -> tuple[list[Beneficiary], list[dict[str, Any]]]:
    """Check every row (no early stop): the officer fixes the whole file at once."""
    raw_rows = [
        (line, {col: cells[i].strip() for i, col in enumerate(columns) if col and i < len(cells)})
        for line, cells in enumerate(lines, start=2)
        if any(c.strip() for c in cells)
    ]
    Job.objects.filter(pk=job.pk).update(total=len(raw_rows))
    numbers = {r.get("registration_number", "").upper() for _line, r in raw_rows} - {""}
    people = {
        p.registration_number: p
        for p in Combatant.objects.for_user(record.created_by).filter(registration_number__in=numbers)
    }
    already = set(
        record.project.participants.filter(combatant__isnull=False).values_list("combatant_id", flat=True)
    )
    seen: dict[int, int] = {}
    parsed: list[Beneficiary] = []
    errors: list[dict[str, Any]] = []
    for n, (line, raw) in enumerate(raw_rows, start=1):
        row_errors: list[dict[str, Any]] = []
        kind = KINDS.get(name_key(raw.get("kind", "")))
        if kind is None:
            row_errors.append(
                _error(
                    line,
                    "type",
                    _("Unknown type “%(v)s”: ex-combattant or communauté.") % {"v": raw.get("kind", "")},
                )
            )
        age = raw.get("age_band", "").replace(" ", "")
        if age not in AgeBand.values:
            row_errors.append(
                _error(
                    line,
                    "age_band",
                    _("Unknown age band “%(v)s”: %(bands)s.")
                    % {"v": age, "bands": ", ".join(AgeBand.values)},
                )
            )
        person = None
        if kind == Beneficiary.Kind.EX_COMBATANT:
            number = raw.get("registration_number", "").upper()
            person = people.get(number)
            if person is None:
                row_errors.append(
                    _error(
                        line,
                        "registration_number",
                        _("No registered person %(n)s in your scope.") % {"n": number or "—"},
                    )
                )
            else:
                refusal = ex_combatant_refusal(person)
                if refusal:
                    row_errors.append(_error(line, "registration_number", refusal))
                elif person.pk in already:
                    row_errors.append(
                        _error(
                            line,
                            "registration_number",
                            _("%(n)s is already a beneficiary of this project.") % {"n": number},
                        )
                    )
                elif person.pk in seen:
                    row_errors.append(
                        _error(
                            line,
                            "registration_number",
                            _("%(n)s is already on line %(line)s.") % {"n": number, "line": seen[person.pk]},
                        )
                    )
                else:
                    seen[person.pk] = line
        elif kind == Beneficiary.Kind.COMMUNITY:
            if not raw.get("name"):
                row_errors.append(_error(line, "name", _("A community member needs a name.")))
            if raw.get("sex", "").upper() not in ("M", "F"):
                row_errors.append(_error(line, "sex", _("Sex must be M or F.")))
        if row_errors:
            errors += row_errors
        elif kind is not None:
            parsed.append(
                Beneficiary(
                    project=record.project,
                    kind=kind,
                    combatant=person,
                    name="" if person else raw.get("name", "")[:200],
                    sex=person.sex if person else raw["sex"].upper(),
                    age_band=age,
                    village=raw.get("village", "")[:100],
                    youth_at_risk=name_key(raw.get("youth_at_risk", "")) in YES,
                    registered_by=record.created_by,
                )
            )
        if n % BATCH == 0:
            Job.objects.filter(pk=job.pk).update(done=n)
    return parsed, errors


def _finish(
    record: BeneficiaryImport, status: str, *, errors: list | None = None, total: int = 0, imported: int = 0
) -> None:
    BeneficiaryImport.objects.filter(pk=record.pk).update(
        status=status, errors=errors or [], total_rows=total, imported=imported
    )
    Job.objects.filter(pk=record.job_id).update(
        status=Job.Status.DONE,
        done=total,
        total=total,
        finished_at=timezone.now(),
        message=str(_("%(n)s beneficiaries imported.") % {"n": imported})
        if status == BeneficiaryImport.Status.DONE
        else str(_("%(n)s errors: nothing was saved.") % {"n": len(errors or [])}),
    )
