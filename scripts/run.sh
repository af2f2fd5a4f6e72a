#!/usr/bin/env bash
# Serve the app and a real Celery worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null || true' INT TERM EXIT
.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 --without-mingle --without-gossip &
echo
echo "  DDR case management: http://127.0.0.1:${PORT}/  (logins above; Ctrl-C stops server and worker)"
echo
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" --noreload
