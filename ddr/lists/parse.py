"""Reading and checking submitted list files. Pure: bytes in, rows and errors out, no database.

Field offices send CSV or XLSX in UTF-8 (with or without BOM) or cp1252, with `;` or `,`,
French or English headers, dates as JJ/MM/AAAA or ISO and birth years such as "vers 1990".
Every problem is reported with its line, column and reason; nothing is guessed silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.uploads import CONTROL, FORMULA_START, FileRejected, cell_problem, max_length, read_table
from ddr.registration.rules import is_valid_registration_number, name_key


def person_key(movement_ref: str, family_name: str, given_name: str, birth_year: int | None) -> str:
    """Identifies the same person across versions of one movement's list."""
    if movement_ref:
        return "ref:" + movement_ref.upper()
    return f"name:{name_key(family_name, given_name)}:{birth_year or ''}"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    @property
    def key(self) -> str:
        v = self.values
        return person_key(v.get("movement_ref", ""), v["family_name"], v["given_name"], v.get("birth_year"))


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    total: int = 0


# Canonical column -> accepted headers (compared after name_key: no accents, lower case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "family_name": ("nom", "nom de famille", "family name", "surname", "last name"),
    "given_name": ("prenom", "prenoms", "given name", "first name", "given names"),
    "also_known_as": ("surnom", "alias", "dit", "also known as", "aka"),
    "sex": ("sexe", "sex", "genre", "gender"),
    "birth": ("date de naissance", "ne le", "nee le", "naissance", "birth date", "date of birth", "dob"),
    "place_of_birth": ("lieu de naissance", "place of birth"),
    "region": ("region", "region de residence"),
    "commune": ("commune", "commune de residence"),
    "category": ("categorie", "category"),
    "movement": ("mouvement", "movement", "groupe", "group"),
    "rank": ("grade", "rang", "rank"),
    "movement_ref": ("matricule", "reference", "ref", "n matricule", "id"),
    "registration_number": ("numero d enregistrement", "registration number"),
    "document_kind": ("type de piece", "piece", "document type"),
    "document_number": ("numero de piece", "n piece", "document number"),
    "document_issued_on": ("date de delivrance", "delivree le", "document issued on", "issue date"),
    "document_issuer": ("delivree par", "autorite de delivrance", "issuer", "issued by"),
    "weapon_kind": ("type d arme", "arme", "weapon type", "weapon"),
    "weapon_serial": ("numero de serie", "n de serie", "serial number", "weapon serial"),
    "weapon_calibre": ("calibre", "calibre de l arme", "caliber"),
    "ammunition": ("munitions", "nombre de munitions", "ammunition", "rounds"),
}
REQUIRED = ("family_name", "given_name", "sex", "birth", "region")
# The template file offered to movements: each column, its header, an example (ddr:import-template).
TEMPLATE: tuple[tuple[str, str, str], ...] = (
    ("family_name", "Nom", "Ag Intalla"),
    ("given_name", "Prénom", "Mohamed"),
    ("also_known_as", "Surnom", ""),
    ("sex", "Sexe", "M"),
    ("birth", "Date de naissance", "vers 1985"),
    ("place_of_birth", "Lieu de naissance", "Kidal"),
    ("region", "Région", "Kidal"),
    ("commune", "Commune", "Kidal"),
    ("category", "Catégorie", "Combattant avec arme"),
    ("movement", "Mouvement", ""),
    ("rank", "Grade", "Sergent"),
    ("movement_ref", "Matricule", "M-0001"),
    ("registration_number", "Numéro d'enregistrement", ""),
    ("document_kind", "Type de pièce", "Carte NINA"),
    ("document_number", "Numéro de pièce", "NINA-0000001"),
    ("document_issued_on", "Date de délivrance", "12/03/2015"),
    ("document_issuer", "Délivrée par", "Mairie de Kidal"),
    ("weapon_kind", "Type d'arme", "Fusil d'assaut"),
    ("weapon_serial", "Numéro de série", "AK-0000001"),
    ("weapon_calibre", "Calibre", "7,62 mm"),
    ("ammunition", "Munitions", "120"),
)
HEADER_LOOKUP = {alias: canonical for canonical, aliases in COLUMNS.items() for alias in aliases}

