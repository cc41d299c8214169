# Two commands on a fresh machine (Python 3.11+ and make): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
APP_STAMP := $(VENV)/.app-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint format check bootstrap migrate seed messages clean bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@ $(APP_STAMP)

bootstrap: $(APP_STAMP)
	@mkdir -p var

migrate: bootstrap
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Web server, Celery worker and Celery beat together (Procfile); Ctrl-C stops all three.
run: seed
	@echo ""
	@echo "  Front desk: http://127.0.0.1:$(PORT)/   (API docs: /api/docs/, admin: /admin/)"
	@echo "  Ctrl-C stops the web server, the worker and beat."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $(PORT)

test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Models and migrations agree, and the production settings pass Django's deploy checks.
check: $(APP_STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=frontdesk.settings_production \
	SECRET_KEY=check-deploy-only-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))') \
	ALLOWED_HOSTS=frontdesk.example.com \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Seeds a dedicated PostgreSQL database (DATABASE_URL's name + "_bench", dropped and recreated)
# at the issue's scale and measures the pages; prints the table, writes var/bench/results.json.
bench: bootstrap
	$(BIN)/python manage.py bench --fresh $(BENCH_ARGS)

# Translations: the compiled .mo files are committed, so only a change of strings needs gettext.
messages: $(DEV_STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf var/db.sqlite3 var/celery var/celerybeat-schedule*
