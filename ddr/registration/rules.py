"""Pure rules of the register: data in, result out, no database."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def luhn_digit(digits: str) -> int:
    """Luhn check digit: catches every single-digit typo and most swaps of neighbours."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def registration_number(region_code: str, sequence: int) -> str:
    """`GAO-0001234-5`: region, sequence, check digit. Short enough to read out by phone."""
    body = f"{sequence:07d}"
    return f"{region_code}-{body}-{luhn_digit(body)}"


def registration_number_sql(region_code: str, sequence: str) -> str:
    """`registration_number` as a PostgreSQL expression over two SQL expressions (text, bigint),
    for numbering a whole list in one statement. The Luhn digit is that of the sequence's own
    digits (leading zeros add nothing), read by arithmetic: digit k from the right (k from 0) is
    doubled when k is even, and a doubled digit d counts 2d - 9 once d >= 5."""
    # mod(), not %: the expression goes into statements with parameters.
    digits = [f"mod(({sequence}) / {10**k}, 10)" for k in range(19)]  # every digit of a bigint
    terms = [f"(2 * {d} - 9 * ({d} / 5))" if k % 2 == 0 else d for k, d in enumerate(digits)]
    body = f"(repeat('0', 7 - length(({sequence})::text)) || ({sequence})::text)"
    return f"({region_code}) || '-' || {body} || '-' || mod(10 - mod({' + '.join(terms)}, 10), 10)"


def is_valid_registration_number(value: str) -> bool:
    parts = value.strip().upper().split("-")
    if len(parts) != 3 or not parts[1].isdecimal() or not parts[2].isdecimal() or len(parts[2]) != 1:
        return False
    return luhn_digit(parts[1]) == int(parts[2])


def name_key(*parts: str) -> str:
    """Search form of names: lower case, accents removed, hyphens and runs of spaces as one space."""
    return " ".join(folded for p in parts if p and (folded := _fold(p)))


@lru_cache(maxsize=65_536)
def _fold(text: str) -> str:
    # Cached: a list of 100,000 people repeats the same few thousand names, regions and types.
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("-", " ").replace("'", " ")
    return " ".join(text.split())
