"""No Docker engine runs here: the compose file is parsed and checked instead."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


# --- pinned dependencies: the image and CI install the lock files, not pyproject's ranges -------


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pins(lock: str) -> dict[str, str]:
    """Every `name==version` of a lock file, by normalised name; fails on anything else but hashes."""
    pins = {}
    for line in (ROOT / lock).read_text().splitlines():
        line = line.strip().removesuffix("\\").strip()
        if not line or line.startswith(("#", "--hash=")):
            continue
        # No index, mirror or find-links baked in (a CI machine reaches PyPI, not this machine's
        # mirror), no editable or unpinned line: each line a pinned release.
        pinned = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;]+)", line)
        assert pinned, f"{lock}: {line!r} is not a pinned release"
        pins[str(canonicalize_name(pinned.group(1)))] = pinned.group(2)
    return pins


def _extra_requirements(requirement: Requirement) -> list[Requirement]:
    """What `requirement`'s extras add (psycopg[binary] -> psycopg-binary), from its installed metadata."""
    added = []
    for line in importlib.metadata.requires(requirement.name) or []:
        dependency = Requirement(line)
        marker = dependency.marker
        if marker and any(marker.evaluate({"extra": extra}) for extra in requirement.extras):
            added.append(dependency)
    return added


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", []), ("requirements-dev.lock", ["dev"])])
def test_the_lock_pins_every_dependency_of_pyproject_within_its_range(lock: str, extras: list[str]) -> None:
    project = _pyproject()["project"]
    pins = _pins(lock)
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    for requirement in wanted + [r for w in wanted for r in _extra_requirements(w)]:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} does not pin {requirement.name}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside pyproject's {requirement}: run `make lock`"
        )
    assert "hash" in (ROOT / lock).read_text()  # pip checks every download against the lock
    if lock == "requirements.lock":  # the benchmarks' extra stays out of production
        assert "django-import-export" not in pins


def test_ci_tests_the_versions_production_runs() -> None:
    production, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in production} == production
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("$(VENV)/.installed-dev:", 1)[1].split("\n\n", 1)[0]
    assert "pip install --quiet -r requirements-dev.lock" in recipe and "--no-deps -e ." in recipe


def test_the_image_installs_the_lock_then_the_project_without_resolving_again() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"^RUN pip install .*$", dockerfile, re.MULTILINE)
    assert installs == [
        "RUN pip install --no-cache-dir -r requirements.lock",
        "RUN pip install --no-cache-dir --no-deps .",
    ]
    assert dockerfile.index("COPY requirements.lock") < dockerfile.index("-r requirements.lock")
    # Every package pyproject ships is in the build context of `pip install .`.
    before_install = dockerfile[: dockerfile.index("--no-deps .")]
    for pattern in _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert f"\nCOPY {package} {package}\n" in before_install, package
