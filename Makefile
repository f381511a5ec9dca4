# GTM Portal — the contract's commands (CONTRACT 1). Python 3.11+.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint migrations-check clean

$(VENV):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

# Portal with demo data on SQLite, tasks in-process; re-running keeps the data.
run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_reference_data
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite; SQLite unless DATABASE_URL is set (PostgreSQL in CI).
test: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run --settings=gtm_portal.settings.test
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) manage.py bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
