# Two commands set everything up on a fresh machine: `make reports` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JOBS   ?=

.DEFAULT_GOAL := help
.PHONY: help reports test lint lab bench clean

help: ## Show the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

reports: $(STAMP) ## Create the venv if needed, validate data/, build every report into reports/
	$(PY) -m analysis validate
	$(PY) -m analysis build $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP) lint ## Lint, unit/property/doc tests, data contract, notebooks, reports, browser check
	$(PY) -m pytest -q -n auto --dist loadgroup

lint: $(STAMP) ## ruff on the code
	$(PY) -m ruff check analysis tests benchmarks tools

lab: $(STAMP) ## Start JupyterLab on the project's venv
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) ## Run the benchmarks and record them in benchmarks/README.md
	$(PY) -m benchmarks

clean: ## Remove built reports and caches (keeps the venv)
	rm -rf reports/*.html reports/partners reports/data reports/downloads reports/.build-state.json reports/.site-cache.json reports/.build.lock benchmarks/.work .pytest_cache .hypothesis

# The venv is (re)built when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found. Install Python 3.11+ (Debian: apt-get install python3 python3-venv)."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: Python 3.11 or newer is needed; found $$($(PYTHON) --version). Set PYTHON=python3.12, for example."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "error: could not create $(VENV). On Debian: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)
