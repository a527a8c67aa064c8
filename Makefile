# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# setup.py and the C source too: an editable install compiles transforms/_native.c once, so a change to it
# needs the install again.
BUILD_INPUTS := requirements.lock pyproject.toml setup.py transforms/_native.c
STAMP := $(VENV)/.installed-$(shell cat $(BUILD_INPUTS) | sha256sum | cut -c1-12)

CHROMIUM := /usr/bin/chromium

.PHONY: install run test lint clean chromium

$(STAMP): $(BUILD_INPUTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/naba run

# Headless Chromium (Debian package) for the Prefect UI check in tests/test_prefect_server.py: about
# 25 s and 400 MB the first time. Where it cannot be installed (not root, no apt-get), that test is skipped.
chromium:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
	  || echo "chromium could not be installed: the UI screenshot test will be skipped"

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build transforms/*.so warehouse/naba.duckdb warehouse/naba.duckdb.wal warehouse/naba.duckdb.lock warehouse/data_docs
