"""Reading list files as field offices produce them: no database needed."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from core.uploads import FileRejected
from ddr.lists.parse import parse_birth, parse_list_file

TODAY = dt.date(2026, 11, 23)
HEADER_FR = "Nom;Prénom;Sexe;Date de naissance;Région;Matricule"


def parse(text: str, encoding: str = "utf-8", name: str = "liste.csv"):
    return parse_list_file(text.encode(encoding), name, today=TODAY)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_reads_utf8_with_or_without_bom_and_cp1252(encoding: str) -> None:
    result = parse(f"{HEADER_FR}\nTouré;Aïssata;F;03/04/1990;Gao;A-1\n", encoding)
    assert [r.values["given_name"] for r in result.rows] == ["Aïssata"]
    assert result.rows[0].errors == []


def test_comma_separator_and_english_headers() -> None:
    result = parse(
        "Family name,Given name,Sex,Date of birth,Region\nMaïga,Hamadoun,M,1985-06-01,Tombouctou\n"
    )
    row = result.rows[0]
    assert row.values["family_name"] == "Maïga" and row.values["birth_date"] == dt.date(1985, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/1990", (dt.date(1990, 4, 3), 1990, False)),
        ("1990-04-03", (dt.date(1990, 4, 3), 1990, False)),
        ("vers 1990", (None, 1990, True)),
        ("Vers 1985", (None, 1985, True)),
        ("1978", (None, 1978, True)),
        ("env. 1982", (None, 1982, True)),
    ],
)
def test_birth_dates_exact_or_approximate(text: str, expected: tuple) -> None:
    assert parse_birth(text) == expected


def test_every_bad_row_is_reported_with_line_column_and_reason() -> None:
    text = (
        f"{HEADER_FR}\n"
        "Touré;Aïssata;F;03/04/1990;Gao;A-1\n"
        "Cissé;;M;31/02/1990;Gao;A-2\n"  # missing given name, impossible date
        "Dicko;Oumar;X;1990;Mopti;A-1\n"  # unknown sex, duplicated reference
        '=HYPERLINK("http://x");Ali;M;1990;Gao;A-3\n'  # formula
        "Diallo;Amadou;M;01/01/2030;Gao;A-4\n"  # born in the future
    )
    result = parse(text)
    errors = {(e.line, e.column) for r in result.rows for e in r.errors}
    assert errors == {
        (3, "given_name"),
        (3, "birth"),
        (4, "sex"),
        (4, "movement_ref"),
        (5, "family_name"),
        (6, "birth"),
    }
    assert result.total == 5
    reasons = " ".join(e.reason for r in result.rows for e in r.errors)
    assert "31/02/1990" in reasons and "ligne 2" in reasons and "formule" in reasons


def test_duplicated_registration_number_inside_the_file() -> None:
    from ddr.registration.rules import registration_number

    number = registration_number("GAO", 12)
    result = parse(
        f"Nom;Prénom;Sexe;Naissance;Région;Numéro d'enregistrement\n"
        f"A;B;M;1990;Gao;{number}\nC;D;M;1991;Gao;{number}\nE;F;M;1992;Gao;GAO-0000012-0\n"
    )
    errors = [(e.line, e.column) for r in result.rows for e in r.errors]
    assert errors == [(3, "registration_number"), (4, "registration_number")]  # duplicate; bad check digit


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "l.csv", "vide"),
        (b"   \n  \n", "l.csv", "vide"),
        (b"Nom;Sexe\nA;M\n", "l.csv", r"Colonne\(s\) obligatoire"),
        (b"\x00\x01\x02binary", "l.csv", "pas un fichier texte"),
        (b"not a zip at all", "l.xlsx", "pas un fichier Excel"),
        (b"PK\x03\x04 truncated zip", "l.xlsx", "pas un fichier Excel"),
    ],
)
def test_unusable_files_are_rejected_with_one_clear_reason(data: bytes, name: str, message: str) -> None:
    with pytest.raises(FileRejected, match=message):
        parse_list_file(data, name, today=TODAY)


def test_file_over_the_size_limit_is_refused_before_reading() -> None:
    big = (HEADER_FR + "\n" + "Touré;Aïssata;F;1990;Gao;A\n" * 10).encode()
    with pytest.raises(FileRejected, match="dépasse"):
        parse_list_file(big, "l.csv", today=TODAY, max_bytes=100)


def test_xlsx_is_read_with_dates_and_numbers() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nom", "Prénom", "Sexe", "Date de naissance", "Région", "Munitions", "Type d'arme"])
    sheet.append(["Ag Intallah", "Mohamed", "M", dt.datetime(1984, 2, 1), "Kidal", 120, "AK-47"])
    buffer = io.BytesIO()
    book.save(buffer)
    row = parse_list_file(buffer.getvalue(), "liste.xlsx", today=TODAY).rows[0]
    assert row.errors == []
    assert row.values["birth_date"] == dt.date(1984, 2, 1)
    assert row.values["ammunition"] == 120 and row.values["weapon_kind"] == "assault_rifle"


def test_xlsx_xml_bomb_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    patched = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = bomb.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item, data)
    with pytest.raises(FileRejected, match="bombe XML"):
        parse_list_file(patched.getvalue(), "bombe.xlsx", today=TODAY)