SEX = {
    "m": "M",
    "h": "M",
    "homme": "M",
    "male": "M",
    "masculin": "M",
    "man": "M",
    "f": "F",
    "femme": "F",
    "female": "F",
    "feminin": "F",
    "woman": "F",
}
CATEGORY = {
    "combatant_armed": ("combattant avec arme", "combattant arme", "combatant with a weapon", "arme"),
    "combatant_unarmed": (
        "combattant sans arme",
        "associe sans arme",
        "sans arme",
        "combatant without a weapon",
    ),
    "woman_associated": ("femme associee", "faga", "woman associated", "femme associee a un groupe arme"),
    "child": ("enfant", "enfant associe", "child"),
    "ex_mdsf": ("ex mdsf", "ancien mdsf", "former mdsf", "ex-mdsf"),
    "civilian_cadre": ("cadre civil", "civilian cadre"),
    "defector": ("defecteur", "defector"),
}
CATEGORY_LOOKUP = {name_key(a): code for code, aliases in CATEGORY.items() for a in (*aliases, code)}
DOCUMENT_KIND = {
    "national_id": ("carte d identite", "cni", "carte nationale d identite", "national id", "id card"),
    "nina": ("nina", "carte nina"),
    "passport": ("passeport", "passport"),
    "birth_certificate": ("acte de naissance", "extrait de naissance", "birth certificate"),
    "voter_card": ("carte d electeur", "voter card"),
    "other": ("autre", "other"),
}
DOCUMENT_LOOKUP = {name_key(a): code for code, aliases in DOCUMENT_KIND.items() for a in (*aliases, code)}
WEAPON_KIND = {
    "assault_rifle": ("fusil d assaut", "ak 47", "ak47", "kalachnikov", "kalashnikov", "assault rifle"),
    "rifle": ("fusil", "rifle", "fusil de chasse"),
    "machine_gun": ("mitrailleuse", "pkm", "machine gun"),
    "pistol": ("pistolet", "pistol", "revolver"),
    "rocket_launcher": ("lance roquettes", "rpg", "rpg 7", "rocket launcher"),
    "other": ("autre", "other"),
}
WEAPON_LOOKUP = {name_key(a): code for code, aliases in WEAPON_KIND.items() for a in (*aliases, code)}
LOOKUPS = {"sex": SEX, "category": CATEGORY_LOOKUP, "document": DOCUMENT_LOOKUP, "weapon": WEAPON_LOOKUP}

# Cells that are not stored as they are (codes, dates, numbers) need no more than this.
DEFAULT_LENGTH = 100


@cache
def field_lengths() -> dict[str, int]:
    """Each column's limit: the max_length of the model field it is stored in."""
    from ddr.lists.models import ArmedGroup, ListEntry
    from ddr.registration.models import Combatant, DeclaredWeapon, IdentityDocument

    stored_in = {
        "family_name": (Combatant, "family_name"),
        "given_name": (Combatant, "given_name"),
        "also_known_as": (Combatant, "also_known_as"),
        "place_of_birth": (Combatant, "place_of_birth"),
        "commune": (Combatant, "commune"),
        "rank": (Combatant, "rank_in_movement"),
        "registration_number": (Combatant, "registration_number"),
        "movement": (ArmedGroup, "name"),
        "movement_ref": (ListEntry, "movement_ref"),
        "document_number": (IdentityDocument, "number"),
        "document_issuer": (IdentityDocument, "issuer"),
        "weapon_serial": (DeclaredWeapon, "serial_number"),
        "weapon_calibre": (DeclaredWeapon, "calibre"),
    }
    return {column: max_length(model, name) for column, (model, name) in stored_in.items()}


APPROX_YEAR = re.compile(r"^(?:vers|env\.?|environ|about|around|ca\.?|circa|~)\s*(\d{4})$")
YEAR_ONLY = re.compile(r"^(\d{4})$")
FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00)?$")


def parse_date(value: str) -> dt.date:
    """JJ/MM/AAAA (also with . or -) or ISO. Raises ValueError on impossible dates (31/02)."""
    if m := FR_DATE.match(value):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if m := ISO_DATE.match(value):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(value)


