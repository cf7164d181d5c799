# kg-threat: two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kg-threat analyze examples/fraud-scoring.ttl --format table

lint: $(STAMP)
	$(BIN)/ruff check kg_threat tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/harness.py

fuzz: $(STAMP)
	$(BIN)/python -m pip install -q atheris
	$(BIN)/python tests/fuzz/fuzz_load.py -max_total_time=60

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
