# Lindung: `make run` serves the demo, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# Two workers: the machines this runs on have two cores. Files stay whole on one worker.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: setup setup-dev run test bench lint messages compilemessages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# One venv with the dev extras serves both commands: CI and the demo install the same thing.
setup: $(STAMP) compilemessages

compilemessages: | $(BIN)/python
	$(BIN)/python -m lindung.i18n compile

# The demo: keys generated beside the database in var/, with a banner on every page saying so.
run: export LINDUNG_DEMO ?= 1
run: setup
	mkdir -p -m 700 var && mkdir -p var/static
	$(BIN)/lindung migrate --noinput
	$(BIN)/lindung demo
	@echo "Serving Lindung on http://127.0.0.1:$(PORT)/ with a background worker (Ctrl-C stops both)"
	@export LINDUNG_REQUIRE_2FA=$${LINDUNG_REQUIRE_2FA:-0}; \
	$(BIN)/lindung worker --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/lindung runserver 127.0.0.1:$(PORT) --noreload

lint: setup
	$(BIN)/ruff check src tests bench

test: setup lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

# Developer only (needs GNU gettext): refresh every app's catalogues from its source.
LANGS := en fr ru th ms id
messages: setup
	for app in src/lindung/*/apps.py; do \
	  dir=$$(dirname $$app); mkdir -p $$dir/locale; \
	  (cd $$dir && $(CURDIR)/$(BIN)/django-admin makemessages --settings=lindung.settings --no-obsolete \
	    $(foreach l,$(LANGS),-l $(l))) || exit 1; \
	done

clean:
	rm -rf $(VENV) var/static
