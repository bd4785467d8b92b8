# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app shop
PORT ?= 5000

.PHONY: run serve test install install-dev translations migrate seed lint format bench clean

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
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The production server (gunicorn.conf.py: workers from WEB_CONCURRENCY, timeouts,
# request limits, access log on stdout), on 127.0.0.1:$(PORT) unless BIND says otherwise.
serve: translations migrate
	PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py

test: install-dev translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check shop tests bench
	$(BIN)/ruff format --check shop tests bench

format: install-dev
	$(BIN)/ruff format shop tests bench
	$(BIN)/ruff check --fix shop tests bench

bench: install-dev
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
