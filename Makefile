# The few commands a developer types. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/xl-brm: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Front-end packages from the npm registry (package-lock.json): axe-core for the browser tests,
# nhsuk-frontend for `make vendor`. Without npm the browser tests skip (CI requires them).
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "warning: npm not found: browser accessibility tests will skip"; fi

.PHONY: setup demo test lint fuzz bench addins clean vendor
setup: $(BIN)/xl-brm node_modules/.package-lock.json
	@# bytecode for the editable install, as pip writes it for an installed one: without it (and
	@# with PYTHONDONTWRITEBYTECODE set) every command compiles the package afresh, ~0.2 s a run
	@$(BIN)/python -m compileall -q xl_brm

vendor: node_modules/.package-lock.json   ## refresh xl_brm/assets from the pinned nhsuk-frontend
	$(BIN)/python tools/vendor_nhsuk.py

demo: setup
	$(BIN)/xl-brm demo

test: setup lint
	$(BIN)/pytest -n 2

lint: setup
	$(BIN)/ruff check xl_brm udfs tests tools
	$(BIN)/mypy

fuzz: setup   # 400 hostile workbooks through every command (seed printed; SEED=n to replay)
	$(BIN)/python tests/fuzz/fuzz_workbooks.py --files 400 $(if $(SEED),--seed $(SEED))

bench: setup
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python tests/benchmarks/bench_validate.py

addins: setup  # rebuild xl_brm/addin/xl_brm.xlam and the xlwings Lite bundle
	$(BIN)/python -m tools.addin_build

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache node_modules
