from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

# A date field's widget: ISO format, which is what `type=date` reads whatever the language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def today() -> Any:
    return timezone.localdate()


def style_fields(form: forms.BaseForm, small: bool = False) -> None:
    """Give every widget Bootstrap's class, so templates stay plain `{{ field }}`."""
    suffix = " form-select-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + suffix
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs.setdefault("class", css)


class StyledForm:
    """Mixin for forms and model forms: Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)  # type: ignore[arg-type]


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors in one line, each after its field's label: for a message after a POST."""
    return "; ".join(
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(map(str, e))}".strip()
        for f, e in form.errors.items()
    )
