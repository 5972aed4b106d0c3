# demandlab — run `make` for the list of targets.
# Every target sets itself up: a local .venv from PyPI, nothing to activate.

SHELL := /bin/bash
PY    := .venv/bin/python
UV    := .venv/bin/uv
STAMP := .venv/.installed-dev
BENCH_STAMP := .venv/.installed-bench
CONFIG ?= data/raw/demandlab.toml
DATA  ?=
OUT   ?= reports
ONLY  ?=
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup report test lab lint format data bench lock clean distclean browser

help: ## Show this help
	@echo "demandlab — market-demand research"
	@echo
	@grep -hE '^[a-zA-Z0-9_%-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: CONFIG=$(CONFIG) (project file for report and lab), OUT=$(OUT), ONLY=1.0 (one notebook)"

# Install: re-run only when pyproject.toml changes (or the venv is missing).
define install
	@test -x $(PY) || python3 -m venv .venv
	@test -x $(UV) || $(PY) -m pip install -q --disable-pip-version-check uv 2>/dev/null || echo "uv could not be installed; falling back to pip"
	@if test -x $(UV); then \
	  $(UV) pip install -q --python $(PY) --compile-bytecode -c constraints.txt -e ".[$(1)]"; \
	else \
	  $(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[$(1)]"; \
	fi
	@touch $@
endef

$(STAMP): pyproject.toml constraints.txt
	$(call install,dev)

$(BENCH_STAMP): pyproject.toml constraints.txt $(STAMP)
	$(call install,dev$(,)bench)

, := ,

setup: $(STAMP) ## Create .venv and install demandlab with its dev tools (idempotent)

report: setup ## Run the notebooks on the project CONFIG and write HTML reports to OUT (open reports/index.html)
	$(PY) -m demandlab report $(if $(DATA),--data $(DATA),--config $(CONFIG)) --out $(OUT) \
	  $(foreach n,$(ONLY),--only $(n))

test: setup browser ## Run the test suite (notebooks run with a real kernel)
	$(PY) -m pytest -q $(PYTEST_ARGS)

browser: ## Install headless Chromium for the report check, if it can be had
	@bash scripts/ensure-chromium.sh || true

lab: setup ## Start JupyterLab on 127.0.0.1 with the notebooks and the data of the project CONFIG
	$(PY) -m demandlab lab --config $(CONFIG) --no-browser

lint: setup ## ruff, and check that every notebook matches its jupytext .py pair
	$(PY) -m ruff check demandlab tests benchmarks notebooks/*.py
	$(PY) scripts/notebooks_sync.py --check notebooks

format: setup ## Format code with ruff and re-sync notebook pairs
	$(PY) -m ruff check --fix demandlab tests benchmarks
	$(PY) scripts/notebooks_sync.py --sync notebooks

data: setup ## Rebuild the derived files in data/processed and the synthetic demo in data/raw/demo (byte-for-byte)
	$(PY) -m demandlab data build

bench: $(BENCH_STAMP) ## Run all benchmarks (printing each figure beside its peer's)
	$(PY) benchmarks/run.py

bench-%: $(BENCH_STAMP) ## Run one benchmark: bench-trends, bench-niche, bench-segment, bench-forecast, bench-short, bench-kpi, bench-volume, bench-pricing, bench-dask (ARGS="--n 200")
	$(PY) benchmarks/run.py $* -- $(ARGS)

lock: setup ## Re-pin constraints.txt (the exact versions every install uses) from pyproject.toml
	$(UV) pip compile pyproject.toml --extra dev --extra bench --universal --python-version 3.11 \
	  -c constraints.in --no-header --no-annotate -q -o .constraints.tmp
	{ echo "# Pinned versions for every install of demandlab's extras (dev, bench) on Python 3.11+."; \
	  echo "# Made by \`make lock\` from pyproject.toml and constraints.in; used as -c by \`make setup\`."; \
	  cat .constraints.tmp; } > constraints.txt && rm -f .constraints.tmp

clean: ## Remove generated reports, processed data you made and caches (keeps .venv and the committed derived files)
	rm -rf reports/* .pytest_cache .ruff_cache
	find data/processed -type f -not -name .gitkeep -not -name README.md -not -name 'online_retail_*' -delete
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +

distclean: clean ## Also remove .venv
	rm -rf .venv
