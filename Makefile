# Trainee Career Events — the commands people and CI use. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS ?= never
PORT ?= 8000
# uv from PATH, else the one pip installs as a module (bootstrap target below).
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: run test bench soak screenshots lint lint-imports typecheck format uv sync-dev browser check-deploy clean

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv

sync-dev: uv
	@$(UV) sync --frozen --quiet

## make run — a one-machine deployment on the embedded defaults (SQLite, server-less Celery broker,
## DEBUG off); DEBUG=1 make run for development. Ctrl-C stops all.
run: sync-dev
	@PORT=$(PORT) UV="$(UV)" DEBUG="$(DEBUG)" bash scripts/run.sh

## make test — the whole pytest suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set),
## on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process), a test module per worker at a time
TEST_WORKERS ?= auto
test: sync-dev browser
	@# axe-core and the W3C validator (vnu.jar) for the browser tests; without npm they skip
	@# (fail under REQUIRE_SERVICES=1).
	@[ ! -f package-lock.json ] || { [ -f node_modules/axe-core/axe.min.js ] && [ -f node_modules/vnu-jar/build/dist/vnu.jar ]; } || ! command -v npm >/dev/null || \
		npm ci --ignore-scripts --silent --no-audit --no-fund || echo "note: npm ci failed; the axe-core and validator tests cannot run"
	@DEBUG=$${DEBUG:-1} $(UV) run --frozen pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

## make bench — benchmarks that print figures (see README, Performance)
bench: sync-dev
	@[ -x /usr/bin/wrk ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ; } || true
	@DEBUG=$${DEBUG:-1} DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tce_bench} \
		REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/14} $(UV) run --frozen python benchmarks/run_all.py

## make soak — the soak alone for SOAK_SECONDS (default 600): mixed traffic against gunicorn +
## worker + beat; errors, memory of each process at the start and the end, seats, mail
SOAK_SECONDS ?= 600
soak: sync-dev
	@SOAK_SECONDS=$(SOAK_SECONDS) DEBUG=$${DEBUG:-1} \
		BENCH_PG=$${BENCH_PG:-postgres://postgres@127.0.0.1:5432} \
		$(UV) run --frozen python benchmarks/bench_soak.py

## make screenshots — PNGs of the trainee and event-day pages at 390 and 1280 px in docs/screenshots/, taken by
## the page-set browser test (width, tap targets, axe-core, the W3C validator) and the event-day browser tests
SCREENSHOTS_DIR ?= $(CURDIR)/docs/screenshots
screenshots: sync-dev browser
	@[ -f node_modules/axe-core/axe.min.js ] && [ -f node_modules/vnu-jar/build/dist/vnu.jar ] || npm ci --ignore-scripts --silent --no-audit --no-fund
	@mkdir -p "$(SCREENSHOTS_DIR)" && rm -f "$(SCREENSHOTS_DIR)"/*.png
	@SCREENSHOTS_DIR="$(SCREENSHOTS_DIR)" DEBUG=$${DEBUG:-1} $(UV) run --frozen pytest -q -p no:cacheprovider \
		-k "fit or not test_page_set" tests/e2e/test_page_set.py tests/e2e/test_now.py tests/e2e/test_dashboard_layout.py \
		tests/e2e/test_checkin.py tests/e2e/test_door.py tests/e2e/test_feedback.py
	@ls "$(SCREENSHOTS_DIR)"

# Chromium for the browser tests comes from Debian; Playwright cannot download its own here.
browser:
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null) ; } || \
		echo "note: /usr/bin/chromium is missing; install Debian's chromium to run the browser tests"

## make lint — ruff (rules and format) and the import contracts (pyproject: [tool.importlinter])
lint: sync-dev lint-imports
	@$(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .

## make lint-imports — the layering: mentorship, listening, staff -> events -> accounts; the
## outbox imports no app; pure modules import no Django; no cycles inside an app
lint-imports: sync-dev
	@$(UV) run --frozen lint-imports --no-logo

## make typecheck — mypy with django-stubs (pyproject: [tool.mypy])
typecheck: sync-dev
	@DEBUG=$${DEBUG:-1} $(UV) run --frozen mypy

format: sync-dev
	@$(UV) run --frozen ruff check --fix . && $(UV) run --frozen ruff format .

check-deploy: sync-dev
	@DEBUG=0 SECRET_KEY=$${SECRET_KEY:-check-deploy-$$(python3 -c 'import secrets;print(secrets.token_urlsafe(50))')} \
		ALLOWED_HOSTS=$${ALLOWED_HOSTS:-events.example.org} $(UV) run --frozen python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
