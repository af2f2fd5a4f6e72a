"""The Celery app. Quick start uses kombu's filesystem transport, so no Redis is needed."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ddr_cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks, and those of the register's concepts (ddr/<concept>/tasks.py).
app.autodiscover_tasks()
app.autodiscover_tasks(
    [
        "cantonment.sites",
        "cantonment.weapons",
        "ddr.lists",
        "ddr.eligibility",
        "ddr.duplicates",
        "ddr.screening",
        "ddr.reintegration.followup",
        "ddr.reintegration.packages",
        "ddr.reintegration.payments",
        "ddr.accountability.grievances",
        "ddr.accountability.appeals",
        "ddr.accountability.consent",
        "programme.governance",
    ]
)
