"""The register of decisions and the roadmaps: a decision recorded with its minutes (checked), the
steps of sites and CVR projects pointing to it and listed back on its page, roadmap actions
followed with their evidence and flagged overdue by the worker; read by every field role,
written by commission officers and administrators only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role, User
from cantonment.sites import services as sites
from cantonment.sites.models import Site
from core.models import Body, Decision
from cvr import services as cvr
from cvr.models import Project
from programme.governance import demo, services
from programme.governance.models import Roadmap, RoadmapAction
from programme.governance.services import GovernanceRefused

from ..factories import ProjectFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _decision(by: User, **values: Any) -> Decision:
    fields = {"body": Body.CTS, "taken_on": dt.date(2016, 5, 2), "title": "Validation du site de Fafa"}
    return services.decision_record(by=by, **(fields | values))


def test_a_decision_keeps_its_minutes_only_if_they_are_a_pdf_or_an_image(commission_officer: User) -> None:
    disguised = SimpleUploadedFile("pv.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    with pytest.raises(GovernanceRefused, match="PDF or an image"):
        _decision(commission_officer, minutes=disguised)
    with pytest.raises(GovernanceRefused, match="future"):
        _decision(commission_officer, taken_on=TODAY + dt.timedelta(days=1))
    assert not Decision.objects.exists()
    decision = _decision(commission_officer, minutes=SimpleUploadedFile("pv.pdf", PDF))
    assert decision.minutes.name.endswith(".pdf") and str(decision).startswith("CTS, ")
    assert decision.history.get().history_user == commission_officer


def test_steps_point_to_their_decision_and_the_decision_lists_them(
    commission_officer: User, commission_client: Client
) -> None:
    decision = _decision(commission_officer)
    site = SiteFactory.create(name="Fafa", status=Site.Status.PROPOSED)
    event = sites.site_advance(
        site=site, to=Site.Status.VALIDATED, on=dt.date(2016, 5, 3), by=commission_officer, decision=decision
    )
    assert (event.decision, event.decided_by) == (decision, "CTS")  # the register says who decided
    project = ProjectFactory.create(status=Project.Status.DRAFT)
    cvr.project_advance(
        project=project, to=Project.Status.SUBMITTED, on=TODAY, by=commission_officer, decision=decision
    )
    page = commission_client.get(reverse("programme:decision-detail", args=[decision.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("cantonment:site-detail", args=[site.pk]) in html and "Fafa : Valid" in html  # French page
    assert reverse("cvr:project-detail", args=[project.pk]) in html and project.code in html


def test_the_step_form_offers_the_register(commission_officer: User, commission_client: Client) -> None:
    decision = _decision(commission_officer)
    site = SiteFactory.create(status=Site.Status.PROPOSED)
    commission_client.post(
        reverse("cantonment:site-advance", args=[site.pk]),
        {"to": Site.Status.VALIDATED, "on": "2016-05-03", "decision": decision.pk},
    )
    assert site.events.get().decision == decision


def test_roadmap_actions_are_followed_and_flagged_overdue(commission_officer: User) -> None:
    decision = _decision(commission_officer, body=Body.CSA, taken_on=dt.date(2020, 12, 18))
    roadmap = Roadmap.objects.create(
        title="Feuille de route", adopted_on=dt.date(2020, 12, 18), decision=decision
    )
    late = RoadmapAction.objects.create(
        roadmap=roadmap, number=11, text="Screening des BATFAR", deadline=dt.date(2020, 12, 31)
    )
    ahead = RoadmapAction.objects.create(
        roadmap=roadmap, number=12, text="Listes de volontaires", deadline=TODAY + dt.timedelta(days=30)
    )
    assert services.flag_overdue() == 1
    late.refresh_from_db()
    ahead.refresh_from_db()
    assert (late.overdue, ahead.overdue) == (True, False)

    with pytest.raises(GovernanceRefused, match="date the action was done"):
        services.action_update(action=late, status="done", done_on=None, evidence="", by=commission_officer)
    with pytest.raises(GovernanceRefused, match="before its roadmap"):
        services.action_update(
            action=late, status="done", done_on=dt.date(2019, 1, 1), evidence="", by=commission_officer
        )
    late.refresh_from_db()
    assert late.status == "planned" and late.overdue
    services.action_update(
        action=late, status="done", done_on=dt.date(2021, 2, 1), evidence="PV du CTS", by=commission_officer
    )
    late.refresh_from_db()
    assert (late.status, late.overdue, late.history.first().history_user) == (
        "done",
        False,
        commission_officer,
    )
    assert services.flag_overdue(today=ahead.deadline + dt.timedelta(days=1)) == 1  # now the other one


def test_who_reads_and_who_writes(
    commission_officer: User, gao_client: Client, analyst_client: Client, commission_client: Client
) -> None:
    decision = _decision(commission_officer)
    focal = Client()
    focal.force_login(UserFactory.create(role=Role.FOCAL_POINT))
    assert gao_client.get(reverse("programme:decision-list")).status_code == 200
    assert focal.get(reverse("programme:decision-list")).status_code == 403
    values = {"body": Body.CSA, "taken_on": "2018-03-22", "title": "Feuille de route"}
    assert gao_client.post(reverse("programme:decision-new"), values).status_code == 403
    assert analyst_client.post(reverse("programme:decision-new"), values).status_code == 403
    assert Decision.objects.count() == 1
    listed = analyst_client.get("/api/decisions/").json()
    assert [d["title"] for d in listed["results"]] == [decision.title]
    assert analyst_client.post("/api/decisions/", values, content_type="application/json").status_code in (
        403,
        405,
    )
    made = commission_client.post(reverse("programme:decision-new"), values)
    assert made.status_code == 302 and Decision.objects.count() == 2


def test_the_demo_roadmaps_as_the_report_writes_them(
    commission_officer: User, commission_client: Client
) -> None:
    demo.seed(commission_officer)
    counts = {r.adopted_on.year: r.actions.count() for r in Roadmap.objects.all()}
    assert counts == {2018: 21, 2020: 28}  # annex 6.2
    cantonment = RoadmapAction.objects.get(roadmap__adopted_on__year=2018, number=11)
    assert cantonment.status == "dropped" and "45" in cantonment.text and not cantonment.overdue
    assert (
        RoadmapAction.objects.filter(overdue=True).count()
        == RoadmapAction.objects.filter(status__in=["planned", "under_way"]).count()
    )
    roadmap = Roadmap.objects.get(adopted_on__year=2020)
    with CaptureQueriesContext(connection) as queries:
        page = commission_client.get(reverse("programme:roadmap-detail", args=[roadmap.pk]))
    assert page.status_code == 200 and page.content.decode().count('id="action-') == 28
    assert len(queries) < 15  # one query for the actions, whatever their number
    listed = commission_client.get(reverse("programme:roadmap-list")).content.decode()
    assert "0 actions réalisées sur 28" in listed  # French page
    board = commission_client.get(reverse("programme:dashboard")).content.decode()
    assert 'data-testid="dashboard-roadmaps"' in board and "0 actions réalisées sur 28" in board
