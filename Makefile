# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make run HOST=0.0.0.0` serves the local network (phones on the same Wi-Fi); the default
# serves this machine only. Taken from the command line only: tcsh exports HOST as the
# machine's name.
ifneq ($(origin HOST),command line)
HOST := 127.0.0.1
endif
# The PostgreSQL and Redis the second test pass uses (see README: Tests).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/workshop
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install lint format test-sqlite test-postgres test-browser migrate seed clean audit rehearse-deploy

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

migrate: install var/secret_key
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo --operator

# A development server: web (daphne) and worker on the embedded default (SQLite, in-memory
# cache and channel layer). bin/dev sets DEBUG, SITE_URL and ALLOWED_HOSTS for HOST.
run: seed
	@HOST=$(HOST) PORT=$(PORT) bin/dev

lint: install var/secret_key
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The whole suite: lint, every test on SQLite (browser tests included), then every
# non-browser test again on PostgreSQL with Redis as cache and channel layer.
test: lint test-sqlite test-postgres

test-sqlite: install var/secret_key
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest

test-postgres: install var/secret_key
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -m "not browser"

# What docs/deploy-railway.md tells Railway to run, on loopback with production settings.
rehearse-deploy: install
	$(PY) bin/rehearse-deploy

# Security checks (CI runs them after the tests): bandit over our code, pip-audit over the
# installed packages. See README, "Security checks".
audit: install
	$(PY) bin/audit

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
