# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app shop
PORT ?= 5000
# Absolute links (e-mails, canonical, og:url) point at the port the shop runs on, unless
# SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve test install install-dev translations migrate seed lint format bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: install
	$(FLASK) compile-translations

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

run: translations seed
	SITE_URL='$(SITE_URL)' $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The production server (gunicorn.conf.py: workers from WEB_CONCURRENCY, timeouts,
# request limits, access log on stdout), on 127.0.0.1:$(PORT) unless BIND says otherwise.
serve: translations migrate
	PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py

# The browser tests drive Debian's chromium: installed on a fresh machine.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "== installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

test: install-dev translations chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check shop tests bench
	$(BIN)/ruff format --check shop tests bench

format: install-dev
	$(BIN)/ruff format shop tests bench
	$(BIN)/ruff check --fix shop tests bench

# Every target of issue 13 in one run on SQLite and PostgreSQL (bench/run.py): needs wrk,
# PostgreSQL on 127.0.0.1 and pyvips for the photo comparison (the 'bench' extra).
bench: install-dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
