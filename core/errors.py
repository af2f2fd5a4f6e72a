"""Business refusals: what a service raises when a change cannot be made. Nothing was changed;
the message says why (in the reader's language) and `field` names what to correct.

Every domain exception subclasses `Refused`, and each way it reaches a reader is written once:
- the API: `core.api.exception_handler` answers 400 `{field: [message]}`;
- a page with a form: `with refusal_to(form):` around the service call puts the message on the
  form's field of that name (or above the form) and the view renders the form again;
- a page without one: `with refusal_to(request):` makes it the error message of the next page;
- a refusal no view expected: `core.middleware.RefusalMiddleware` answers it, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.functional import Promise


class Refused(Exception):
    # What to correct: a service's keyword argument, which a form or a serializer names alike.
    field = "non_field_errors"

    def __init__(self, message: str | Promise, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


@contextmanager
def refusal_to(target: forms.BaseForm | HttpRequest) -> Iterator[None]:
    """Run the block; a refusal ends it and is shown on `target`: the form's error on the field
    it names (a non-field error when the form has no such field), or the request's error message.
    Anything else is not a refusal and goes on up."""
    try:
        yield
    except Refused as refused:
        if isinstance(target, forms.BaseForm):
            target.add_error(refused.field if refused.field in target.fields else None, str(refused))
        else:
            messages.error(target, str(refused))
