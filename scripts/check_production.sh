#!/usr/bin/env bash
# Production, started as the Dockerfile and docker-compose.yml start it, without Docker:
# static files collected with production settings, a scratch PostgreSQL database migrated by its
# owner, the application's own role granted (scripts/migrate.sh), gunicorn with DJANGO_DEBUG=0
# connected as that role; then the login page, its hashed static file and the compose health check.
#
#   scripts/check_production.sh     # PostgreSQL at CHECK_PG_HOST:CHECK_PG_PORT (127.0.0.1:5432) as
#                                   # CHECK_PG_USER (postgres); CELERY_BROKER_URL if set
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST="${CHECK_PG_HOST:-127.0.0.1}"
PG_PORT="${CHECK_PG_PORT:-5432}"
PG_USER="${CHECK_PG_USER:-postgres}"
PORT="${CHECK_PORT:-8765}"
DB=ddr_check_production
ROLE=ddr_check_production_app
HOST=ddr.example.org
BIN="$PWD/.venv/bin"
work="$(mktemp -d)"
gunicorn_pid=""

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -qX -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"; }
drop_scratch() {
    psql_admin -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE"
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$gunicorn_pid" ]]; then
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    drop_scratch || true
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT INT TERM

random() { "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))"; }
password="$("$BIN/python" -c "import secrets; print(secrets.token_hex(16))")"
export DJANGO_DEBUG=0 DDR_VAR_DIR="$work/var" DJANGO_ALLOWED_HOSTS="$HOST"
DJANGO_SECRET_KEY="$(random)"
DDR_PSEUDONYM_KEY="$(random)"
export DJANGO_SECRET_KEY DDR_PSEUDONYM_KEY
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-filesystem://}"
export PATH="$BIN:$PATH"

echo "== production: collectstatic (as the Dockerfile builds it)"
python manage.py collectstatic --noinput -v 0
python manage.py check --deploy --fail-level WARNING

echo "== production: migrate as the owner, grant the application's role"
drop_scratch
psql_admin -c "CREATE DATABASE $DB" -c "CREATE ROLE $ROLE LOGIN PASSWORD '$password'"
export DATABASE_MIGRATE_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB"
export DATABASE_URL="postgres://$ROLE:$password@$PG_HOST:$PG_PORT/$DB"
DDR_DB_APP_ROLE="$ROLE" sh scripts/migrate.sh >"$work/migrate.log" || { cat "$work/migrate.log"; exit 1; }
tail -1 "$work/migrate.log"
# As README's `docker compose exec web python manage.py createsuperuser`: through the app's role.
export CHECK_PASSWORD="$(random)"
DJANGO_SUPERUSER_PASSWORD="$CHECK_PASSWORD" python manage.py createsuperuser --noinput \
    --username check --email check@example.org >/dev/null

echo "== production: gunicorn on 127.0.0.1:$PORT as $ROLE"
env -u DATABASE_MIGRATE_URL gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --access-logfile - --error-logfile "$work/gunicorn.log" &
gunicorn_pid=$!

python - "$PORT" "$HOST" <<'PY'
import http.cookies
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

port, host = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
# Behind the TLS proxy: the allowed host, and the header the proxy adds (SECURE_PROXY_SSL_HEADER).
proxied = {"Host": host, "X-Forwarded-Proto": "https"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer to check, not to follow


opener = urllib.request.build_opener(NoRedirect)
cookies: dict[str, str] = {}  # by hand: the cookies are Secure, and this is plain HTTP behind the "proxy"


def get(path: str, headers: dict[str, str], data: dict[str, str] | None = None) -> tuple[int, Any, str]:
    headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(base + path, data=body, headers=headers)
    try:
        with opener.open(request, timeout=5) as response:
            status, answer, text = response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        status, answer, text = error.code, error.headers, error.read().decode(errors="replace")
    for line in answer.get_all("Set-Cookie") or []:
        cookie = http.cookies.SimpleCookie(line)
        cookies.update({k: m.value for k, m in cookie.items()})
    return status, answer, text


for _ in range(60):
    try:
        get("/healthz", {})
        break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("gunicorn did not start")

status, headers, page = get("/connexion/", proxied)
assert status == 200, f"login page: {status}\n{page[:2000]}"
asset = re.search(r'/static/css/app\.[0-9a-f]{12}\.css', page)
assert asset, "the login page links no hashed stylesheet (is the manifest used?)"
status, headers, css = get(asset.group(0), proxied)
assert status == 200 and css, f"{asset.group(0)}: {status}"
assert "max-age" in headers.get("Cache-Control", ""), headers
print(f"login page 200, {asset.group(0)} 200 ({headers['Cache-Control']})")

# Signing in writes the session, the user's last login and its history row: as the app's role.
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
assert token, "no CSRF token on the login page"
form = {"csrfmiddlewaretoken": token.group(1), "username": "check", "password": os.environ["CHECK_PASSWORD"]}
status, headers, _ = get("/connexion/", {**proxied, "Origin": f"https://{host}"}, form)
assert status == 302 and "sessionid" in cookies, f"sign in: {status}"
status, headers, page = get("/", proxied)
assert status == 200, f"home page once signed in: {status}\n{page[:2000]}"
assert "no-store" in headers.get("Cache-Control", ""), headers
print("signed in: home page 200, Cache-Control:", headers["Cache-Control"])
PY

echo "== production: the compose health check, as docker-compose.yml runs it"
python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=3)"
echo "healthz answers the compose probe"
