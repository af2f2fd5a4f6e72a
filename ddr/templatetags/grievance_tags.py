"""The grievances of a list, site, unit or CVR project on its page, as its reader may see them:
`{% linked_grievances subject_site=site %}` (one query; nothing at all, not even a count, of
what the reader may not see)."""

from __future__ import annotations

from typing import Any

from django import template

from ddr.accountability.grievances import selectors

register = template.Library()


@register.inclusion_tag("ddr/accountability/_linked_grievances.html", takes_context=True)
def linked_grievances(context: dict[str, Any], **target: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"grievances": selectors.linked(user, **target), "shown": selectors.can_handle(user)}
