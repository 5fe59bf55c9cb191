# make demo / make test set up everything on a machine with Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo serve test lint bench clean

install: $(STAMP)

# Reinstall only when the project's metadata changes; the package is editable.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,redis]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rivalwatch demo --dir demo

serve: $(STAMP)
	@test -f demo/rivalwatch.db || $(MAKE) demo
	$(BIN)/rivalwatch serve -c demo/rivalwatch.toml

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) demo .pytest_cache
