"""One filter set for the people table and the people API."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.forms import CheckboxInput
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.models import Region
from ddr.lists.models import ArmedGroup, SubmittedList
from ddr.registration.models import Category, Combatant, IdentityDocument
from ddr.registration.rules import name_key

REGISTRATION_NUMBER = re.compile(r"^[A-Za-z]{2,4}-\d{7}-\d$")


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, registration or document number"), method="search")
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), to_field_name="code", field_name="region"
    )
    movement = django_filters.ModelChoiceFilter(
        label=_("Movement"), queryset=ArmedGroup.objects.all(), to_field_name="code", field_name="movement"
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Combatant.Status.choices)
    list = django_filters.ModelChoiceFilter(
        label=_("List"),
        queryset=SubmittedList.objects.all(),
        field_name="list_entries__submitted_list",
        distinct=True,
    )
    consent_missing = django_filters.BooleanFilter(
        label=_("Consent not yet recorded"), method="without_consent", widget=CheckboxInput
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("family_name", "name"), ("registration_number", "number"), ("registered_at", "registered")),
    )

    class Meta:
        model = Combatant
        fields = ["sex", "has_weapon"]

    def without_consent(self, queryset: QuerySet[Combatant], name: str, value: Any) -> QuerySet[Combatant]:
        """People whose declaration of voluntary participation was never recorded (consent part)."""
        from ddr.accountability.consent.selectors import consent_missing_q

        return queryset.filter(~consent_missing_q()) if value else queryset

    @property
    def form(self) -> Any:
        form = super().form
        style_fields(form, small=True)
        return form

    @staticmethod
    def table_order(query: str | None) -> tuple[Any, ...]:
        """The people table's order: by name. For a name search, sort the matches the trigram
        index finds: walking the name index in order would read half the table for a family name
        (every Maïga sits together in that order), and Lower() is one that index cannot serve."""
        if PersonFilter.sorts_every_match(query):
            return (Lower("family_name"), Lower("given_name"), "pk")
        return ("family_name", "given_name", "pk")

    @staticmethod
    def sorts_every_match(query: str | None) -> bool:
        """A name search: its matches are sorted by name without an index (`table_order`)."""
        return bool(query and query.strip() and not any(ch.isdigit() for ch in query))

    def search(self, queryset: QuerySet[Combatant], name: str, value: Any) -> QuerySet[Combatant]:
        """One index per kind of query: registration number, document number, or name (trigram)."""
        value = value.strip()
        if not value:
            return queryset
        if REGISTRATION_NUMBER.match(value):
            return queryset.filter(registration_number=value.upper())
        if any(ch.isdigit() for ch in value):
            numbers = {value, value.upper()}
            return queryset.filter(
                Q(pk__in=IdentityDocument.objects.filter(number__in=numbers).values("combatant_id"))
                | Q(registration_number__in=numbers)
            )
        # Each word anywhere, in any order: "hamadoun maiga" finds "Maïga Hamadoun".
        for word in name_key(value).split():
            queryset = queryset.filter(name_word_q(word))
        return queryset


SHORT_WORD = 2


def name_word_q(word: str) -> Q:
    """A word of the name search. From three letters, anywhere in the names ("intal" finds
    "Intallah"), which the trigram index serves. A word of one or two letters, the filiation
    particles "Ag" or "Ba" most often, has no trigram of its own: as a substring it would be every
    name holding an "a" and a "g"; as a whole word the index serves it, with the word's edges."""
    if len(word) > SHORT_WORD:
        return Q(name_key__contains=word)
    # One condition (not four LIKEs ORed, each of which would scan the index for the other words).
    return Q(name_key__regex=rf"(^| ){re.escape(word)}( |$)")