def parse_birth(value: str) -> tuple[dt.date | None, int, bool]:
    """Exact date, a bare year, or "vers 1990": (date or None, year, approximate?)."""
    text = name_key(value) if not FR_DATE.match(value) else value
    if m := APPROX_YEAR.match(text):
        return None, int(m[1]), True
    if m := YEAR_ONLY.match(text):
        return None, int(m[1]), True
    born = parse_date(value)
    return born, born.year, False


def parse_list_file(
    data: bytes, filename: str, *, today: dt.date, progress: Any = None, max_bytes: int = 50_000_000
) -> ParseResult:
    """Read and check every row, all kept. Raises FileRejected for a file-level problem."""
    result = ParseResult()
    for row in check_list_file(data, filename, today=today, max_bytes=max_bytes):
        result.rows.append(row)  # rows with errors too: the database checks may add more
        result.total += 1
        if progress and result.total % 1000 == 0:
            progress(result.total)
    return result


def check_list_file(
    data: bytes, filename: str, *, today: dt.date, max_bytes: int, headers: dict[str, str] | None = None
) -> Iterator[ParsedRow]:
    """Each non-empty row, checked, in the file's order: the import keeps none of them longer than
    it needs (a million rows held at once would take gigabytes). Raises FileRejected for a
    file-level problem, at the first row asked for. `headers`, if given, is filled with each
    column's header as the file writes it ("Nom", "Né le"), for the error report."""
    rows = read_table(
        data,
        filename,
        max_bytes=max_bytes,
        too_large=str(_("The file is larger than %(mb)s MB; split it into several lists.")),
    )
    header = next(rows, None)
    columns = _columns(header)
    if headers is not None and header:
        headers.update({column: header[i].strip() for i, column in enumerate(columns) if column})
    read = [(i, column) for i, column in enumerate(columns) if column]
    width = max(i for i, _column in read) + 1
    seen: dict[str, dict[str, int]] = {"registration_number": {}, "movement_ref": {}}
    for line, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) >= width:
            raw = {col: cells[i].strip() for i, col in read}
        else:
            raw = {col: cells[i].strip() for i, col in read if i < len(cells)}
        row, errors = check_row(line, raw, today=today)
        row.errors = errors + _repeated(line, row, seen)
        yield row


