# ふれあい入浴証管理システム — developer and operator commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := run.py
HOST ?= 127.0.0.1
PORT ?= 8080
DEMO_RESIDENTS ?= 3000
# What ruff reads; mypy reads its own list in pyproject.toml ([tool.mypy] files).
PY_SOURCES := app tests bench scripts migrations/env.py config.py run.py gunicorn.conf.py

.PHONY: setup translations run init test test-fast lint format bench clean

# The runtime (requirements.txt) and the tools and tests (requirements-dev.txt),
# both pinned; the Debian packages from scripts/setup-system.sh.
$(BIN)/.installed: requirements.txt requirements-dev.txt scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed translations

translations: $(BIN)/.installed
	$(BIN)/python scripts/compile_translations.py

init: setup
	mkdir -p instance
	$(BIN)/flask init

# Installs everything, migrates instance/fureai.db, loads dummy data and demo
# accounts on the first run, and serves http://$(HOST):$(PORT).
run: init
	$(BIN)/python scripts/first_run.py --residents $(DEMO_RESIDENTS)
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - "run:app"

# The whole suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set.
test: setup
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "=== PostgreSQL: $$TEST_DATABASE_URL"; \
	  $(BIN)/python -m pytest -m "not sqlite_only"; \
	fi

# The suite without the browser and slow tests, on SQLite: for the edit-test loop.
test-fast: setup
	$(BIN)/python -m pytest -m "not browser and not slow"

# ruff (lint with the complexity limit, and format), mypy, and the house rules
# ruff has no rule for (function and module length: tests/test_house_style.py).
lint: setup
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q tests/test_house_style.py

format: setup
	$(BIN)/ruff format $(PY_SOURCES)
	$(BIN)/ruff check --fix $(PY_SOURCES)

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
