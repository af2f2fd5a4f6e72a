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
# The logins last, below the worker's banner, once the server answers.
for _ in $(seq 1 30); do
    .venv/bin/python - "$PORT" 2>/dev/null <<'PY' && break
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
except urllib.error.HTTPError:
    pass  # it answers, even if a dependency is missing
PY
    sleep 1
done
echo
.venv/bin/python manage.py seed_demo --logins
echo
echo "  Gestion des cas DDR : http://127.0.0.1:${PORT}/  (Ctrl-C arrête le serveur et le worker)"
echo
wait -n  # if either stops, stop the other
