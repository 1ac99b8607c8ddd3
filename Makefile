# Jumin — the two commands a new user needs are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/jumin_test
PYTEST_ARGS ?=

.PHONY: install run serve test test-sqlite test-postgres test-fast lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the embedded SQLite database, load the demo municipalities, serve :5000
run: install
	$(BIN)/jumin db upgrade
	$(BIN)/jumin demo load
	$(BIN)/jumin run --host 127.0.0.1 --port 5000

## make test: install what the tests need and run the whole suite on SQLite, then on PostgreSQL if it answers
test: install
	$(MAKE) test-sqlite
	@if $(BIN)/python -m tests.pg_available "$(PG_TEST_URL)"; then \
		$(MAKE) test-postgres; \
	else \
		echo "PostgreSQL not reachable at $(PG_TEST_URL): PostgreSQL suite skipped"; \
		if [ -n "$$CI" ]; then exit 1; fi; \
	fi

test-sqlite: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	JUMIN_TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest $(PYTEST_ARGS)

## the fast part only (no benchmarks-sized or browser suites)
test-fast: install
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
