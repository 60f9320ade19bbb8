# The two commands a new developer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve migrate demo test test-sqlite test-postgres lint typecheck clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/skillreg migrate --noinput

demo: migrate
	$(BIN)/skillreg demo-data

# Sets up, migrates, loads demo data, starts the background worker and serves on SQLite.
run: demo
	@echo "Serving at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/skillreg db_worker --interval 1 & worker=$$!; \
	$(BIN)/skillreg runserver --noreload $(HOST):$(PORT)

# The whole suite on whatever DATABASE_URL names (SQLite when unset).
test: install
	$(BIN)/ruff check skillreg
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check skillreg

typecheck: install
	$(BIN)/mypy skillreg

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
