from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The reasons `ddr.duplicates` gives for and against a pair, as shown to people.
REASONS = {
    "name": _("name"),
    "given name": _("given name"),
    "family name": _("other names"),
    "family name (a word missing or added)": _("other names (a word missing or added)"),
    "birth date (one digit apart)": _("birth date (one digit apart)"),
    "birth date (within a month)": _("birth date (within a month)"),
    "birth date": _("birth date"),
    "birth date (day and month swapped)": _("birth date (day and month swapped)"),
    "birth year": _("birth year"),
    "birth year (approximate)": _("birth year (approximate)"),
    "place of birth": _("place of birth"),
    "movement": _("movement"),
    "sex": _("sex"),
    "document number": _("document number"),
    "weapon serial number": _("weapon serial number"),
    "biometric reference": _("biometric reference"),
}


@register.filter
def reason(code: str) -> str:
    return str(REASONS.get(code, code))
