"""One filter set for the people table and the people API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.models import Region

from .models import ArmedGroup, Category, Combatant, SubmittedList
from .rules import name_key


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
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("family_name", "name"), ("registration_number", "number"), ("registered_at", "registered")),
    )

    class Meta:
        model = Combatant
        fields = ["sex", "has_weapon"]

    @property
    def form(self) -> Any:
        form = super().form
        style_fields(form, small=True)
        return form

    def search(self, queryset: QuerySet[Combatant], name: str, value: Any) -> QuerySet[Combatant]:
        value = value.strip()
        if not value:
            return queryset
        key = name_key(value)
        return queryset.filter(
            Q(name_key__contains=key)
            | Q(registration_number__iexact=value)
            | Q(pk__in=Combatant.objects.filter(documents__number__iexact=value).values("pk"))
        )
