"""One domain-error base (`core.errors.Refused`) and its one mapping per way out: a 400 on the
field in the API, a form error or a message in the browser, a message on a failed job; a refusal
no view expected is still an answer, never a 500."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from core.errors import Refused
from core.tasks import failure_message
from cvr.models import Beneficiary, Consortium
from ddr.eligibility import services as eligibility
from ddr.eligibility.models import RuleSet
from ddr.models import Pathway

from .factories import CombatantFactory, PartnerFactory, ProjectFactory, RuleSetFactory, region

APPS = ("accounts", "core", "ddr", "cantonment", "integration", "cvr", "programme")

# Exceptions that are not a refusal of what the user asked: the machine cannot do it. Each says why.
INFRASTRUCTURE = {
    "core.pdf.PdfUnavailable": "the server lacks Pango; the pages that need a PDF say so (503), "
    "and a handover turns it into its own refusal",
    "core.audit.RoleError": "the database role cannot be given its privileges: an operator's "
    "command (grant_app_role), never a request",
    "programme.archive.ArchiveError": "the handover archive cannot be written or read: the "
    "operator's export_archive/import_archive commands print it, never a request",
}


def _exceptions_defined_in_the_apps() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for app in APPS:
        package = importlib.import_module(app)
        names = [app] + [
            m.name
            for m in pkgutil.walk_packages(package.__path__, prefix=f"{app}.")
            if ".migrations" not in m.name
        ]
        for name in names:
            module = importlib.import_module(name)
            for _attr, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__ == name:
                    found[f"{name}.{cls.__qualname__}"] = cls
    return found


def test_every_exception_of_the_apps_is_a_refusal_or_named_as_infrastructure() -> None:
    found = _exceptions_defined_in_the_apps()
    assert set(INFRASTRUCTURE) <= set(found), "an allow-listed exception was renamed or removed"
    assert {"ddr.lists.services.ImportRejected", "cantonment.sites.services.CantonmentRefused"} <= set(found)
    not_refusals = {
        name
        for name, cls in found.items()
        if not issubclass(cls, Refused) and name not in INFRASTRUCTURE and cls is not Refused
    }
    assert not_refusals == set(), "subclass core.errors.Refused, or say here why it is infrastructure"
    assert not any(issubclass(found[name], Refused) for name in INFRASTRUCTURE)


# --- the API ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_in_the_api_is_a_400_on_the_field_it_names(commission_client: Client) -> None:
    project = ProjectFactory.create(code="RVC-GAO-9", region=region("GAO"))
    person = CombatantFactory.create(pathway=Pathway.COMMUNITY)
    body = {"project": project.pk, "person": person.pk, "age_band": "25-35"}
    first = commission_client.post("/api/cvr-beneficiaries/", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = commission_client.post(
        "/api/cvr-beneficiaries/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 400
    assert again.json() == {
        "person": [f"{person.registration_number} is already a beneficiary of this project."]
    }
    assert Beneficiary.objects.filter(project=project).count() == 1


# --- the browser --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_on_a_form_page_is_the_error_of_the_field_it_names(commission_client: Client) -> None:
    partners = [PartnerFactory.create() for _ in range(4)]
    response = commission_client.post(
        reverse("cvr:consortium-new"),
        {
            "name": "Quatuor",
            "lead": partners[0].pk,
            "members": [p.pk for p in partners],
            "formed_on": "2024-01-01",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "members": ["A consortium has 2 or 3 NGOs (lead included); 4 were given."]
    }
    assert not Consortium.objects.exists()


@pytest.mark.django_db
def test_a_refusal_without_a_form_is_a_message_on_the_page_the_view_chose(admin_client: Client) -> None:
    active = RuleSetFactory.create(status=RuleSet.Status.ACTIVE)
    response = admin_client.post(
        reverse("ddr:ruleset-activate", args=[active.pk]), {"confirm": "yes"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("ddr:ruleset-detail", args=[active.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Only a draft rule set can be activated."
    ]
    assert not active.runs.exists()


@pytest.mark.django_db
def test_a_refusal_no_view_expected_is_a_message_after_a_post_never_a_500(
    admin_client: Client, monkeypatch: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise eligibility.PathwayRefused("No new draft today.")

    monkeypatch.setattr(eligibility, "ruleset_draft_from", refuse)
    back = "http://testserver" + reverse("ddr:ruleset-list")
    response = admin_client.post(reverse("ddr:ruleset-new"), HTTP_REFERER=back)
    assert response.status_code == 302 and response["Location"] == back
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["No new draft today."]
    # Without a page of this site to go back to: a 400 that says it.
    for referer in ("", "https://elsewhere.example/"):
        response = admin_client.post(reverse("ddr:ruleset-new"), HTTP_REFERER=referer)
        assert response.status_code == 400 and response.content.decode() == "No new draft today."
        assert response["Content-Type"] == "text/plain; charset=utf-8"


# --- jobs ---------------------------------------------------------------------------------


def test_a_job_refused_by_its_service_says_why_and_nothing_else_does() -> None:
    assert failure_message(Refused("Only a checked file can be imported.")) == (
        "Only a checked file can be imported."
    )
    assert "secret" not in failure_message(RuntimeError("secret SQL"), "Unexpected error.")


def test_a_refusal_names_its_field_or_its_class_default() -> None:
    from core.suppression import PeriodRefused
    from ddr.lists.services import ImportRejected

    assert Refused("x").field == "non_field_errors"
    assert Refused("x", "site").field == "site"
    assert ImportRejected("x").field == "file" and PeriodRefused("x").field == "period"
