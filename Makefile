# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint format lock vendor messages clean bench-dashboard bench-import bench-redemption bench-planner bench-matching

demo: $(VENV)/.runtime
	$(BIN)/carepair demo

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/carepair check --fail-level WARNING
	$(BIN)/carepair makemigrations --check --dry-run
	$(BIN)/python -m carepair.lib.messages --check
	$(BIN)/pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements.lock
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	touch $@ $(VENV)/.runtime

lint: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Pin every dependency, with hashes, for any platform (needs `pip install uv`).
lock:
	uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -q -o requirements.lock
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes -q -o requirements-dev.lock

# Front-end files come from pinned npm packages (package-lock.json), copied into static/.
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	$(PYTHON) scripts/vendor.py

# Translation catalogues, one per app: collect new strings (needs GNU gettext), fill them
# in, then compile with polib.
messages: $(VENV)/.dev
	for locale in carepair/*/locale; do \
	  (cd $$(dirname $$locale) && $(CURDIR)/$(BIN)/carepair makemessages -l zh_Hans --no-obsolete --no-location) || exit 1; \
	done
	$(BIN)/python -m carepair.lib.messages --compile

bench-dashboard: $(VENV)/.dev
	$(BIN)/python -m benchmarks.dashboard $(BENCH_ARGS)

bench-import: $(VENV)/.dev
	$(BIN)/python -m benchmarks.import $(BENCH_ARGS)

bench-redemption: $(VENV)/.dev
	$(BIN)/python -m benchmarks.redemption $(BENCH_ARGS)

bench-planner: $(VENV)/.dev
	$(BIN)/python -m benchmarks.planner $(BENCH_ARGS)

bench-matching: $(VENV)/.dev
	$(BIN)/python -m benchmarks.matching $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data test-artifacts