def _columns(header: list[str] | None) -> list[str | None]:
    """The column each header cell names (None: a column we do not read); every required one there."""
    if not header or not any(h.strip() for h in header):
        raise FileRejected(_("The file has no header row."))
    columns = [HEADER_LOOKUP.get(name_key(h)) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FileRejected(
            _("Missing required column(s): %(columns)s.")
            % {"columns": ", ".join(COLUMNS[c][0] for c in missing)}
        )
    return columns


def _repeated(line: int, row: ParsedRow, seen: dict[str, dict[str, int]]) -> list[RowError]:
    """A registration number or movement reference already given on an earlier line of the file;
    `seen` (per field: value -> first line) is filled as the file is read."""
    errors = []
    for number_field, lines in seen.items():
        value = row.values[number_field]
        if not value:
            continue
        value = value.upper()
        if value in lines:
            errors.append(
                RowError(
                    line,
                    number_field,
                    str(
                        _("Duplicate %(value)s: already on line %(line)s.")
                        % {"value": value, "line": lines[value]}
                    ),
                )
            )
        else:
            lines[value] = line
    return errors


Fail = Callable[[str, Any], None]  # records a row's error on a column, with its reason
UNREADABLE_DATE = _("Impossible or unreadable date %(value)r (JJ/MM/AAAA, ISO or 'vers 1990').")


BLANK = dict.fromkeys(COLUMNS, "")


def check_row(line: int, raw: dict[str, str], *, today: dt.date) -> tuple[ParsedRow, list[RowError]]:
    """One row's values, read from its text (`raw`, cleared where refused), and what is wrong with it."""
    errors: list[RowError] = []

    def fail(column: str, reason: Any) -> None:
        errors.append(RowError(line, column, str(reason)))

    _refuse_unsafe_cells(raw, fail)
    for column in REQUIRED:
        if not raw.get(column) and all(e.column != column for e in errors):
            fail(column, _("Required value missing."))
    values: dict[str, Any] = {**BLANK, **raw}
    _check_person(raw, values, fail, today=today)
    if raw.get("document_number"):
        _check_document(raw, values, fail)
    if raw.get("weapon_kind") or raw.get("weapon_serial"):
        _check_weapon(raw, values, fail)
    return ParsedRow(line, values), errors


# The first characters of a cell that may be a formula (`is_formula` decides).
FORMULA_FIRST = frozenset("".join(FORMULA_START) + "-")


def _refuse_unsafe_cells(raw: dict[str, str], fail: Fail) -> None:
    """What the database would refuse (or store cut), and formulas, are refused here, before the
    preview: the cell is emptied."""
    limits = field_lengths()
    # Most rows hold no control character, no cell too long and no formula: one search over the
    # whole row and a look at each cell's length and first character clear them.
    every = CONTROL.search("".join(raw.values())) is not None
    for column, value in raw.items():
        if not value:
            continue
        limit = limits.get(column, DEFAULT_LENGTH)
        if not every and len(value) <= limit and value[0] not in FORMULA_FIRST:
            continue
        if problem := cell_problem(value, limit, refuse_formulas=True):
            fail(column, problem)
            raw[column] = ""


# Codes read from words: a list repeats the same few spellings, so each is folded once.
@lru_cache(maxsize=4096)
def _code(lookup: str, text: str) -> str | None:
    return LOOKUPS[lookup].get(name_key(text))


@lru_cache(maxsize=65_536)
def _birth(value: str) -> tuple[dt.date | None, int, bool]:
    return parse_birth(value)


def _check_person(raw: dict[str, str], values: dict[str, Any], fail: Fail, *, today: dt.date) -> None:
    """Registration number, sex, birth and category."""
    if raw.get("registration_number") and not is_valid_registration_number(raw["registration_number"]):
        fail(
            "registration_number",
            _("Invalid registration number %(value)s (check digit).") % {"value": raw["registration_number"]},
        )
    if raw.get("sex"):
        values["sex"] = _code("sex", raw["sex"])
        if not values["sex"]:
            fail("sex", _("Unknown sex %(value)r: use M/H or F.") % {"value": raw["sex"]})
    values["birth_date"], values["birth_year"], values["birth_year_approximate"] = None, None, False
    if raw.get("birth"):
        try:
            born, year, approx = _birth(raw["birth"])
            if year > today.year or (born and born > today) or year < today.year - 100:
                fail("birth", _("Impossible birth date %(value)s.") % {"value": raw["birth"]})
            values["birth_date"], values["birth_year"], values["birth_year_approximate"] = born, year, approx
        except ValueError:
            fail("birth", UNREADABLE_DATE % {"value": raw["birth"]})
    if raw.get("category"):
        values["category"] = _code("category", raw["category"])
        if not values["category"]:
            fail("category", _("Unknown category %(value)r.") % {"value": raw["category"]})


def _check_document(raw: dict[str, str], values: dict[str, Any], fail: Fail) -> None:
    values["document_kind"] = _code("document", raw.get("document_kind") or "autre")
    if not values["document_kind"]:
        fail("document_kind", _("Unknown document type %(value)r.") % {"value": raw["document_kind"]})
    values["document_issued_on"] = None
    if raw.get("document_issued_on"):
        try:
            values["document_issued_on"] = parse_date(raw["document_issued_on"])
        except ValueError:
            fail("document_issued_on", UNREADABLE_DATE % {"value": raw["document_issued_on"]})


def _check_weapon(raw: dict[str, str], values: dict[str, Any], fail: Fail) -> None:
    values["weapon_kind"] = _code("weapon", raw.get("weapon_kind") or "autre")
    if not values["weapon_kind"]:
        fail("weapon_kind", _("Unknown weapon type %(value)r.") % {"value": raw["weapon_kind"]})
    try:
        values["ammunition"] = int(raw.get("ammunition") or 0)
        if values["ammunition"] < 0:
            raise ValueError
    except ValueError:
        fail("ammunition", _("Not a whole number: %(value)r.") % {"value": raw["ammunition"]})
