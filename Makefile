# Two commands set everything up on a fresh machine: `make reports` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JOBS   ?=
# A second venv with the newest pandas 3: the helper and data tests run in it too (the pins above stay the default).
VENV3  := .venv-pandas3
PY3    := $(VENV3)/bin/python
STAMP3 := $(VENV3)/.installed-stamp
# lifelines 0.30.3 declares pandas<3; 0.30.0 is the newest without that cap.
PANDAS3 := "pandas>=3,<4" lifelines==0.30.0
PANDAS3_TESTS := tests/test_coalition.py tests/test_negotiations.py tests/test_agreements.py tests/test_clauses.py \
                 tests/test_claims.py tests/test_overview.py tests/test_partners.py tests/test_load.py \
                 tests/test_data_contract.py tests/test_validation.py tests/test_db.py analysis \
                 tests/test_package.py::test_every_helper_runs_on_any_day
DB     := reports/ukraine-security-guarantees.db
PORT   ?= 8001

.DEFAULT_GOAL := help
.PHONY: help reports test pandas3 db serve lint lab bench clean

help: ## Show the targets
	@grep -E '^[a-z0-9]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

reports: $(STAMP) ## Create the venv if needed, validate data/, build every report, the data page and the SQLite file
	$(PY) -m analysis validate
	$(PY) -m analysis build $(if $(JOBS),--jobs $(JOBS))
	@test -f $(DB) || $(PY) -m analysis db --out $(DB)

test: $(STAMP) lint ## Lint, unit/property/doc tests, data contract, notebooks, reports, browser check; then pandas 3
	$(VENV)/bin/frictionless validate data/datapackage.json
	@# bytecode for the package, once: the ~30 Python processes the tests start read it even where the environment
	@# says not to write any (PYTHONDONTWRITEBYTECODE), instead of each compiling the package (__pycache__ is ignored)
	$(PY) -m compileall -q analysis > /dev/null
	$(PY) -m pytest -q -n auto --dist loadgroup --durations=10
	@$(MAKE) --no-print-directory pandas3

pandas3: $(STAMP3) ## The helper, data and doc tests again, under the newest pandas 3 (.venv-pandas3)
	$(PY3) -c 'import pandas; print("pandas", pandas.__version__)'
	$(PY3) -m pytest -q -n auto $(PANDAS3_TESTS)

db: $(STAMP) ## Write reports/ukraine-security-guarantees.db (SQLite) and its Datasette metadata from data/
	$(PY) -m analysis db --out $(DB)

serve: db ## Browse the database in Datasette on 127.0.0.1, port PORT (default 8001), with canned queries
	$(VENV)/bin/datasette serve $(DB) -h 127.0.0.1 -p $(PORT) -m $(DB:.db=.metadata.json)

lint: $(STAMP) ## ruff on the code
	$(PY) -m ruff check analysis tests benchmarks tools

lab: $(STAMP) ## Start JupyterLab on the project's venv
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) ## Run the benchmarks and record them in benchmarks/README.md
	$(PY) -m benchmarks

clean: ## Remove built reports and caches (keeps the venv)
	find analysis tests -name __pycache__ -prune -exec rm -rf {} +
	rm -rf reports/*.html reports/*.db reports/*.metadata.json reports/partners reports/data reports/downloads reports/.build-state.json reports/.site-cache.json reports/.build.lock benchmarks/.work .pytest_cache .hypothesis

# The venv is (re)built when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found. Install Python 3.11+ (Debian: apt-get install python3 python3-venv)."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: Python 3.11 or newer is needed; found $$($(PYTHON) --version). Set PYTHON=python3.12, for example."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "error: could not create $(VENV). On Debian: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

$(STAMP3): requirements.txt pyproject.toml
	@test -x $(PY3) || $(PYTHON) -m venv $(VENV3)
	grep -vE '^(pandas|lifelines|jupyterlab|playwright|axe-playwright-python)==' requirements.txt > $(VENV3)/requirements.txt
	$(PY3) -m pip install --quiet --disable-pip-version-check -r $(VENV3)/requirements.txt $(PANDAS3)
	$(PY3) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP3)
