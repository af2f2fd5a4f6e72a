"""Pure checks of payments: four eyes, and every line of a provider's statement.

Data in, result out: no database here. The services bring what the batch knows of its lines
(`LineFacts`, by reference) and the references found in other batches.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.uploads import FileRejected, cell_problem, error, quoted

CURRENCY = "XOF"
# The statement's columns, in the order the export writes a batch's references and amounts.
COLUMNS = ("reference", "amount", "currency", "status", "paid_on", "provider_reference")
# Headers read as those columns (lower case, accents kept): the provider's file may be in French.
ALIASES = {
    "reference": "reference",
    "référence": "reference",
    "amount": "amount",
    "montant": "amount",
    "currency": "currency",
    "devise": "currency",
    "status": "status",
    "statut": "status",
    "paid_on": "paid_on",
    "paid on": "paid_on",
    "payé le": "paid_on",
    "date": "paid_on",
    "provider_reference": "provider_reference",
    "provider reference": "provider_reference",
    "référence du fournisseur": "provider_reference",
    "transaction": "provider_reference",
}
PAID, FAILED, RETURNED = "paid", "failed", "returned"
STATUSES = {
    "paid": PAID,
    "payé": PAID,
    "paye": PAID,
    "failed": FAILED,
    "échoué": FAILED,
    "echoue": FAILED,
    "échec": FAILED,
    "echec": FAILED,
    "returned": RETURNED,
    "retourné": RETURNED,
    "retourne": RETURNED,
}
# How a line already settled is named in a refusal.
SETTLED_AS = {
    PAID: gettext_lazy("paid"),
    FAILED: gettext_lazy("failed"),
    RETURNED: gettext_lazy("returned"),
    "withdrawn": gettext_lazy("withdrawn from the batch"),
}
PROVIDER_REFERENCE_MAX = 64
SPACES = re.compile(r"[\s\u00a0\u202f]")
WHOLE = re.compile(r"^(\d+)(?:[.,]0+)?$")


def four_eyes_refusal(*, prepared_by_id: int, approver_id: int) -> str:
    """Why `approver` may not approve a batch ('' when they may): the preparer never approves."""
    if prepared_by_id == approver_id:
        return _("You prepared this batch: another person must approve it (four eyes).")
    return ""


@dataclass(frozen=True)
class LineFacts:
    """What the batch knows of one of its lines."""

    pk: int
    entitlement_id: int
    enrolment_id: int
    amount_xof: int
    status: str


@dataclass(frozen=True)
class StatementRow:
    """One good line of a statement: the payment line it settles, and how."""

    line: int
    line_id: int
    entitlement_id: int
    enrolment_id: int
    status: str
    paid_on: dt.date | None
    provider_reference: str


@dataclass
class StatementCheck:
    rows: list[StatementRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    # References this batch does not hold, with the file's lines that give them (looked up in
    # the other batches by the service, then named: `foreign_reference_errors`).
    unknown: dict[str, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        found = {PAID: 0, FAILED: 0, RETURNED: 0}
        for row in self.rows:
            found[row.status] += 1
        return found


def header_columns(header: list[str]) -> dict[str, int]:
    """The position of each needed column; a missing one refuses the whole file."""
    positions: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = ALIASES.get(SPACES.sub(" ", cell).strip().lower())
        if name and name not in positions:
            positions[name] = i
    missing = [c for c in COLUMNS if c not in positions]
    if missing:
        raise FileRejected(
            _("Missing columns: %(missing)s. The statement needs the columns %(all)s.")
            % {"missing": ", ".join(missing), "all": ", ".join(COLUMNS)}
        )
    return positions


def parse_amount(value: str) -> int | None:
    """A whole amount in XOF ("75000", "75 000", "75000.00"); None when it is not one."""
    match = WHOLE.match(SPACES.sub("", value))
    return int(match[1]) if match else None


@functools.lru_cache(maxsize=1024)  # a statement holds few distinct dates: each is read once
def parse_date(value: str) -> dt.date | None:
    """An ISO date (2024-01-31) or a French one (31/01/2024); None when it is neither."""
    value = value.strip()
    parts = value.split("/")
    try:
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return dt.date.fromisoformat(value)
    except ValueError:
        return None
    return None


def _row_errors(
    cells: dict[str, str], line: int, facts: LineFacts, period: tuple[dt.date, dt.date]
) -> tuple[list[dict[str, Any]], str, dt.date | None]:
    """The errors of one row whose reference belongs to the batch, its status and its date."""
    errors: list[dict[str, Any]] = []
    amount = parse_amount(cells["amount"])
    if amount is None:
        errors.append(
            error(
                line,
                "amount",
                _("%(value)s is not a whole amount in XOF.") % {"value": quoted(cells["amount"])},
            )
        )
    elif amount != facts.amount_xof:
        errors.append(
            error(
                line,
                "amount",
                _("Amount %(amount)s differs from the batch's %(expected)s for this reference.")
                % {
                    "amount": f"{amount:,}".replace(",", " "),
                    "expected": f"{facts.amount_xof:,}".replace(",", " "),
                },
            )
        )
    currency = cells["currency"].strip().upper()
    if currency != CURRENCY:
        errors.append(
            error(
                line,
                "currency",
                _("Currency %(value)s: only XOF is paid.") % {"value": quoted(cells["currency"])},
            )
        )
    status = STATUSES.get(cells["status"].strip().lower(), "")
    if not status:
        errors.append(
            error(
                line,
                "status",
                _("Unknown status %(value)s: paid, failed or returned.") % {"value": quoted(cells["status"])},
            )
        )
    paid_on = parse_date(cells["paid_on"]) if cells["paid_on"].strip() else None
    if cells["paid_on"].strip() and paid_on is None:
        errors.append(
            error(
                line,
                "paid_on",
                _("%(value)s is not a date (31/01/2024 or 2024-01-31).")
                % {"value": quoted(cells["paid_on"])},
            )
        )
    elif paid_on is not None and paid_on > period[1]:
        errors.append(error(line, "paid_on", _("The date is in the future.")))
    elif paid_on is not None and paid_on < period[0]:
        errors.append(
            error(
                line,
                "paid_on",
                _("The date is before the batch was prepared (%(date)s).")
                % {"date": period[0].strftime("%d/%m/%Y")},
            )
        )
    elif paid_on is None and status == PAID:
        errors.append(error(line, "paid_on", _("A paid line needs the date of payment.")))
    if problem := cell_problem(cells["provider_reference"], PROVIDER_REFERENCE_MAX):
        errors.append(error(line, "provider_reference", problem))
    if facts.status != "waiting":
        errors.append(
            error(
                line,
                "reference",
                _("This line was already reconciled (%(status)s) by an earlier statement.")
                % {"status": SETTLED_AS.get(facts.status, facts.status)},
            )
        )
    return errors, status, paid_on


def check_statement(
    rows: Iterable[list[str]], lines: Mapping[str, LineFacts], *, prepared_on: dt.date, today: dt.date
) -> StatementCheck:
    """Every line of a statement (header first) against the batch's lines, by reference; a
    payment is dated between the batch's preparation and today.

    Blank rows are skipped; every other problem is an error naming the file's line (the header
    is line 1) and the column. References the batch does not hold are left in `unknown`."""
    result = StatementCheck()
    iterator: Iterator[list[str]] = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise FileRejected(_("The file is empty."))
    positions = header_columns(header)
    seen: dict[str, int] = {}
    for line, raw in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        result.total += 1
        cells = {name: (raw[i] if i < len(raw) else "") for name, i in positions.items()}
        reference = cells["reference"].strip().upper()
        if not reference:
            result.errors.append(error(line, "reference", _("The reference is missing.")))
            continue
        if reference in seen:
            result.errors.append(
                error(
                    line,
                    "reference",
                    _("Reference %(reference)s is repeated: it is already on line %(first)s.")
                    % {"reference": reference, "first": seen[reference]},
                )
            )
            continue
        seen[reference] = line
        facts = lines.get(reference)
        if facts is None:
            result.unknown.setdefault(reference, []).append(line)
            continue
        errors, status, paid_on = _row_errors(cells, line, facts, (prepared_on, today))
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(
            StatementRow(
                line=line,
                line_id=facts.pk,
                entitlement_id=facts.entitlement_id,
                enrolment_id=facts.enrolment_id,
                status=status,
                paid_on=paid_on if status == PAID else None,
                provider_reference=cells["provider_reference"].strip(),
            )
        )
    return result


def foreign_reference_errors(
    unknown: Mapping[str, list[int]], elsewhere: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The errors of references the batch does not hold: another batch's (named), or unknown."""
    found = []
    for reference, file_lines in unknown.items():
        other = elsewhere.get(reference)
        for line in file_lines:
            if other:
                reason = _("Reference %(reference)s belongs to another batch (%(batch)s).") % {
                    "reference": quoted(reference),
                    "batch": other,
                }
            else:
                reason = _("Unknown reference %(reference)s.") % {"reference": quoted(reference)}
            found.append(error(line, "reference", reason))
    return found


def missing_lines(lines: Mapping[str, LineFacts], check: StatementCheck) -> list[str]:
    """References of the batch's waiting lines the statement does not give: "not in the statement"."""
    given = {row.line_id for row in check.rows}
    return sorted(ref for ref, facts in lines.items() if facts.status == "waiting" and facts.pk not in given)
