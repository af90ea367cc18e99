# The few commands a developer types. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/xl-brm: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

.PHONY: setup demo test lint fuzz bench clean
setup: $(BIN)/xl-brm

demo: setup
	$(BIN)/xl-brm demo

test: setup lint
	$(BIN)/pytest -n 2

lint: setup
	$(BIN)/ruff check xl_brm udfs tests
	$(BIN)/mypy

fuzz: setup   # 400 hostile workbooks through every command (seed printed; SEED=n to replay)
	$(BIN)/python tests/fuzz/fuzz_workbooks.py --files 400 $(if $(SEED),--seed $(SEED))

bench: setup
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python tests/benchmarks/bench_validate.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache
