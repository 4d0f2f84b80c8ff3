# photoimport: `make run` starts the dashboard, `make test` runs lint and every test.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run demo test lint format bench venv dev-venv system-deps clean

$(BIN)/python:
	@command -v $(PY) >/dev/null || { echo "photoimport needs Python 3.11 ($(PY) not found)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

run: venv
	$(BIN)/streamlit run app.py --browser.gatherUsageStats false

demo: venv  # a deployment safe to share: uploads and demo photos only, per visitor, expiring
	PHOTOIMPORT_DEMO=1 $(BIN)/streamlit run app.py --browser.gatherUsageStats false

system-deps:
	@bash scripts/system-deps.sh

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: dev-venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Test files run on every core (pytest-xdist), each file's tests in one process: most tests
# wait on real subprocesses (workers, servers, a browser), so two cores halve the wall time.
test: system-deps dev-venv lint
	$(BIN)/pytest -n auto --dist loadfile --durations=15

bench: dev-venv
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
