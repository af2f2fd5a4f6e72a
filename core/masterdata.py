"""Master data kept by national staff in the browser (units, partners and their committees, armed
groups and coalitions, funding sources): one way to save a record with its history row, and one
page to create or edit it, with the record's audit trail under the form. Each app's service checks
its own rules (its `rules.py`) before calling `record_save`, so a form and an API write refuse
alike; nothing here is deleted: a record ends (dissolved, ended) instead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.audit import history_of
from core.errors import Refused, refusal_to

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Problem:
    """Why a rule refuses a record: the field to correct (a form's or a service's keyword) and
    the message, in the reader's language."""

    field: str
    message: str


def period_problem(
    start: dt.date | None, end: dt.date | None, end_field: str, message: str
) -> Problem | None:
    """An end before its start (an end on the start day is allowed when the caller allows it)."""
    if start is not None and end is not None and end < start:
        return Problem(end_field, message)
    return None


def refuse_on(problem: Problem | None, refusal: type[Refused]) -> None:
    """A service's guard: the rule's problem raised as the app's refusal, nothing changed."""
    if problem is not None:
        raise refusal(problem.message, problem.field)


def show_on(form: forms.BaseForm, problem: Problem | None) -> None:
    """A form's guard: the rule's problem shown on its field (above the form when it has none)."""
    if problem is not None:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


def record_save(
    record: M, *, by: User, values: Mapping[str, Any], many: Mapping[str, Any] | None = None
) -> M:
    """Set `values` on the record and save it, its history row naming `by`; then its
    many-to-many fields (`many`), whose history rows name `by` too."""
    for name, value in values.items():
        setattr(record, name, value)
    record._history_user = by  # type: ignore[attr-defined]
    record.save()
    for name, value in (many or {}).items():
        getattr(record, name).set(value)
    return record


def split_many(model: type[models.Model], values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A form's cleaned data as (fields, many-to-many fields) of `model`."""
    many_names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in values.items() if k not in many_names}
    return plain, {k: v for k, v in values.items() if k in many_names}


def edit_page(
    request: HttpRequest,
    *,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], models.Model],
    title: str,
    back: str,
    record: models.Model | None = None,
    intro: str = "",
) -> HttpResponse:
    """The create or edit page of a master-data record: the form, validated, saved by `save`
    (the app's service) which may refuse; the record's audit trail under it. A saved record goes
    to its page (`get_absolute_url`)."""
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            saved = save(form.cleaned_data)
            messages.success(request, _("%(record)s saved.") % {"record": saved})
            return redirect(saved.get_absolute_url())  # type: ignore[attr-defined]
    context = {
        "form": form,
        "title": title,
        "back": back,
        "intro": intro,
        "record": record,
        "history": history_of(record) if record is not None and record.pk else [],
    }
    return render(request, "core/master_data_form.html", context, status=400 if form.errors else 200)
