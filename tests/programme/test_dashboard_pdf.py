"""The dashboard's PDF: made on the worker as a job with its progress, a cover, the charts, the
map and the tables in an annex; the figures of the person who asked, the file theirs alone."""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.models import ExportLog, Job
from core.pdf import html_to_document
from ddr.models import Pathway
from programme import report

from ..factories import CombatantFactory, UserFactory, region

pytestmark = pytest.mark.django_db


def _people(code: str, n: int, pathway: str = Pathway.REINSERTION) -> None:
    for _ in range(n):
        CombatantFactory.create(region=region(code), pathway=pathway)


def _bookmarks(pdf: bytes) -> list[str]:
    """The PDF's outline (its headings), read from the file itself: WeasyPrint compresses its
    objects, so each stream is inflated first; titles are PDF strings, UTF-16 when not ASCII."""
    parts = [pdf]
    # Each stream read by its declared length: its bytes may hold anything, "\r" or "endstream".
    for found in re.finditer(rb"/Length (\d+)\b[^>]*>>\s*stream\r?\n", pdf):
        stream = pdf[found.end() : found.end() + int(found.group(1))]
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    titles = []
    for raw in re.findall(rb"/Title ?(\((?:\\.|[^\\)])*\)|<[0-9a-fA-F]+>)", b" ".join(parts)):
        if raw.startswith(b"<"):
            titles.append(bytes.fromhex(raw[1:-1].decode()).decode("utf-16"))
        else:
            titles.append(raw[1:-1].decode("latin-1"))
    return titles


def _pages(user: Any, query: dict[str, str] | None = None) -> list[tuple[str, list[str], bool]]:
    """Each page of the report as laid out: its text, its headings, whether it is landscape."""
    with translation.override("fr"):
        from django.template.loader import render_to_string

        document = html_to_document(
            render_to_string("programme/dashboard_report.html", report.report_context(user, query or {}))
        )
    pages = []
    for page in document.pages:
        texts = [box.text for box in page._page_box.descendants() if hasattr(box, "text")]
        headings = [label for _level, label, _target, _state in page.bookmarks]
        pages.append((" ".join(texts), headings, page.width > page.height))
    return pages


