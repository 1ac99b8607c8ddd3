# Jumin — the two commands a new user needs are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/jumin_test
PYTEST_ARGS ?=

.PHONY: install system-deps node-deps run serve worker beat test test-sqlite test-postgres test-fast lint bench-env conformance clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## system packages for certificates: the MJ font (IPAmj明朝), Noto CJK fallback, HarfBuzz subsetting (fast PDF
## font embedding), poppler (pdftotext / pdftoppm / pdffonts) and zbar-tools (zbarimg reads the printed QR code),
## used by the tests; chromium for the browser
## tests (Playwright drives /usr/bin/chromium; never `playwright install`)
SYSTEM_PACKAGES := fonts-ipamj-mincho fonts-noto-cjk poppler-utils libharfbuzz-subset0 chromium zbar-tools
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else \
		echo "Missing system packages: $$missing"; \
		echo "Install them with: sudo apt-get install -y $$missing"; \
	fi

## bpmn-js for the flow modeler, from npm (package.json / package-lock.json), served by the app itself; axe-core
## (devDependency) stays in node_modules for the accessibility browser tests (make test needs node-deps)
VENDOR_BPMN := webui/static/vendor/bpmn-js
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

node-deps: $(NODE_STAMP)
	mkdir -p $(VENDOR_BPMN)
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js node_modules/bpmn-js/dist/bpmn-viewer.production.min.js $(VENDOR_BPMN)/
	cp -r node_modules/bpmn-js/dist/assets $(VENDOR_BPMN)/
	cp node_modules/bpmn-js/LICENSE $(VENDOR_BPMN)/

## make run: install, migrate the embedded SQLite database, load the demo municipalities, serve :5000
run: install system-deps node-deps
	$(BIN)/jumin db upgrade
	$(BIN)/jumin demo load
	$(BIN)/jumin run --host 127.0.0.1 --port 5000

## make serve: production processes (configured by the environment only; see README "Production"):
## gunicorn with WEB_CONCURRENCY workers on BIND; `make worker` and `make beat` run Celery (CELERY_BROKER_URL)
serve: install
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py webui.wsgi:app

worker: install
	$(BIN)/celery -A worker.celery_app worker --loglevel $${LOG_LEVEL:-INFO} --concurrency $${CELERY_CONCURRENCY:-2}

beat: install
	$(BIN)/celery -A worker.celery_app beat --loglevel $${LOG_LEVEL:-INFO} --schedule $${CELERY_BEAT_SCHEDULE:-instance/celerybeat-schedule}

## make test: install what the tests need and run the whole suite on SQLite and, if it answers, on PostgreSQL:
## both at once (one core each on a 2-core machine; each suite's output is printed when it ends)
test: install system-deps node-deps
	@if $(BIN)/python -m tests.pg_available "$(PG_TEST_URL)"; then \
		$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres; \
	else \
		echo "PostgreSQL not reachable at $(PG_TEST_URL): PostgreSQL suite skipped"; \
		if [ -n "$$CI" ]; then exit 1; fi; \
		$(MAKE) --no-print-directory test-sqlite; \
	fi

test-sqlite: install
	$(BIN)/pytest $(PYTEST_ARGS)

## the browser suites serve a SQLite file of their own whatever the database (tests/browser/conftest.py): they run once,
## in test-sqlite, not again here
test-postgres: install
	JUMIN_TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

## the fast part only (no benchmarks-sized or browser suites)
test-fast: install
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

## .venv-bench: the benchmarks' environment, on an optimised CPython (PGO + LTO, libpython linked in) as the
## production image's python:3.11-slim is; Debian's /usr/bin/python3.11 where there is one (its venv module is
## the package python3.11-venv), else $(PY).  Run the benches with .venv-bench/bin/python (bench/README.md).
BENCH_PY ?= $(firstword $(wildcard /usr/bin/python3.11) $(PY))
BENCH_VENV := .venv-bench
bench-env: system-deps
	@if [ "$(BENCH_PY)" = /usr/bin/python3.11 ] && ! dpkg-query -W -f='$${Status}' python3.11-venv 2>/dev/null | grep -q 'install ok installed'; then \
		if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11-venv; \
		else echo "Install python3.11-venv: sudo apt-get install -y python3.11-venv"; exit 1; fi; \
	fi
	test -x $(BENCH_VENV)/bin/python || $(BENCH_PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q -e '.[dev]'

## docs/conformance.md: chapter 3 section by section, with the tests (req marks) that prove each
conformance: install
	$(BIN)/jumin conformance report --format md > docs/conformance.md

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(BENCH_VENV) instance .pytest_cache .mypy_cache .ruff_cache
