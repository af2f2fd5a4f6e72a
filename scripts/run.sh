#!/usr/bin/env bash
# Serve the app and a real Celery worker together; Ctrl-C (or SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"

pids=()
stop() {
    trap - INT TERM EXIT
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait || true
}
trap stop INT TERM EXIT

# -B: the periodic jobs (overstay flags, headcounts, stock checks) run inside this worker.
mkdir -p var
.venv/bin/celery -A config worker -B --schedule=var/celerybeat-schedule --loglevel=INFO --concurrency=2 \
    --without-mingle --without-gossip &
pids+=($!)
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)
echo
echo "  DDR case management: http://127.0.0.1:${PORT}/  (logins above; Ctrl-C stops server and worker)"
echo
wait -n  # if either stops, stop the other