def test_the_pdf_runs_on_the_worker_and_its_owner_downloads_it(
    commission_client: Client, commission_officer: Any, eager_tasks: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    _people("GAO", 6)
    with eager_tasks():
        response = commission_client.post(reverse("programme:dashboard-pdf"), {"region": "GAO"})
    job = Job.objects.get(kind="dashboard_pdf")
    assert (job.status, job.done, job.total, job.created_by) == (Job.Status.DONE, 4, 4, commission_officer)
    assert "pages" in job.message
    # The test's transaction holds the task until the view has answered: the progress page.
    assert response.status_code == 302
    assert response["Location"] == reverse("programme:dashboard-pdf-job", args=[job.pk])
    pdf = commission_client.get(reverse("programme:dashboard-pdf-file", args=[job.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    outline = _bookmarks(pdf.content)
    assert outline[:2] == ["Tableau de bord du programme", "En bref"]  # the cover
    for heading in ("Le programme en graphiques", "Carte", "Annexe : les tableaux"):
        assert heading in outline
    assert (
        outline.index("Le programme en graphiques")
        < outline.index("Carte")
        < outline.index("Annexe : les tableaux")
    )
    log = ExportLog.objects.get(what="tableau-de-bord", file_format="pdf")
    assert log.user == commission_officer and not log.identity
    # The job's page, and the dashboard on coming back, lead to it.
    page = commission_client.get(reverse("programme:dashboard-pdf-job", args=[job.pk])).content.decode()
    assert 'data-status="done"' in page and 'data-testid="dashboard-pdf-download"' in page
    assert 'data-testid="dashboard-pdf-jobs"' in commission_client.get("/tableau-de-bord/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_pdf_ready_within_a_second_comes_at_once(
    reference_data: None, settings: Any, tmp_path: Any
) -> None:
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(UserFactory.create(username="commission"))
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True)
    try:
        response = client.post(reverse("programme:dashboard-pdf"))
    finally:
        app.conf.update(CELERY_TASK_ALWAYS_EAGER=False)
    job = Job.objects.get(kind="dashboard_pdf")
    assert response["Location"] == reverse("programme:dashboard-pdf-file", args=[job.pk])
    assert client.get(response["Location"]).content.startswith(b"%PDF")


def test_a_slow_pdf_shows_its_progress_bar_and_polls(
    commission_client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = commission_client.post(reverse("programme:dashboard-pdf"))  # no worker: still queued
    job = Job.objects.get(kind="dashboard_pdf")
    assert response["Location"] == reverse("programme:dashboard-pdf-job", args=[job.pk])
    page = commission_client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    assert commission_client.get(reverse("programme:dashboard-pdf-file", args=[job.pk])).status_code == 404


def test_the_pdf_has_a_full_cover_then_charts_map_and_a_landscape_annex(commission_officer: Any) -> None:
    _people("GAO", 7)
    _people("KID", 5, Pathway.COMMUNITY)
    pages = _pages(commission_officer)
    cover, headings, landscape = pages[0]
    assert headings[:2] == ["Tableau de bord du programme", "En bref"] and not landscape
    for words in (
        "Période",
        "Le programme entier, à ce jour",
        "Produit le",
        "Imprimé par",
        "Toutes les régions",
    ):
        assert words in cover
    assert commission_officer.get_full_name() in cover
    assert "12" in cover  # people at a glance
    assert any("Le programme en graphiques" in h for h in pages[1][1])
    charts_text = pages[1][0]
    assert "Quotas remplis" in charts_text or "Parcours par sexe" in charts_text
    annex = [i for i, (_text, h, _l) in enumerate(pages) if "Annexe : les tableaux" in h]
    assert annex and all(landscape for _text, _h, landscape in pages[annex[0] :])
    assert "Parcours par région" in " ".join(text for text, _h, _l in pages[annex[0] :])
    # No nearly blank page: each has a heading of its own or is full of text (the map's page:
    # its names and figures are drawn in the SVG, the legend is text).
    assert all(headings or len(text) > 400 for text, headings, _l in pages), [len(t) for t, _h, _l in pages]


def test_a_regional_officers_pdf_covers_their_region_only(gao_officer: Any) -> None:
    _people("GAO", 6)
    _people("KID", 9)
    pages = _pages(gao_officer)
    text = " ".join(t for t, _h, _l in pages)
    assert "Gao" in pages[0][0] and "Toutes les régions" not in pages[0][0]
    assert "Kidal, " not in text  # no figure of another region in any chart or table
    annex = " ".join(t for t, h, _l in pages if any("Annexe" in x for x in h))
    assert " 9 " not in f" {annex} "


def test_an_analysts_pdf_has_only_suppressed_aggregates(analyst: Any) -> None:
    _people("GAO", 7)
    _people("KID", 3)  # fewer than 5: in no figure
    pages = _pages(analyst)
    text = " ".join(t for t, _h, _l in pages)
    assert "Les groupes de moins de 5 personnes" in pages[0][0]
    assert "masqué" in text
    assert "10" not in re.findall(r"\d+", text[: len(pages[0][0])])  # the register at a glance is 7, not 10


def test_someone_elses_pdf_is_not_found(
    commission_officer: Any, gao_client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(kind="dashboard_pdf", created_by=commission_officer, status=Job.Status.DONE)
    (tmp_path / "reports").mkdir()
    (tmp_path / report.report_file(job.pk)).write_bytes(b"%PDF-1.7 theirs")
    assert gao_client.get(reverse("programme:dashboard-pdf-job", args=[job.pk])).status_code == 404
    assert gao_client.get(reverse("programme:dashboard-pdf-file", args=[job.pk])).status_code == 404
    assert gao_client.get(reverse("programme:dashboard-pdf")).status_code == 405  # a POST starts one
    assert Client().post(reverse("programme:dashboard-pdf")).status_code == 302  # to the sign-in page


def test_an_analyst_cannot_queue_a_period_they_may_not_read(analyst_client: Client) -> None:
    response = analyst_client.post(reverse("programme:dashboard-pdf"), {"from": "2024-01-15"}, follow=True)
    assert not Job.objects.exists()
    assert "trimestre" in response.content.decode()


def test_a_job_whose_owner_left_fails_saying_why(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    gone = UserFactory.create(is_active=False)
    job = Job.objects.create(kind="dashboard_pdf", created_by=gone)
    report.report_run(job_id=job.pk, query={}, language="fr")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message
