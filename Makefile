# GTM Portal — the contract's commands (CONTRACT 1). Python 3.11+.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint lock migrations-check clean

$(VENV):
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions of requirements.lock (`make lock` writes it from pyproject.toml).
$(STAMP): pyproject.toml requirements.lock | $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# Portal with demo data on SQLite, tasks in-process; re-running keeps the data.
run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_reference_data
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite; SQLite unless DATABASE_URL is set (PostgreSQL in CI).
test: $(STAMP)
	DATABASE_URL=sqlite:// $(PY) manage.py makemigrations --check --dry-run --settings=gtm_portal.settings.test
	$(PY) -m pytest $(PYTEST_ARGS)

# SPEC Q-PERF benchmark on DATABASE_URL (SQLite db.sqlite3 when unset). BENCH_ARGS, e.g.
# "--leads 1000000 --json bench.json", tops the data up first; production-like DEBUG=0.
BENCH_ENV = DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-key-not-for-production-0123456789}
bench: $(STAMP)
	$(BENCH_ENV) $(PY) manage.py migrate --noinput
	$(BENCH_ENV) $(PY) manage.py load_reference_data
	$(BENCH_ENV) $(PY) manage.py seed_demo --leads 0 --accounts 0 --opportunities 0
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

lock: | $(VENV)
	$(PY) -m pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
