"""Every record of a person is scoped like the person and keeps its history.

The walk goes over every installed model with a foreign key (or one-to-one) to the person model
(`settings.PERSON_MODEL`), so a model added later is checked without anyone remembering to: its
default manager must be a `core.querysets.PersonScopedQuerySet` whose `person_fields` name every
such key (a record naming two people is seen only when both are), and it must be registered with
django-simple-history. An exception is written below with its reason, and is itself checked: it
must still be needed. History models and the person model itself are not walked.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps
from simple_history.models import HistoricalChanges

from core.querysets import PersonScopedQuerySet, person_model

# Records of a person scoped by something else than the person, and why that is safe.
SCOPED_OTHERWISE = {
    "cantonment.WamItem": (
        "A weapon or lot handed in is a site's stock, scoped by the site's region (WamQuerySet): "
        "its holder may be anonymous, and is named only through "
        "`cantonment.weapons.selectors.items_for`, whose `holder_id` asks the person's scope."
    ),
}

# Records of a person without their own history, and why nothing is lost.
WITHOUT_HISTORY = {
    "programme.PersonSyncState": (
        "Derived bookkeeping of offline sync: a counter per field, bumped when the person's own "
        "(audited) values move; every value it mirrors is in the person's history."
    ),
    "ddr.WaitingPlace": (
        "Derived, never edited: rebuilt whole by every eligibility run (recorded as an "
        "EligibilityRun) from the people's pathways and registration dates and the rule set's "
        "quotas, which all keep their history."
    ),
}


def person_keys(model: type[models.Model]) -> list[str]:
    """The names of the model's own keys to the person model (many-to-many included)."""
    person = person_model()
    return [
        field.name
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is person
    ]


def person_records(candidates: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    """The models that name a person: not the person model, not history models."""
    return [
        model
        for model in candidates
        if model is not person_model() and not issubclass(model, HistoricalChanges) and person_keys(model)
    ]


def has_history(model: type[models.Model]) -> bool:
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return attribute is not None and hasattr(model, attribute)


def faults(model: type[models.Model]) -> list[str]:
    """What is wrong with one record of a person (nothing: an empty list)."""
    label, found = model._meta.label, []
    keys = person_keys(model)
    many = [key for key in keys if model._meta.get_field(key).many_to_many]
    if many:
        found.append(f"{label}: a many-to-many to the person ({', '.join(many)}) cannot be scoped")
    queryset = type(model._default_manager.get_queryset())
    if label in SCOPED_OTHERWISE:
        pass
    elif not issubclass(queryset, PersonScopedQuerySet):
        found.append(f"{label}: default manager's queryset {queryset.__name__} is not a PersonScopedQuerySet")
    elif missing := sorted(set(keys) - set(many) - set(queryset.person_fields)):
        found.append(f"{label}: person_fields {queryset.person_fields} leave out {', '.join(missing)}")
    if label not in WITHOUT_HISTORY and not has_history(model):
        found.append(f"{label}: no history (django-simple-history)")
    return found


def test_person_model_is_the_register() -> None:
    assert person_model()._meta.label == settings.PERSON_MODEL


def test_every_record_of_a_person_is_scoped_like_the_person_and_keeps_its_history() -> None:
    walked = person_records(apps.get_models())
    # The walk sees the records it is meant to (a broken walk would pass on nothing).
    assert {"ddr.IdentityDocument", "ddr.DuplicatePair", "cvr.Beneficiary"} <= {m._meta.label for m in walked}
    assert [fault for model in walked for fault in faults(model)] == []


def test_every_exception_is_still_needed() -> None:
    """An exception whose model went away, no longer names a person, or now complies is removed."""
    by_label = {model._meta.label: model for model in person_records(apps.get_models())}
    for label in SCOPED_OTHERWISE:
        assert label in by_label, f"{label} names no person any more: remove its exception"
        queryset = type(by_label[label]._default_manager.get_queryset())
        assert not issubclass(queryset, PersonScopedQuerySet), f"{label} is person-scoped now"
    for label in WITHOUT_HISTORY:
        assert label in by_label, f"{label} names no person any more: remove its exception"
        assert not has_history(by_label[label]), f"{label} keeps its history now"


@isolate_apps("tests")
def test_the_walk_catches_a_record_of_a_person_without_scope_or_history() -> None:
    """The control: records written wrong in each way are caught, a sound one is not. (The
    isolated models cannot take a history: django-simple-history registers history models in
    the project's registry only.)"""
    person = person_model()

    class Unscoped(models.Model):  # noqa: DJ008
        combatant = models.ForeignKey(person, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "tests"

    class HalfScoped(models.Model):  # noqa: DJ008
        first = models.ForeignKey(person, on_delete=models.CASCADE, related_name="+")
        second = models.OneToOneField(person, on_delete=models.CASCADE, related_name="+")

        objects = PersonScopedQuerySet.as_manager()  # person_fields: ("combatant",) only

        class Meta:
            app_label = "tests"

    class Unrelated(models.Model):  # noqa: DJ008
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "tests"

    sound = apps.get_model("ddr", "IdentityDocument")
    assert person_records([Unscoped, HalfScoped, Unrelated, person, sound]) == [Unscoped, HalfScoped, sound]
    assert faults(Unscoped) == [
        "tests.Unscoped: default manager's queryset QuerySet is not a PersonScopedQuerySet",
        "tests.Unscoped: no history (django-simple-history)",
    ]
    assert faults(HalfScoped) == [
        "tests.HalfScoped: person_fields ('combatant',) leave out first, second",
        "tests.HalfScoped: no history (django-simple-history)",
    ]
    assert faults(sound) == []
