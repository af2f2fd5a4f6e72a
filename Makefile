# Two commands for a new user: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_DEBUG ?= 1

.PHONY: run test lint lock messages clean bench bench-import bench-eligibility bench-duplicates bench-reintegration bench-cantonment bench-archive bench-dashboard bench-sync

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The quick start installs pyproject.toml's ranges (any Python 3.11+); tests, CI and the Docker
# image install the pinned versions of the lock files (`make lock` writes them).
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

# The benchmarks also compare against django-import-export (the `bench` extra).
$(VENV)/.installed-bench: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

## run: install, migrate, load demo data, print logins, serve on :8000 (PORT) with a Celery worker
run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --no-logins
	./scripts/run.sh

## test: install and run the whole suite (SQLite unless DATABASE_URL is set), one worker per core
## (TEST_WORKERS=0 runs it in one process; each worker migrates a test database of its own and is
## handed two tests at a time, so the longest, first in the order, go to different workers)
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxschedchunk=2 $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy .

## lock: re-pin requirements.lock (production) and requirements-dev.lock (tests, CI) from
## pyproject.toml, for Linux x86_64 and Python 3.11 (the image's); LOCK_ARGS=--upgrade for newer releases
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --generate-hashes --custom-compile-command 'make lock'
lock: | $(BIN)/python
	$(BIN)/pip install --quiet 'uv>=0.5,<1'
	$(LOCK) $(LOCK_ARGS) -o requirements.lock
	$(LOCK) $(LOCK_ARGS) --extra dev -c requirements.lock -o requirements-dev.lock

## messages: refresh the French catalogue after adding strings (needs gettext)
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l fr --no-obsolete --no-location -i '.venv/*' -i 'var/*'
	$(BIN)/python manage.py compilemessages -l fr -i .venv -i var

clean:
	rm -rf $(VENV) var

## bench: speed on PostgreSQL (DATABASE_URL of a scratch database; recreated)
bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.home_and_api $(BENCH_ARGS)

## bench-import: list import rows/s beside raw COPY and django-import-export (PostgreSQL)
bench-import: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.list_import $(BENCH_ARGS)

## bench-duplicates: blocking recall, precision, recall, F1, time and memory of duplicate detection
## beside splink on generated registers; then the review loop on PostgreSQL (REVIEW_ARGS)
bench-duplicates: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.duplicates $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.duplicates_review $(REVIEW_ARGS)

## bench-eligibility: recompute of 1,000,000 pathways beside a hand-written UPDATE ... CASE; what-if
bench-eligibility: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.eligibility $(BENCH_ARGS)

## bench-reintegration: a payment batch of every due entitlement and its statement, 100,000 people, beside hand-written SQL
bench-reintegration: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.reintegration $(BENCH_ARGS)

## bench-cantonment: check-ins (one officer, eight at once), the daily job, reconciliation, site page
bench-cantonment: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.cantonment $(BENCH_ARGS)

## bench-sync: offline devices syncing at once (50 x 1,000 operations) beside a plain bulk insert (PostgreSQL)
bench-sync: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.offline_sync $(BENCH_ARGS)

## bench-archive: handover archive export and restore beside pg_dump / pg_restore (PostgreSQL)
bench-archive: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.archive $(BENCH_ARGS)

## bench-dashboard: every dashboard figure at 1,000,000 people beside hand-written SQL (PostgreSQL)
bench-dashboard: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.dashboard $(BENCH_ARGS)
