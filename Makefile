# The README's two commands are `make run` and `make test`; every target installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Links in emails point at the address the server was started on, unless SITE_URL is set.
SITE_URL_DEFAULT = http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install system-deps run serve migrate demo test test-fast lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	touch $@

install: $(VENV)/.installed

system-deps:
	bash scripts/install-system-deps.sh

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	@bash scripts/install-system-deps.sh --video-only || echo "ffmpeg could not be installed: the demo lesson video is skipped"
	$(BIN)/python manage.py init_data

## Set up everything and start Lyceum with demo data at http://$(HOST):$(PORT)
run: demo
	@echo "Lyceum is starting at http://$(HOST):$(PORT)  (stop with Ctrl-C)"
	SITE_URL="$${SITE_URL:-$(SITE_URL_DEFAULT)}" $(BIN)/uvicorn lyceum.asgi:application --host $(HOST) --port $(PORT) --ws websockets-sansio --ws-per-message-deflate false --lifespan off

## The production layout on this machine (nginx, gunicorn, uvicorn; needs REDIS_URL): docs/deployment.md
serve: migrate
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

## Set up everything and run the whole test suite (SQLite by default; set DATABASE_URL/REDIS_URL)
test: install system-deps
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
