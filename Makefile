# The two commands of the README's quick start: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test clean

$(BIN)/papersite: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

site: $(BIN)/papersite
	$(BIN)/papersite build

test: $(BIN)/papersite
	bash tests/system-deps.sh
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site .papersite-cache
