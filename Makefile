# raidcontrol — the two commands of the Quick start are `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz setup clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH"; exit 1; }
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/raidcontrol warmup
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/raidcontrol demo

# The code's style and types: ruff (lint and format) everywhere, mypy --strict on the pure core
# (its packages are listed under [tool.mypy] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check raidcontrol tests benchmarks
	$(BIN)/ruff format --check raidcontrol tests benchmarks
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The fuzzing campaign: RAIDCONTROL_FUZZ_EXAMPLES inputs per reader (default 10000), on SQLite and, when
# RAIDCONTROL_TEST_PG_URL is set, PostgreSQL; prints each reader's figures (tests/fuzz/report.py).
fuzz: $(STAMP)
	rm -rf bench-out/fuzz
	@start=$$(date +%s); \
	RAIDCONTROL_FUZZ_EXAMPLES=$${RAIDCONTROL_FUZZ_EXAMPLES:-10000} RAIDCONTROL_FUZZ_REPORT=1 \
		$(BIN)/python -m pytest tests/fuzz -q -p no:cacheprovider; status=$$?; \
	$(BIN)/python tests/fuzz/report.py || status=1; \
	echo "campaign: $$(( $$(date +%s) - start )) s"; exit $$status

clean:
	rm -rf $(VENV) out bench-out
