# ふれあい入浴証管理システム — developer and operator commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := run.py
HOST ?= 127.0.0.1
PORT ?= 8080
DEMO_RESIDENTS ?= 3000

.PHONY: setup translations run init demo test test-sqlite test-postgres lint format bench clean

$(BIN)/.installed: requirements.txt scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
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

lint: setup
	$(BIN)/ruff check app tests bench scripts config.py run.py gunicorn.conf.py
	$(BIN)/ruff format --check app tests bench scripts config.py run.py gunicorn.conf.py

format: setup
	$(BIN)/ruff format app tests bench scripts config.py run.py gunicorn.conf.py
	$(BIN)/ruff check --fix app tests bench scripts config.py run.py gunicorn.conf.py

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
