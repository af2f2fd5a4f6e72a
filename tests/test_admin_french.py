"""The admin in French: sections and columns named for an administrator, not by package or method."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_sections_and_columns_are_french(admin_client: Any) -> None:
    index = html.unescape(admin_client.get(reverse("admin:index")).content.decode())
    assert "Jetons d’API" in index and "Tentatives de connexion et verrouillages" in index
    assert ">Knox<" not in index and ">Axes<" not in index
    users = html.unescape(admin_client.get(reverse("admin:accounts_user_changelist")).content.decode())
    assert "Get full name" not in users and ">Nom<" in users
    # The weapons' column, by its label (the demo-less list shows no table to read it from).
    from django.contrib.admin import site
    from django.contrib.admin.utils import label_for_field
    from django.utils import translation

    from cantonment.models import WamItem

    with translation.override("fr"):
        assert str(label_for_field("receipt", WamItem, site._registry[WamItem])) == "Numéro de reçu"


def test_the_list_of_jobs_names_each_kind(admin_client: Any, administrator: Any) -> None:
    from core.models import Job

    Job.objects.create(kind="list_import_commit", created_by=administrator)
    jobs = html.unescape(admin_client.get(reverse("admin:core_job_changelist")).content.decode())
    assert "Import d'une liste" in jobs and "list_import_commit</" not in jobs
