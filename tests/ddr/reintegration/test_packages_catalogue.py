"""The package catalogue: versions by date, a version people are enrolled in is never changed
(a new version is made, and the old one keeps its enrolments), its pages and who may edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ddr.models import Combatant, Component, Delivery, Enrolment, FundingSource, Package, Pathway, Phase
from ddr.reintegration.packages import services
from ddr.reintegration.packages.services import PackageRefused

from ...factories import CombatantFactory, FundingSourceFactory, PackageFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)
ON = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Messages in English (pages included: French is the default), whatever the catalogue holds."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _enrol(package: Package, by: Any, on: dt.date = ON) -> Enrolment:
    person = CombatantFactory.create(status=Combatant.Status.ORIENTED, pathway=Pathway.REINSERTION)
    return services.enrolment_create(person=person, package=package, on=on, by=by)


def test_a_new_version_copies_the_package_and_its_components_from_the_day_after(
    commission_officer: Any,
) -> None:
    old = PackageFactory.create(pathways=[Pathway.REINSERTION], women_only=True, envelope_xof=5_000_000)
    enrolment = _enrol_woman(old, commission_officer)
    new = services.package_new_version(source=old, by=commission_officer)
    old.refresh_from_db()
    assert (new.code, new.version, new.effective_from, new.effective_to) == (old.code, 2, TOMORROW, None)
    assert old.effective_to == TOMORROW
    assert (new.name, new.phase, new.funding_source_id, new.envelope_xof) == (
        old.name,
        old.phase,
        old.funding_source_id,
        old.envelope_xof,
    )
    assert (new.pathways, new.women_only) == (["reinsertion"], True)
    fields = ("position", "kind", "label", "delivery", "amount_xof", "due_after_days")
    assert list(new.components.values_list(*fields)) == list(old.components.values_list(*fields))
    assert not set(new.components.values_list("pk", flat=True)) & set(
        old.components.values_list("pk", flat=True)
    )
    # The old version keeps its enrolment and what it gives.
    assert list(old.enrolments.all()) == [enrolment] and not new.enrolments.exists()
    assert set(enrolment.entitlements.values_list("component__package", flat=True)) == {old.pk}
    assert new.history.get().history_user == commission_officer
    assert old.history.latest().history_change_reason == "version 2"
    # Today the old version is in force, tomorrow the new one.
    assert services.package_in_force(old.code, TODAY) == old
    assert services.package_in_force(old.code, TOMORROW) == new


def _enrol_woman(package: Package, by: Any) -> Enrolment:
    from ddr.models import Category, Sex

    person = CombatantFactory.create(
        status=Combatant.Status.ORIENTED,
        pathway=Pathway.REINSERTION,
        sex=Sex.FEMALE,
        category=Category.WOMAN_ASSOCIATED,
    )
    return services.enrolment_create(person=person, package=package, on=ON, by=by)


def test_a_package_that_ended_stays_ended_when_copied(commission_officer: Any) -> None:
    old = PackageFactory.create(effective_from=dt.date(2019, 1, 1), effective_to=dt.date(2020, 1, 1))
    new = services.package_new_version(source=old, by=commission_officer)
    old.refresh_from_db()
    assert old.effective_to == dt.date(2020, 1, 1)
    assert (new.effective_from, new.effective_to) == (TOMORROW, None)


def test_a_planned_end_passes_to_the_new_version(commission_officer: Any) -> None:
    end = TODAY + dt.timedelta(days=400)
    old = PackageFactory.create(effective_to=end)
    new = services.package_new_version(source=old, by=commission_officer)
    old.refresh_from_db()
    assert (old.effective_to, new.effective_from, new.effective_to) == (TOMORROW, TOMORROW, end)


def test_only_the_latest_version_is_copied(commission_officer: Any) -> None:
    old = PackageFactory.create()
    services.package_new_version(source=old, by=commission_officer)
    old.refresh_from_db()
    with pytest.raises(PackageRefused, match="A newer version exists"):
        services.package_new_version(source=old, by=commission_officer)
    assert Package.objects.filter(code=old.code).count() == 2


def test_a_version_people_are_enrolled_in_is_never_changed(commission_officer: Any) -> None:
    package = PackageFactory.create()
    _enrol(package, commission_officer)
    component = package.components.first()
    assert component is not None
    package.name, component.amount_xof = "Autre nom", 1
    for change in (
        lambda: services.package_save(package=package, by=commission_officer),
        lambda: services.component_save(component=component, by=commission_officer),
        lambda: services.component_save(
            component=Component(
                package=package, kind="grant", label="Subvention", delivery="cash", amount_xof=9
            ),
            by=commission_officer,
        ),
        lambda: services.component_remove(component=component, by=commission_officer),
    ):
        with pytest.raises(PackageRefused, match="Make a new version to change it"):
            change()
    package.refresh_from_db()
    assert package.name != "Autre nom"
    assert sorted(package.components.values_list("amount_xof", flat=True)) == [75_000, 75_000, 250_000]


def test_components_change_on_a_version_nobody_is_enrolled_in(commission_officer: Any) -> None:
    old = PackageFactory.create()
    _enrol(old, commission_officer)
    new = services.package_new_version(source=old, by=commission_officer)
    toolkit = new.components.get(kind=Component.Kind.TOOLKIT)
    toolkit.amount_xof = 300_000
    services.component_save(component=toolkit, by=commission_officer)
    grant = Component(
        package=new,
        kind=Component.Kind.GRANT,
        label="AGR",
        delivery=Delivery.CASH,
        amount_xof=200_000,
        position=4,
    )
    services.component_save(component=grant, by=commission_officer)
    services.component_remove(component=new.components.get(position=2), by=commission_officer)
    assert sorted(new.components.values_list("amount_xof", flat=True)) == [75_000, 200_000, 300_000]
    assert sorted(old.components.values_list("amount_xof", flat=True)) == [75_000, 75_000, 250_000]
    assert Component.history.filter(history_type="-", history_user=commission_officer).count() == 1


def test_moving_the_start_of_a_version_moves_the_end_of_the_previous_one(commission_officer: Any) -> None:
    old = PackageFactory.create(effective_from=dt.date(2026, 1, 1))
    _enrol(old, commission_officer, on=dt.date(2026, 2, 1))
    new = services.package_new_version(source=old, by=commission_officer)
    later = TODAY + dt.timedelta(days=30)
    new.effective_from = later
    services.package_save(package=new, by=commission_officer)
    old.refresh_from_db()
    assert old.effective_to == later
    new.effective_from = dt.date(2026, 2, 1)  # the old version enrolled someone that day
    with pytest.raises(PackageRefused, match="start this version later"):
        services.package_save(package=new, by=commission_officer)
    new.effective_from = dt.date(2025, 6, 1)
    with pytest.raises(PackageRefused, match="must start after the previous one"):
        services.package_save(package=new, by=commission_officer)
    old.refresh_from_db()
    assert old.effective_to == later


def test_a_code_is_created_once(commission_officer: Any) -> None:
    existing = PackageFactory.create()
    copy = Package(code=existing.code, name="x", funding_source=existing.funding_source, effective_from=TODAY)
    with pytest.raises(PackageRefused, match="already in the catalogue"):
        services.package_create(package=copy, by=commission_officer)
    bad = Package(code="nouveau", name="x", funding_source=existing.funding_source, effective_from=TODAY)
    bad.effective_to = TODAY
    with pytest.raises(PackageRefused, match="The end must come after the start"):
        services.package_create(package=bad, by=commission_officer)
    assert Package.objects.count() == 1


# --- pages ---------------------------------------------------------------------------------


def test_the_catalogue_lists_versions_components_and_who_may_receive_them(
    commission_client: Any, commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    pbf = FundingSourceFactory.create(code="pbf", name="Fonds pour la consolidation de la paix")
    women = PackageFactory.create(code="faga", name="Projet FAGA", women_only=True, funding_source=pbf)
    PackageFactory.create(code="crp", name="Réinsertion communautaire", pathways=[Pathway.COMMUNITY])
    services.package_new_version(source=women, by=commission_officer)
    for n in range(5):
        PackageFactory.create(code=f"autre-{n}", phase=Phase.REINTEGRATION)
    with django_assert_max_num_queries(12):
        response = commission_client.get(reverse("ddr:package-list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Projet FAGA" in page and "v2" in page and "Women only" in page
    assert "Community reinsertion (CRP)" in page and "Fonds pour la consolidation de la paix" in page
    assert "250,000 XOF" in page or "250 000 XOF" in page or "250000 XOF" in page
    assert "table-responsive" in page
    entries = response.context["entries"]
    assert [len(e.versions) for e in entries if e.code == "faga"] == [2]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("phase=reintegration", {"autre"}),
        ("funding_source=pbf", {"faga"}),
        ("pathway=community", {"crp", "faga", "autre"}),
        ("pathway=reinsertion", {"faga", "autre"}),
        ("q=FAGA", {"faga"}),
        ("period=ended", set()),
        ("period=upcoming", {"faga"}),
    ],
)
def test_the_catalogue_filters(
    commission_client: Any, commission_officer: Any, query: str, codes: set[str]
) -> None:
    pbf = FundingSourceFactory.create(code="pbf", name="PBF")
    faga = PackageFactory.create(code="faga", women_only=True, funding_source=pbf)
    PackageFactory.create(code="crp", pathways=[Pathway.COMMUNITY])
    PackageFactory.create(code="autre", phase=Phase.REINTEGRATION)
    services.package_new_version(source=faga, by=commission_officer)  # v2 starts tomorrow
    response = commission_client.get(reverse("ddr:package-list") + "?" + query)
    assert {e.code for e in response.context["entries"]} == codes


def test_officers_create_a_package_add_components_and_make_a_new_version(
    commission_client: Any, commission_officer: Any
) -> None:
    source = FundingSourceFactory.create()
    response = commission_client.post(
        reverse("ddr:package-new"),
        {
            "code": "kit-couture",
            "name": "Kit de couture",
            "phase": "reinsertion",
            "funding_source": source.pk,
            "envelope_xof": "90000000",
            "effective_from": "2026-01-01",
            "pathways": ["reinsertion", "community"],
            "categories": ["woman_associated"],
            "women_only": "on",
        },
    )
    package = Package.objects.get(code="kit-couture")
    assert response.status_code == 302 and response["Location"] == reverse(
        "ddr:package-detail", args=[package.pk]
    )
    assert (package.version, package.pathways, package.women_only) == (1, ["reinsertion", "community"], True)
    response = commission_client.post(
        reverse("ddr:component-new", args=[package.pk]),
        {"kind": "toolkit", "label": "Machine à coudre", "delivery": "in_kind", "amount_xof": "150000",
         "due_after_days": "30", "position": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    response = commission_client.post(
        reverse("ddr:component-new", args=[package.pk]),
        {"kind": "allowance", "label": "Tranche", "delivery": "cash", "amount_xof": "0", "due_after_days": "0",
         "position": "2"},
    )  # fmt: skip
    assert response.status_code == 400 and "A payment needs an amount." in response.content.decode()
    assert package.components.count() == 1
    _enrol_woman(package, commission_officer)
    edit = commission_client.get(reverse("ddr:package-edit", args=[package.pk]))
    assert edit.status_code == 302  # enrolled: never changed
    response = commission_client.post(
        reverse("ddr:component-edit", args=[package.components.get().pk]),
        {"kind": "toolkit", "label": "X", "delivery": "in_kind", "amount_xof": "1", "due_after_days": "0",
         "position": "1"},
    )  # fmt: skip
    assert response.status_code == 302 and package.components.get().label == "Machine à coudre"
    response = commission_client.post(reverse("ddr:package-new-version", args=[package.pk]))
    new = Package.objects.get(code="kit-couture", version=2)
    assert response["Location"] == reverse("ddr:package-detail", args=[new.pk])
    detail = commission_client.get(response["Location"]).content.decode()
    assert "Machine à coudre" in detail and 'data-testid="package-edit"' in detail


def test_a_duplicate_code_is_said_on_the_form(commission_client: Any) -> None:
    existing = PackageFactory.create(code="filet")
    response = commission_client.post(
        reverse("ddr:package-new"),
        {"code": "filet", "name": "Autre", "phase": "reinsertion", "funding_source": existing.funding_source_id,
         "envelope_xof": "0", "effective_from": "2026-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "already in the catalogue" in response.content.decode()
    assert Package.objects.count() == 1


def test_regional_officers_read_the_catalogue_but_do_not_edit_it(gao_client: Any) -> None:
    package = PackageFactory.create()
    assert gao_client.get(reverse("ddr:package-list")).status_code == 200
    assert gao_client.get(reverse("ddr:package-detail", args=[package.pk])).status_code == 200
    assert gao_client.get(reverse("ddr:package-new")).status_code == 403
    assert gao_client.get(reverse("ddr:package-edit", args=[package.pk])).status_code == 403
    assert gao_client.post(reverse("ddr:package-new-version", args=[package.pk])).status_code == 403
    component = package.components.get(position=1)
    assert gao_client.post(reverse("ddr:component-remove", args=[component.pk])).status_code == 403
    assert Package.objects.count() == 1 and package.components.count() == 3


def test_analysts_and_child_protection_do_not_open_the_catalogue_pages(
    analyst_client: Any, child_protection_client: Any
) -> None:
    package = PackageFactory.create()
    for client in (analyst_client, child_protection_client):
        assert client.get(reverse("ddr:package-list")).status_code == 403
        assert client.get(reverse("ddr:package-detail", args=[package.pk])).status_code == 403
        assert client.get(reverse("ddr:reintegration-budget")).status_code == 403


def test_the_admin_lists_the_catalogue_and_shows_enrolments_read_only(
    admin_client: Any, commission_officer: Any
) -> None:
    package = PackageFactory.create()
    enrolment = _enrol(package, commission_officer)
    for model in ("fundingsource", "package", "enrolment", "entitlement"):
        assert admin_client.get(reverse(f"admin:ddr_{model}_changelist")).status_code == 200, model
    page = admin_client.get(reverse("admin:ddr_enrolment_change", args=[enrolment.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse("admin:ddr_enrolment_add")).status_code == 403
    # A version people are enrolled in cannot be changed in the admin either.
    response = admin_client.post(reverse("admin:ddr_package_change", args=[package.pk]), {"name": "Changé"})
    assert response.status_code == 403
    package.refresh_from_db()
    assert package.name != "Changé"
    assert FundingSource.objects.count() == 1
