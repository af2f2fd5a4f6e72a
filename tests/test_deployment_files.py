"""No Docker engine runs here: the compose file is parsed and checked instead."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:")
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_app_services_point_at_postgres_and_redis_and_demand_secrets() -> None:
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        # No default secret: compose refuses to start until it is set.
        assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?.+\}", env["DJANGO_SECRET_KEY"])
        assert re.fullmatch(r"\$\{DJANGO_ALLOWED_HOSTS:\?.+\}", env["DJANGO_ALLOWED_HOSTS"])
        assert "DJANGO_DEBUG" not in env
        assert set(services[name]["depends_on"]) == {"db", "redis"}


def test_dockerfile_runs_gunicorn_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM python:3.11" in dockerfile
    assert "USER ddr" in dockerfile and "gunicorn" in dockerfile
    # manage.py defaults to development settings: the image must pin production ones.
    assert "DJANGO_DEBUG=0" in dockerfile


def test_web_migrates_as_the_owner_and_serves_without_the_owners_connection() -> None:
    services = _compose()["services"]
    command = " ".join(services["web"]["command"])
    assert command.index("sh scripts/migrate.sh") < command.index("exec env -u DATABASE_MIGRATE_URL gunicorn")
    assert (ROOT / "scripts" / "migrate.sh").exists()
    for name in ("worker", "beat"):  # they never need it
        assert "DATABASE_MIGRATE_URL" not in services[name]["environment"]
    probe = " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in probe  # answered before the HTTPS redirect and Host check
