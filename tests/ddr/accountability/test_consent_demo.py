"""The consent demo: set-based, realistic shares, and nothing to do on an empty register."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from core.models import Region
from ddr.accountability.consent import demo
from ddr.accountability.consent.models import ConsentRecord, ConsentWithdrawal

from ...factories import CombatantFactory, region

pytestmark = pytest.mark.django_db


def test_demo_on_an_empty_register_records_nothing(administrator: Any) -> None:
    demo.seed(random.Random(10), {r.code: r for r in Region.objects.all()}, administrator)
    assert not ConsentRecord.objects.exists() and not ConsentWithdrawal.objects.exists()


def test_demo_records_most_of_the_register_in_few_queries(
    administrator: Any, settings: Any, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    for code in ("GAO", "KID", "MOP", "BKO"):
        for _ in range(25):
            CombatantFactory.create(region=region(code), biometric_ref="BIO")
    with django_assert_max_num_queries(80):
        demo.seed(random.Random(10), {r.code: r for r in Region.objects.all()}, administrator)
    records = ConsentRecord.objects.filter(text__kind="declaration")
    assert 60 <= records.count() <= 95
    languages = set(records.values_list("language", flat=True))
    assert {"ses", "tmh", "bm"} <= languages
    assert set(records.values_list("text__language", flat=True)) <= {"fr", "en"}
    assert ConsentWithdrawal.objects.filter(scope="sharing").count() == 1
    assert ConsentWithdrawal.objects.filter(scope__in=["photo", "biometric"]).count() == 2
