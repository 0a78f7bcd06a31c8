# The two commands: `make run` brings up the whole box office with demo data,
# `make test` runs the whole suite. Both create .venv and install the project first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test up down lint bench loadtest crowd drill costs fleet

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(PY) -m tooling.stack run

test: $(VENV)/.installed
	$(PY) -m tooling.stack test $(ARGS)

up: $(VENV)/.installed
	$(PY) -m tooling.stack up

down: $(VENV)/.installed
	$(PY) -m tooling.stack down

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m tooling.stack up >/dev/null && DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.installed
	$(PY) -m tooling.stack up && DJANGO_DEBUG=1 $(PY) manage.py bench_sellout $(ARGS)

loadtest: $(VENV)/.installed
	$(PY) -m tooling.loadtest $(ARGS)

crowd: $(VENV)/.installed
	$(PY) -m tooling.crowd $(ARGS)

drill: $(VENV)/.installed
	$(PY) -m tooling.drill $(ARGS)

costs: $(VENV)/.installed
	$(PY) -m tooling.costs $(ARGS)

fleet: $(VENV)/.installed
	$(PY) -m tooling.fleet $(ARGS)
