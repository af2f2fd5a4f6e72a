from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role, User

from .factories import UserFactory, region

# Browser tests drive a live server from pytest's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The longest tests, longest first (minutes each on two cores: the page walk, the canary walks, the
# archive's round trips). `make test` runs on one worker per core, which takes tests in this order:
# started first, they end while the short ones still fill the other workers, not alone at the end.
LONGEST_FIRST = (
    "tests/browser/test_walk.py::test_every_page_as_every_role",
    "tests/test_canary_child.py",
    "tests/test_archive.py",
    "tests/test_canary_admin.py",
    "tests/test_reference_and_demo.py",
    "tests/browser/",
)


def _django_group(item: pytest.Item) -> int:
    """pytest-django's order, read as it reads it: tests that roll back (0), then those that empty
    every table when they end (1: the reference data the migrations loaded is gone after them),
    then those without a database (2)."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return 1
    if {"transactional_db", "live_server"} & fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first within each of pytest-django's groups, whose order is kept."""
    groups = {item.nodeid: _django_group(item) for item in items}
    if list(groups.values()) != sorted(groups.values()):  # pytest-django has just sorted them
        raise pytest.UsageError("tests/conftest.py reads pytest-django's test groups otherwise than it does")

    def rank(item: pytest.Item) -> tuple[int, int]:
        first = (n for n, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix))
        return groups[item.nodeid], next(first, len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: the rest keeps its order


@pytest.fixture(autouse=True)
def _language_of_the_settings() -> Any:
    """A test that switches to English leaves the next one in the default language (French)."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _flush_lifts_the_history_truncate_guard() -> Any:
    """Transactional tests empty the database with one TRUNCATE, which history tables refuse on
    PostgreSQL (core.audit): the test database's owner lifts the guard for that statement only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from core.audit import allow_history_truncate_sql

    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if not statements:
            return statements
        before, after = allow_history_truncate_sql()
        return [*before, *statements, *after]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Any:
    """The API's throttles count requests per user id in the cache; tests reuse ids."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def commission_officer(db: Any) -> Any:
    return UserFactory.create(username="commission", role=Role.COMMISSION_OFFICER)


@pytest.fixture
def gao_officer(db: Any) -> Any:
    return UserFactory.create(username="gao", role=Role.REGIONAL_OFFICER, region=region("GAO"))


@pytest.fixture
def analyst(db: Any) -> Any:
    return UserFactory.create(username="analyste", role=Role.ANALYST)


@pytest.fixture
def child_protection_officer(db: Any) -> Any:
    return UserFactory.create(username="protection", role=Role.CHILD_PROTECTION)


@pytest.fixture
def administrator(db: Any) -> Any:
    return UserFactory.create(username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def commission_client(commission_officer: Any) -> Client:
    return _client(commission_officer)


@pytest.fixture
def gao_client(gao_officer: Any) -> Client:
    return _client(gao_officer)


@pytest.fixture
def analyst_client(analyst: Any) -> Client:
    return _client(analyst)


@pytest.fixture
def child_protection_client(child_protection_officer: Any) -> Client:
    return _client(child_protection_officer)


@pytest.fixture
def admin_client(administrator: Any) -> Client:  # replaces pytest-django's superuser fixture
    return _client(administrator)


@pytest.fixture
def eager_tasks(django_capture_on_commit_callbacks: Any) -> Any:
    """Run Celery tasks in-process when their transaction commits (the worker itself is tested apart)."""
    from config.celery import app

    # The app reads Django settings with the CELERY namespace: the keys are the namespaced ones.
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True, CELERY_TASK_EAGER_PROPAGATES=True)
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_TASK_EAGER_PROPAGATES=False)


@pytest.fixture
def celery_worker_process(transactional_db: Any) -> Any:
    """A real `celery worker` process on the configured broker and the test database.

    Tasks go to a queue of this test's own, so no other worker on the machine takes them.
    """
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from django.db import connection

    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    app.conf.update(CELERY_TASK_DEFAULT_QUEUE=queue)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            f"--hostname={queue}@%h",  # two workers of two tests at once: a name each
            "--loglevel=WARNING",
            "-Q",
            queue,
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield worker
    app.conf.update(CELERY_TASK_DEFAULT_QUEUE="celery")
    worker.terminate()
    worker.communicate(timeout=30)


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """Transactional tests flush every table, reference data included: load it again.

    The migrations' own loaders are used (idempotent), so tests see what production has.
    """
    from importlib import import_module

    from django.apps import apps

    for module, loader in (
        ("core.migrations.0002_regions_and_cercles", "load"),
        ("ddr.migrations.0002_armed_groups_and_coalitions", "load"),
        ("ddr.migrations.0028_coalitions_as_the_report_tells", "as_told"),
        ("ddr.migrations.0019_trades", "load"),
        ("cvr.migrations.0003_sop_versions_and_statuses", "load"),
        ("cvr.migrations.0006_sop_versions_as_the_report_tells", "as_told"),
        ("integration.migrations.0003_rank_table_and_targets", "load"),
    ):
        getattr(import_module(module), loader)(apps, None)
