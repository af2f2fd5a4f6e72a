"""Production refuses unsafe settings, and passes Django's deployment checklist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k" * 20 + "Z9!x@q#w$e%r^t&y*u(i)o_p+a-s=d",
    "DJANGO_ALLOWED_HOSTS": "ddr.example.org",
    "DDR_PSEUDONYM_KEY": "p" * 20 + "Q8!z@w#e$r%t^y&u*i(o)p_a+s-d=f",
}
# Until this release the quick start signed sessions and pseudonyms with this published constant.
PUBLISHED_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DDR_PSEUDONYM_KEY"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_ALLOWED_HOSTS"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION["DJANGO_SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**env, "DJANGO_SECRET_KEY_FILE": str(secret)}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_pseudonym_key() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "DDR_PSEUDONYM_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DDR_PSEUDONYM_KEY" in result.stderr


def test_production_refuses_the_secret_key_as_pseudonym_key() -> None:
    result = _manage("check", env={**PRODUCTION, "DDR_PSEUDONYM_KEY": PRODUCTION["DJANGO_SECRET_KEY"]})
    assert result.returncode != 0
    assert "DDR_PSEUDONYM_KEY must differ" in result.stderr


def test_pseudonym_key_can_come_from_a_file(tmp_path: Path) -> None:
    key = tmp_path / "pseudonym"
    key.write_text("from-a-file-" + "x" * 40 + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "DDR_PSEUDONYM_KEY"}
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.PSEUDONYM_KEY)",
        env={**env, "DDR_PSEUDONYM_KEY_FILE": str(key)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "x" * 40


def test_development_keys_are_random_kept_under_var_and_stable(tmp_path: Path) -> None:
    show = "from django.conf import settings; print(settings.SECRET_KEY); print(settings.PSEUDONYM_KEY)"
    env = {"DJANGO_DEBUG": "1", "DDR_VAR_DIR": str(tmp_path)}
    first = _manage("shell", "--no-imports", "-c", show, env=env)
    assert first.returncode == 0, first.stderr
    secret, pseudonym = first.stdout.split()
    assert PUBLISHED_DEV_SECRET not in (secret, pseudonym)
    assert secret != pseudonym and len(pseudonym) >= 50
    for name in ("secret.key", "pseudonym.key"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    # A restart reads the same keys: pseudonyms and sessions survive it.
    assert _manage("shell", "--no-imports", "-c", show, env=env).stdout.split() == [secret, pseudonym]
    # Another checkout (another var/) gets keys of its own.
    other = _manage("shell", "--no-imports", "-c", show, env={**env, "DDR_VAR_DIR": str(tmp_path / "other")})
    assert set(other.stdout.split()).isdisjoint({secret, pseudonym})


# The compose health check, word for word, but through Django's test client in production settings.
HEALTH_PROBE = """
import django, json
django.setup()
from django.test import Client
client = Client()
probe = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
page = client.get("/connexion/", HTTP_HOST="127.0.0.1:8000")
allowed = client.get("/connexion/", HTTP_HOST="ddr.example.org")
print(json.dumps([probe.status_code, probe.headers.get("Location"), probe.headers.get("Cache-Control"),
                  page.status_code, allowed.status_code, allowed.headers.get("Location")]))
"""


def test_healthz_answers_the_compose_probe_in_production(tmp_path: Path) -> None:
    """Plain HTTP, Host 127.0.0.1: /healthz answers 200 there, and only /healthz escapes the checks."""
    result = _manage(
        "shell", "--no-imports", "-c", HEALTH_PROBE, env={**PRODUCTION, "DDR_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    probe, probe_location, probe_cache, page, allowed, allowed_location = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert (probe, probe_location) == (200, None)
    assert "no-store" in probe_cache
    assert page == 400  # any other path: 127.0.0.1 is not an allowed host
    assert allowed == 301 and allowed_location == "https://ddr.example.org/connexion/"


def test_analyst_period_grain_refuses_anything_but_month_quarter_or_year() -> None:
    result = _manage("check", env={"DJANGO_DEBUG": "1", "DDR_ANALYST_PERIOD_MONTHS": "2"})
    assert result.returncode != 0
    assert "DDR_ANALYST_PERIOD_MONTHS must be 1 (month), 3 (quarter) or 12 (year)" in result.stderr
    assert _manage("check", env={"DJANGO_DEBUG": "1", "DDR_ANALYST_PERIOD_MONTHS": "12"}).returncode == 0
