"""Duplicate screens and API: review, merge and undo through HTTP, refusals, thresholds, lists
held for review, and the integrity report (browser and analysts' aggregates)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ddr.models import Combatant, DuplicatePair, ListEntry, MatchingSettings, Merge, SubmittedList

from ..factories import CombatantFactory, region
from .test_dedup import a_list, run, twins

pytestmark = pytest.mark.django_db


def test_officer_compares_merges_and_undoes_through_the_pages(
    commission_client: Any, commission_officer: Any
) -> None:
    kept, absorbed = twins()
    run(commission_officer)
    pair = DuplicatePair.objects.get()
    queue = commission_client.get(reverse("ddr:duplicate-queue")).content.decode()
    assert "Ag Intallah" in queue and "Ould Intalah" in queue and "nom" in queue  # the reasons, in French

    pair_url = reverse("ddr:duplicate-pair", args=[pair.pk])
    page = commission_client.get(pair_url).content.decode()
    assert kept.registration_number in page and absorbed.registration_number in page
    assert 'data-testid="merge-undo"' not in page
    response = commission_client.post(reverse("ddr:duplicate-decide", args=[pair.pk]), {"decision": "same"})
    assert response.status_code == 302 and response.url == pair_url  # the merged page, to check or undo
    assert Combatant.objects.get(pk=absorbed.pk).merged_into_id == kept.pk

    merge = Merge.objects.get()
    merged = commission_client.get(pair_url).content.decode()
    # The undo comes first on the page, with who merged and when, before the pair itself.
    assert merged.index('data-testid="merge-undo"') < merged.index("<h1")
    assert f"Fusionné par {commission_officer}" in merged and "Annuler la fusion" in merged
    queue = commission_client.get(reverse("ddr:duplicate-queue")).content.decode()
    assert 'data-testid="merge-undo"' not in queue and pair_url in queue  # the queue leads to it

    response = commission_client.post(reverse("ddr:merge-undo", args=[merge.pk]), follow=True)
    assert response.redirect_chain[0][0] == pair_url
    assert Combatant.objects.get(pk=absorbed.pk).status == "registered"
    assert DuplicatePair.objects.get().status == "open"  # back in the queue, undecided
    page = response.content.decode()
    assert 'data-testid="merge-undone"' in page and 'data-testid="decide-same"' in page
    assert "Ag Intallah" in commission_client.get(reverse("ddr:duplicate-queue")).content.decode()


def test_a_refused_merge_says_why_on_the_pair_page(commission_client: Any, commission_officer: Any) -> None:
    _first, second = twins()
    Combatant.objects.filter(pk=second.pk).update(status="screened")
    run(commission_officer)
    pair = DuplicatePair.objects.get()
    response = commission_client.post(
        reverse("ddr:duplicate-decide", args=[pair.pk]), {"decision": "same"}, follow=True
    )
    assert "même étape" in response.content.decode()
    assert DuplicatePair.objects.get().status == "open"


def test_regional_officer_cannot_open_another_regions_pair_and_analysts_are_refused(
    gao_client: Any, analyst_client: Any, commission_officer: Any
) -> None:
    twins(region=region("KID"))
    run(commission_officer)
    pair = DuplicatePair.objects.get()
    assert gao_client.get(reverse("ddr:duplicate-pair", args=[pair.pk])).status_code == 404
    assert (
        gao_client.post(reverse("ddr:duplicate-decide", args=[pair.pk]), {"decision": "same"}).status_code == 404
    )
    assert analyst_client.get(reverse("ddr:duplicate-queue")).status_code == 403
    assert DuplicatePair.objects.get().status == "open"


def test_administrator_previews_then_saves_thresholds_and_bad_ones_change_nothing(
    admin_client: Any, commission_client: Any, commission_officer: Any
) -> None:
    twins()
    run(commission_officer)
    url = reverse("ddr:matching-settings")
    preview = admin_client.get(url, {"strong": "1", "review": "0.5", "list_hold_share": "0.1"})
    assert "Avec ces seuils : 0 proposées, 1 à examiner" in preview.content.decode()
    assert MatchingSettings.current().strong == 0.999  # a preview saves nothing

    bad = admin_client.post(url, {"strong": "0.5", "review": "0.8", "list_hold_share": "0.1"})
    assert bad.status_code == 400 and MatchingSettings.current().review == 0.5
    admin_client.post(url, {"strong": "0.95", "review": "0.7", "list_hold_share": "0.2"})
    assert (MatchingSettings.current().strong, MatchingSettings.current().list_hold_share) == (0.95, 0.2)
    assert commission_client.get(url).status_code == 403


def test_a_held_list_cannot_be_accepted_until_its_pairs_are_decided(
    commission_client: Any, commission_officer: Any
) -> None:
    _registered, again = twins()
    submitted = a_list(commission_officer, "HCUA")
    ListEntry.objects.create(submitted_list=submitted, combatant=again, line=2)
    run(commission_officer, submitted)
    page = commission_client.get(reverse("ddr:list-detail", args=[submitted.pk])).content.decode()
    assert "Retenue pour examen" in page
    commission_client.post(reverse("ddr:list-status", args=[submitted.pk]), {"status": "accepted"})
    assert SubmittedList.objects.get(pk=submitted.pk).status == "received"

    pair = DuplicatePair.objects.get()
    commission_client.post(reverse("ddr:duplicate-decide", args=[pair.pk]), {"decision": "different"})
    commission_client.post(reverse("ddr:list-status", args=[submitted.pk]), {"status": "accepted"})
    assert SubmittedList.objects.get(pk=submitted.pk).status == "accepted"


def test_integrity_report_page_csv_and_analyst_aggregates(
    commission_client: Any, analyst_client: Any, commission_officer: Any
) -> None:
    kept, again = twins()
    mnla = a_list(commission_officer, "MNLA")
    ListEntry.objects.create(submitted_list=mnla, combatant=kept, line=2)
    ListEntry.objects.create(submitted_list=a_list(commission_officer, "HCUA"), combatant=again, line=2)
    run(commission_officer)

    page = commission_client.get(reverse("ddr:list-integrity"), {"movement": "MNLA"}).content.decode()
    assert "Déjà enregistrés ailleurs" in page
    csv = commission_client.get(reverse("ddr:list-integrity"), {"list": mnla.pk, "export": "csv"})
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeffIndicateur;Nombre;Part") and "Déjà enregistrés ailleurs;1;100.0%" in text
    assert commission_client.get(reverse("ddr:list-integrity"), {"list": "x"}).status_code == 400
    assert analyst_client.get(reverse("ddr:list-integrity")).status_code == 403

    # Per list is refused (a movement minus its lists would isolate one); per movement, the 1 is
    # left out of every count.
    assert analyst_client.get("/api/lists/integrity/", {"list": mnla.pk}).status_code == 400
    rows = {r["indicator"]: r for r in analyst_client.get("/api/lists/integrity/", {"movement": "MNLA"}).json()}
    assert rows["registered_elsewhere"] == {
        "indicator": "registered_elsewhere",
        "count": 0,
        "share": None,
        "suppressed": True,
    }
    staff = {
        r["indicator"]: r for r in commission_client.get("/api/lists/integrity/", {"list": mnla.pk}).json()
    }
    assert staff["registered_elsewhere"]["count"] == 1
    assert analyst_client.get("/api/lists/integrity/", {"movement": "NOPE"}).status_code == 400


def test_merged_records_are_counted_once(commission_client: Any, commission_officer: Any) -> None:
    from ddr.duplicates import services as duplicates

    twins()
    for given, family in [("Aliou", "Touré"), ("Issa", "Dicko"), ("Bakary", "Diarra"), ("Sidi", "Haïdara")]:
        CombatantFactory.create(given_name=given, family_name=family, birth_year=1970)
    CombatantFactory.create(given_name="Oumar", family_name="Cissé", birth_year=1999)
    run(commission_officer)
    duplicates.pair_merge(pair=DuplicatePair.objects.get(), by=commission_officer)
    counts = commission_client.get("/api/pathways/counts/").json()
    assert sum(r["count"] for r in counts) == 6


def test_a_pair_with_a_child_neither_holds_nor_blocks_a_list(
    commission_client: Any, commission_officer: Any
) -> None:
    """Nobody on the list's side may see a child: a pair with one is child protection's to settle, so
    it must not hold the list (its share would tell a child is on it) nor keep it from acceptance."""
    from ddr.screening import services as screening

    _registered, again = twins()
    submitted = a_list(commission_officer, "HCUA")
    ListEntry.objects.create(submitted_list=submitted, combatant=again, line=2)
    screening.children_separate(people=Combatant.objects.filter(pk=again.pk), by=commission_officer)
    run(commission_officer, submitted)
    assert DuplicatePair.objects.filter(status="open").exists()  # still there, for child protection

    page = commission_client.get(reverse("ddr:list-detail", args=[submitted.pk])).content.decode()
    assert "Retenue pour examen" not in page
    commission_client.post(reverse("ddr:list-status", args=[submitted.pk]), {"status": "accepted"})
    assert SubmittedList.objects.get(pk=submitted.pk).status == "accepted"
