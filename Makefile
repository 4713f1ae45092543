# The LLO monitor. `make run` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 0.1
SEED ?= 42
MONTHS ?= 2

export LLO_DATA_DIR ?= $(CURDIR)/data
export LLO_LANDING_DIR ?= $(LLO_DATA_DIR)/landing
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

# Test runs use their own data dir so they never touch the demo.
TEST_DATA_DIR := $(CURDIR)/data-test

.PHONY: help setup run test lint dashboard docs bench clean browser-deps

help:
	@echo "make run        set up, generate demo deliveries (SCALE=$(SCALE)), intake, build, publish"
	@echo "make test       set up, pytest, dbt build on a small generated data set, sqlfluff lint"
	@echo "make dashboard  serve the dashboard on http://127.0.0.1:8501"
	@echo "make docs       generate the dbt docs site (target/index.html)"
	@echo "make lint       sqlfluff lint of the dbt models"
	@echo "make bench      benchmark the whole pipeline at several scales"
	@echo "make clean      remove generated data, dbt artefacts and the virtualenv"

# The virtualenv is rebuilt only when the pinned requirements change.
$(BIN)/llo: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(BIN)/llo

setup: $(BIN)/llo

run: setup
	@if [ -z "$$(ls -A $(LLO_LANDING_DIR) 2>/dev/null)" ]; then \
		echo "Landing folder empty: generating demo deliveries (scale $(SCALE), seed $(SEED))"; \
		$(BIN)/llo generate --scale $(SCALE) --seed $(SEED) --months $(MONTHS) --out $(LLO_LANDING_DIR); \
	fi
	$(BIN)/llo run

test: setup browser-deps
	$(BIN)/python -m pytest
	rm -rf $(TEST_DATA_DIR)
	$(BIN)/llo generate --scale 0.01 --seed 7 --months 2 --out $(TEST_DATA_DIR)/landing
	LLO_DATA_DIR=$(TEST_DATA_DIR) LLO_LANDING_DIR=$(TEST_DATA_DIR)/landing $(BIN)/llo intake
	LLO_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/llo build
	$(MAKE) --no-print-directory lint

lint: setup
	$(BIN)/sqlfluff lint models macros tests analyses

# Serves the published file ($(LLO_DATA_DIR)/publish/llo_monitor.duckdb; make run writes it).
PORT ?= 8501
dashboard: setup
	$(BIN)/llo dashboard --port $(PORT)

# dbt docs (every model and column, lineage from deliveries to the exposures) plus the
# contract page (regenerated from llo/contract.py), the glossary and the analysts'
# guide rendered to HTML next to index.html; the docs overview links to them.
DOCS_PAGES := docs/contract.md docs/glossary.md docs/analysts.md
DOCS_DIR := $(or $(DBT_TARGET_PATH),$(CURDIR)/target)
docs: setup
	$(BIN)/python -m llo.contract
	mkdir -p $(LLO_DATA_DIR)/warehouse
	$(BIN)/dbt docs generate
	for page in $(DOCS_PAGES); do \
		$(BIN)/python -c 'import sys, mistune; print(mistune.html(open(sys.argv[1], encoding="utf-8").read()))' \
			$$page > $(DOCS_DIR)/$$(basename $$page .md).html; \
	done
	@echo "Docs: $(DOCS_DIR)/index.html (serve with: $(BIN)/dbt docs serve --host 127.0.0.1)"

# The browser test (tests/python/test_browser.py) drives Debian's chromium; a fresh
# machine (CI runs as root) gets it from apt.
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf data data-test target logs $(VENV) *.egg-info
