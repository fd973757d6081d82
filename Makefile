# Two commands set everything up on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-with-services lint format install messages clean bench

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	touch $(STAMP)

install: $(STAMP)

## make demo: the app with demo data on SQLite, Celery tasks run in-process, http://127.0.0.1:8000
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: lint, migrations check and the whole suite on a real PostgreSQL (+ Redis)
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	scripts/with-services.sh $(MAKE) --no-print-directory test-with-services

# Run by `make test` once the throwaway PostgreSQL and Redis are up (DATABASE_URL / REDIS_URL set).
test-with-services:
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=labelsp.settings.test
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

## make bench: the performance figures of the issues, each against a baseline measured in the same run
bench: install
	DJANGO_SETTINGS_MODULE=labelsp.settings.test scripts/with-services.sh $(BIN)/python scripts/bench_survey_import.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh the English catalogue after changing French strings
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=private
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media private
