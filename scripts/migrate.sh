#!/bin/sh
# Migrate as the tables' owner, then (re)grant the application's own database role (README,
# "Database roles"). DATABASE_MIGRATE_URL: the owner's connection, when the application connects
# (DATABASE_URL) as a role of its own; DDR_DB_APP_ROLE: that role. Without them, both are DATABASE_URL.
set -eu
cd "$(dirname "$0")/.."
owner_url="${DATABASE_MIGRATE_URL:-$DATABASE_URL}"
DATABASE_URL="$owner_url" python manage.py migrate --noinput
if [ -n "${DDR_DB_APP_ROLE:-}" ]; then
    DATABASE_URL="$owner_url" python manage.py grant_app_role "$DDR_DB_APP_ROLE"
fi
