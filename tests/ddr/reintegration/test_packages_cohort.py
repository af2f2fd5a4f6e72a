"""Enrolment of a cohort: set-based (queries constant in its size), the same rule as for one
person (each left-out reason counted), on the worker with a progress bar when it is large."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.models import Job
from ddr.duplicates.models import DuplicatePair
from ddr.models import Category, Combatant, Enrolment, Entitlement, Package, Pathway, Sex, VettingStatus
from ddr.reintegration.packages import rules, selectors, services

from ...factories import CombatantFactory, PackageFactory, region

pytestmark = pytest.mark.django_db

S = Combatant.Status
ON = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Messages in English (pages included: French is the default), whatever the catalogue holds."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _oriented(n: int = 1, **facts: Any) -> list[Combatant]:
    plain = {"status": S.ORIENTED, "pathway": Pathway.REINSERTION, "vetting_status": VettingStatus.CLEAR}
    return [CombatantFactory.create(**{**plain, **facts}) for _ in range(n)]


def _mixed(by: Any, package: Package) -> dict[str, list[Combatant]]:
    """A cohort with someone left out for each reason."""
    people = {
        "": _oriented(3),
        "merged": _oriented(status=S.MERGED),
        "excluded": _oriented(vetting_status=VettingStatus.CONFIRMED) + _oriented(status=S.EXCLUDED),
        "deceased": _oriented(status=S.DECEASED),
        rules.IN_OPEN_PAIR: _oriented(2),
        rules.PATHWAY: _oriented(pathway=Pathway.INTEGRATION_ARMY),
        rules.WOMEN_ONLY: _oriented(sex=Sex.MALE, category=Category.WOMAN_ASSOCIATED),
        rules.ALREADY: _oriented(),
    }
    first, second = people[rules.IN_OPEN_PAIR]
    DuplicatePair.objects.create(first=first, second=second, score=0.8)
    services.enrolment_create(person=people[rules.ALREADY][0], package=package, on=ON, by=by)
    return people


def test_the_preview_counts_each_reason_like_the_single_refusal(commission_officer: Any) -> None:
    package = PackageFactory.create(pathways=[Pathway.REINSERTION, Pathway.COMMUNITY])
    people = _mixed(commission_officer, package)
    people[rules.WOMEN_ONLY] = []  # the package is not for women only: that man is counted below
    preview = selectors.cohort_preview(Combatant.objects.all(), package)
    assert preview.total == Combatant.objects.count() == 12
    assert preview.may == 4  # the three, and the man of the women-only case
    assert [(code, n) for code, _label, n in preview.left_out] == [
        ("merged", 1),
        ("excluded", 2),
        ("deceased", 1),
        (rules.IN_OPEN_PAIR, 2),
        (rules.PATHWAY, 1),
        (rules.ALREADY, 1),
    ]
    # Person by person, the query says what the rule says.
    reasons = dict(Combatant.objects.annotate(bar=rules.package_bar_case(package)).values_list("pk", "bar"))
    in_pair = {p.pk for p in people[rules.IN_OPEN_PAIR]}
    enrolled = {p.pk for p in people[rules.ALREADY]}
    for person in Combatant.objects.all():
        expected = rules.package_bar(
            person, package, ON, in_open_pair=person.pk in in_pair, enrolled=person.pk in enrolled
        )
        assert reasons[person.pk] == expected, person


def test_the_cohort_enrols_those_who_may_be_and_counts_the_others(commission_officer: Any) -> None:
    package = PackageFactory.create(women_only=True)
    men = _oriented(3, sex=Sex.MALE)
    women = _oriented(2, sex=Sex.FEMALE, category=Category.WOMAN_ASSOCIATED)
    already = _oriented(1, sex=Sex.FEMALE, category=Category.WOMAN_ASSOCIATED)
    services.enrolment_create(person=already[0], package=package, on=ON, by=commission_officer)
    deceased = _oriented(1, sex=Sex.FEMALE, status=S.DECEASED)
    enrolled, left_out = services.cohort_enrol(
        people=Combatant.objects.all(), package=package, on=ON, by=commission_officer
    )
    assert (enrolled, left_out) == (2, len(men) + len(already) + len(deceased))
    assert set(Enrolment.objects.values_list("combatant", flat=True)) == {p.pk for p in women + already}
    assert Entitlement.objects.filter(combatant__in=women).count() == 6
    assert set(Entitlement.objects.filter(combatant__in=women).values_list("due_on", flat=True)) == {
        ON,
        ON + dt.timedelta(days=30),
        ON + dt.timedelta(days=90),
    }
    assert Enrolment.history.filter(history_change_reason="cohort").count() == 2
    # Run again: nobody twice.
    again = services.cohort_enrol(
        people=Combatant.objects.all(), package=package, on=ON, by=commission_officer
    )
    assert again == (0, 7)


def test_a_cohort_in_a_package_not_in_force_is_refused_whole(commission_officer: Any) -> None:
    _oriented(3)
    package = PackageFactory.create(effective_from=dt.date(2027, 1, 1))
    with pytest.raises(services.EnrolmentRefused, match="is not in force on 02 Mar 2026"):
        services.cohort_enrol(people=Combatant.objects.all(), package=package, on=ON, by=commission_officer)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("size", [3, 40])
def test_cohort_enrolment_queries_are_constant_in_its_size(size: int, commission_officer: Any) -> None:
    package = PackageFactory.create()
    _oriented(size)
    with CaptureQueriesContext(connection) as queries:
        assert services.cohort_enrol(
            people=Combatant.objects.all(), package=package, on=ON, by=commission_officer
        ) == (size, 0)
    # count, ids, lock, components, and the inserts with their history (a batch each, whatever the size)
    assert len(queries) <= 12, [q["sql"][:80] for q in queries.captured_queries]
    assert Entitlement.objects.count() == 3 * size


def test_cohort_enrolment_query_count_does_not_grow(commission_officer: Any) -> None:
    counts = []
    for size, code in ((2, "GAO"), (20, "KID")):  # within one insert batch (SQLite's parameters)
        _oriented(size, region=region(code))
        package = PackageFactory.create()
        with CaptureQueriesContext(connection) as queries:
            services.cohort_enrol(
                people=Combatant.objects.filter(region__code=code),
                package=package,
                on=ON,
                by=commission_officer,
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Enrolment.objects.count() == 22


# --- the page ------------------------------------------------------------------------------


def _page(package: Package, **filters: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"package": package.pk, "on": ON.isoformat(), **filters}.items())
    return f"{reverse('ddr:package-enrol-cohort')}?{query}"


def test_the_page_previews_then_enrols_on_confirmation(
    commission_client: Any, commission_officer: Any
) -> None:
    package = PackageFactory.create(women_only=True)
    _oriented(2, sex=Sex.FEMALE, category=Category.WOMAN_ASSOCIATED)
    _oriented(3, sex=Sex.MALE)
    _oriented(4, sex=Sex.FEMALE, region=region("KID"))
    response = commission_client.get(_page(package, region="GAO"))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.total, preview.may) == (5, 2)
    assert [(c, n) for c, _l, n in preview.left_out] == [(rules.WOMEN_ONLY, 3)]
    assert "Men (the package is for women only)" in response.content.decode()
    assert not Enrolment.objects.exists()  # a preview writes nothing
    response = commission_client.post(_page(package, region="GAO"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "ddr:package-detail", args=[package.pk]
    )
    assert Enrolment.objects.count() == 2
    assert set(Enrolment.objects.values_list("combatant__region__code", flat=True)) == {"GAO"}


def test_the_page_filters_by_every_criterion(commission_client: Any) -> None:
    package = PackageFactory.create()
    _oriented(2, registered_at=dt.date(2019, 1, 10))
    _oriented(1, registered_at=dt.date(2020, 6, 1), category=Category.COMBATANT_UNARMED, status=S.DEMOBILISED)
    _oriented(1, pathway=Pathway.COMMUNITY)
    cases = {
        "registered_from=2020-01-01": 1,
        "registered_to=2019-12-31": 3,
        "category=combatant_unarmed": 1,
        "status=demobilised": 1,
        "pathway=community": 1,
        "movement=GATIA&sex=M": 4,
        "region=KID": 0,
    }
    for query, expected in cases.items():
        response = commission_client.get(_page(package) + "&" + query)
        assert response.context["preview"].total == expected, query


def test_a_regional_officer_enrols_only_people_of_their_region(gao_client: Any) -> None:
    package = PackageFactory.create()
    _oriented(2)
    kidal = _oriented(2, region=region("KID"))
    response = gao_client.get(_page(package))  # no region given: their own
    assert response.context["preview"].total == 2
    response = gao_client.get(_page(package, region="KID"))  # not theirs: not a choice
    assert response.status_code == 200 and "preview" not in response.context
    gao_client.post(_page(package))
    assert Enrolment.objects.count() == 2
    assert not Enrolment.objects.filter(combatant__in=kidal).exists()


def test_analysts_and_child_protection_may_not_enrol_a_cohort(
    analyst_client: Any, child_protection_client: Any
) -> None:
    package = PackageFactory.create()
    _oriented(2)
    for client in (analyst_client, child_protection_client):
        assert client.get(_page(package)).status_code == 403
        assert client.post(_page(package)).status_code == 403
    assert not Enrolment.objects.exists()


def test_a_package_not_in_force_is_said_on_the_page_and_nothing_is_offered(commission_client: Any) -> None:
    package = PackageFactory.create(effective_from=dt.date(2027, 1, 1))
    _oriented(2)
    response = commission_client.get(_page(package))
    assert "is not in force on 02 Mar 2026" in response.content.decode()
    assert 'data-testid="cohort-confirm"' not in response.content.decode()
    commission_client.post(_page(package))
    assert not Enrolment.objects.exists()


def test_a_large_cohort_runs_on_the_worker_with_a_progress_bar(
    commission_client: Any, commission_officer: Any, eager_tasks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "COHORT_JOB_THRESHOLD", 3)
    monkeypatch.setattr(services, "COHORT_BATCH", 2)
    package = PackageFactory.create()
    _oriented(5)
    _oriented(1, status=S.DECEASED)
    with eager_tasks():
        response = commission_client.post(_page(package))
    job = Job.objects.get(kind="package_cohort_enrol")
    assert response.status_code == 302
    assert response["Location"] == reverse("ddr:package-enrol-cohort-job", args=[job.pk])
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 6, 6)
    assert job.message == f"5 enrolled in {package}, 1 left out."
    assert Enrolment.objects.count() == 5 and Entitlement.objects.count() == 15
    page = commission_client.get(response["Location"])
    assert page.status_code == 200 and 'data-status="done"' in page.content.decode()
    # Delivered twice: the finished job is left alone, nobody is enrolled twice.
    services.cohort_enrol_run(job_id=job.pk, package_id=package.pk, filters={}, on=timezone.localdate())
    assert Enrolment.objects.count() == 5


def test_the_job_page_is_its_owners_only(gao_client: Any, commission_officer: Any) -> None:
    job = Job.objects.create(kind="package_cohort_enrol", created_by=commission_officer)
    assert gao_client.get(reverse("ddr:package-enrol-cohort-job", args=[job.pk])).status_code == 404
