from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# A date field's widget: ISO format, which is what `type=date` reads whatever the language (the
# browser shows it the user's way).
ISO = "%Y-%m-%d"
DATE = forms.DateInput(attrs={"type": "date"}, format=ISO)


# The first line of a choice that must be made on purpose: a risky decision has no default.
CHOOSE = ("", _("— choose —"))


def today() -> Any:
    return timezone.localdate()


def style_fields(form: forms.BaseForm, small: bool = False, row_form: bool = False) -> None:
    """Give every widget Bootstrap's class, so templates stay plain `{{ field }}`; a `row_form`
    (one per row of a table, without <label>s) names each field by its label (aria-label)."""
    suffix = " form-select-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        # The browser's date pickers read ISO only: a localised "30/11/2026" leaves the field empty.
        if isinstance(widget, forms.DateInput) and widget.attrs.get("type") == "date":
            widget.format = ISO
        elif isinstance(widget, forms.DateTimeInput) and widget.attrs.get("type") == "datetime-local":
            widget.format = "%Y-%m-%dT%H:%M"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + suffix
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs.setdefault("class", css)
        # A form repeated on each row of a table has no <label> per row: the field names itself.
        if row_form and field.label and not widget.is_hidden:
            widget.attrs.setdefault("aria-label", str(field.label))


def decision_field() -> forms.ModelChoiceField[Any]:
    """The decision in the register behind a step (optional): its body fills "deciding body"."""
    from core.models import Decision

    return forms.ModelChoiceField(
        label=_("Decision (register)"),
        queryset=Decision.objects.all(),
        required=False,
        help_text=_("Record the decision first in the register of decisions to choose it here."),
    )


class StyledForm:
    """Mixin for forms and model forms: Bootstrap classes on every widget. `row_form`: the form is
    repeated on each row of a table, its fields named without <label>s (`style_fields`)."""

    row_form = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.row_form:  # one per row: ids would repeat, and its fields are named without labels
            kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)
        style_fields(self, row_form=self.row_form)  # type: ignore[arg-type]


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors in one line, each after its field's label ("Prénom : Ce champ est
    obligatoire."): for a message after a POST."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(map(str, errors))
        label = form.fields[name].label if name in form.fields else None
        parts.append(gettext("%(field)s: %(errors)s") % {"field": label, "errors": text} if label else text)
    return "; ".join(parts)


SELECT, OPTION = "django/forms/widgets/select.html", "django/forms/widgets/select_option.html"
TEXT = (str, Promise)  # what a template prints as it is (a number or a date it would localize)


class FormRenderer(DjangoTemplates):
    """Django's form renderer, drawing a select in Python. Its template includes a template for
    each option: a filter bar's selects (movements, lists, statuses) made most of a page's
    rendering time. The HTML is the template's own, character for character (tests/test_form_renderer.py)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT and (html := _select(context["widget"])) is not None:
            return html
        return super().render(template_name, context, request)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: True names the attribute alone, False leaves it out."""
    drawn = []
    for name, value in attrs.items():
        if value is True:
            drawn.append(f" {conditional_escape(name)}")
        elif value is not False:
            drawn.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(drawn)


def _select(widget: dict[str, Any]) -> str | None:
    """The select's HTML, or None for the templates to draw it: a label that is not text (a
    number or a date, which a template localizes) or an option with a template of its own."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name and not isinstance(group_name, TEXT):
            return None
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION or not isinstance(option["label"], TEXT):
                return None
            # As `stringformat:'s'` then autoescape: a value marked safe is left as it is.
            value, label = conditional_escape(option["value"]), conditional_escape(option["label"])  # type: ignore[arg-type]
            # The option's template ends with a newline, kept by the include.
            parts.append(f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
