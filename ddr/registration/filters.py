"""One filter set for the people table and the people API."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.forms import CheckboxInput
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.models import Region
from ddr.lists.models import ArmedGroup, SubmittedList
from ddr.registration.models import Category, Combatant, DeclaredWeapon, IdentityDocument, Sex
from ddr.registration.rules import name_key

REGISTRATION_NUMBER = re.compile(r"^[A-Za-z]{2,4}-\d{7}-\d$")


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, registration, document or weapon serial number"), method="search"
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), to_field_name="code", field_name="region"
    )
    movement = django_filters.ModelChoiceFilter(
        label=_("Movement"), queryset=ArmedGroup.objects.all(), to_field_name="code", field_name="movement"
    )
    # Declared, not generated from Meta.fields: django-filter words a generated label once and
    # keeps it, in whichever language was active then (the walk found "Sex" on a French page).
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices)
    has_weapon = django_filters.BooleanFilter(label=_("Declared a weapon"))
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
        # Every label lazy: django-filter words the descending ones when the class is made, in
        # the language active at import, and names the number "Number" (a count, in French).
        field_labels={
            "family_name": _("Name (A to Z)"),
            "-name": _("Name (Z to A)"),
            "registration_number": _("Registration no. (ascending)"),
            "-number": _("Registration no. (descending)"),
            "registered_at": _("Registered (oldest first)"),
            "-registered": _("Registered (latest first)"),
        },
    )

    class Meta:
        model = Combatant
        fields: list[str] = []

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
    def sorts_every_match(query: str | None, sort: str = "") -> bool:
        """A name search sorted by name (the table's order, or `sort` by name): its matches are
        sorted without an index (`table_order`). Another `sort` has an index of its own."""
        by_name = sort in ("", "name", "-name")
        return by_name and bool(query and query.strip() and not any(ch.isdigit() for ch in query))

    # What the search matched when it was not what was typed: the table says so (`search_note`).
    search_note: Any = ""

    def search(self, queryset: QuerySet[Combatant], name: str, value: Any) -> QuerySet[Combatant]:
        """One index per kind of query: registration number (whole, or without its check digit),
        document or weapon serial number, or name (trigram); a name nobody bears is looked for
        again with a tolerant spelling, and the table says so."""
        value = value.strip()
        if not value:
            return queryset
        if REGISTRATION_NUMBER.match(value):
            return queryset.filter(registration_number=value.upper())
        if any(ch.isdigit() for ch in value):
            numbers = {value, value.upper()}
            numbered = Q(registration_number__in=numbers)
            if match := WITHOUT_CHECK_DIGIT.match(value):  # or a serial shaped like one: both
                start = f"{match[1].upper()}-{int(match[2]):07d}"
                numbered |= Q(registration_number__startswith=f"{start}-")
                self.search_note = _(
                    "Registration numbers beginning with %(n)s, and documents or weapons numbered %(q)s."
                ) % {"n": start, "q": value}
            # One list of ids, each part by its own index: three conditions ORed on the people
            # table would read every person (a million: 230 ms), testing each against the others.
            documents = IdentityDocument.objects.filter(number__in=numbers).order_by().values("combatant_id")
            found = documents.union(
                DeclaredWeapon.objects.filter(serial_number__in=numbers).order_by().values("combatant_id"),
                Combatant.objects.filter(numbered).order_by().values("pk"),
            )
            return queryset.filter(pk__in=found)
        # Each word anywhere, in any order: "hamadoun maiga" finds "Maïga Hamadoun".
        words = name_key(value).split()
        exact = queryset
        for word in words:
            exact = exact.filter(name_word_q(word))
        if connection.vendor != "postgresql" or exact.exists():
            return exact
        # Nobody bears that name as typed: "ag intala" finds "Ag Intalla" (trigram word similarity,
        # served by the same index). Short words stay whole words.
        tolerant = queryset
        for word in words:
            tolerant = tolerant.filter(
                name_word_q(word) if len(word) <= SHORT_WORD else Q(name_key__trigram_word_similar=word)
            )
        self.search_note = _("No name is spelt exactly “%(q)s”: names spelt like it.") % {"q": value}
        return tolerant


# `%>` (pg_trgm's word similarity), which the names' trigram index serves; used on PostgreSQL only.
Combatant._meta.get_field("name_key").register_lookup(TrigramWordSimilar)

# A registration number typed without its check digit: "GAO-436" or "gao-0000436".
WITHOUT_CHECK_DIGIT = re.compile(r"^([A-Za-z]{2,4})-(\d{1,7})$")
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
