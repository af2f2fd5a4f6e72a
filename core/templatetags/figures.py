"""How a table cell says a count: for analysts a 0 reads "hidden", as the charts draw it
(core.charts), since their figures leave out the groups of fewer than 5 (core.suppression)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.suppression import SUPPRESS_BELOW

register = template.Library()


@register.filter
def shown(value: Any, suppressed: bool) -> Any:
    """`{{ n|shown:board.suppressed }}`: the count itself, or for analysts "hidden" for a 0 (an
    empty group and a hidden one look alike)."""
    if suppressed and (not value or value == "0"):  # "0": a figure already formatted (floatformat)
        hint = _("No group of %(n)d people or more") % {"n": SUPPRESS_BELOW}
        return format_html('<span class="hidden-figure" title="{}">{}</span>', hint, _("hidden"))
    return value
