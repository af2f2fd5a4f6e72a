"""`core.forms.FormRenderer` draws selects in Python: the HTML must be Django's templates' own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from core.forms import FormRenderer
from core.models import Region
from ddr.registration.filters import PersonFilter
from ddr.registration.models import Combatant

pytestmark = pytest.mark.django_db


class Every(forms.Form):
    plain = forms.ChoiceField(choices=[("", "— choose —"), ("a&b", 'A "quoted" <b>'), ("c", "C")])
    grouped = forms.ChoiceField(choices=[("North", [("gao", "Gao"), ("kidal", "Kidal")]), ("x", "X")])
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")])
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), required=False)
    safe = forms.ChoiceField(choices=[("s", mark_safe("<em>safe</em>"))])
    flagged = forms.ChoiceField(
        choices=[("1", "One")], widget=forms.Select(attrs={"disabled": True, "hidden": False, "data-x": 3})
    )
    yes_no = forms.NullBooleanField()
    # Labels a template localizes ("2 024", "1 mai 2024"): drawn by the templates themselves.
    year = forms.TypedChoiceField(choices=[(2024, 2024), (2025, 2025)], coerce=int)
    when = forms.ChoiceField(choices=[("d", dt.date(2024, 5, 1))])
    # A value marked safe is printed as it is, as `stringformat` then autoescape leave it.
    marked = forms.ChoiceField(
        choices=[(mark_safe("a&amp;b"), "AB")], widget=forms.Select(attrs={"title": mark_safe("x&amp;y")})
    )


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "a&b", "grouped": "kidal", "many": ["1", "2"], "region": "1", "safe": "s", "yes_no": "true"},
    ],
)
def test_selects_are_drawn_as_djangos_templates_draw_them(data: dict[str, Any], language: str) -> None:
    with translation.override(language):
        _same_html(data)


def _same_html(data: dict[str, Any]) -> None:
    ours, django = Every(data or None, renderer=FormRenderer()), Every(data or None, renderer=DjangoTemplates())
    for name in Every.base_fields:
        assert str(ours[name]) == str(django[name]), name
    if data:
        assert '<option value="kidal" selected>Kidal</option>' in str(ours["grouped"])


def test_the_people_filter_bar_is_the_same_with_either_renderer() -> None:
    form = PersonFilter({"region": "GAO", "sex": "F", "q": "Maïga"}, queryset=Combatant.objects.all()).form
    drawn = []
    for renderer in (FormRenderer(), DjangoTemplates()):
        form.renderer = renderer
        drawn.append([str(field) for field in form])
    assert drawn[0] == drawn[1]
    assert '<option value="GAO" selected>Gao</option>' in "".join(drawn[0])
