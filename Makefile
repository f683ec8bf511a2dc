# The two commands a newcomer needs: `make run` (the site on http://127.0.0.1:8000/) and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Threads per gunicorn worker (1: sync workers). More let a worker serve others while one waits for
# a slow mail server; the benchmark measured no gain on 2 cores.
GUNICORN_THREADS ?= 1
# Root installs Debian packages directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_GET := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -y -q
# The test suite's database server (see tests/conftest.py).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/socialdilemma

.PHONY: help run test serve bench audit messages compilemessages clean system-deps gettext postgres redis superuser \
  screenshots social-images

help:
	@echo "make run    start the development site on http://127.0.0.1:$(PORT)/"
	@echo "make test   install what the suite needs and run all checks and tests"
	@echo "make serve  run the production configuration locally (gunicorn + whitenoise)"
	@echo "make bench  load-test the production configuration and print the figures"
	@echo "make audit  check the pinned dependencies for known vulnerabilities (pip-audit; part of make test)"
	@echo "make messages  extract translatable strings into locale/*/LC_MESSAGES/django.po"
	@echo "make superuser  create a staff account for the admin of make run (asks for name and password)"
	@echo "make screenshots  render the README's screenshots (docs/screenshots/) from make run's site"
	@echo "make social-images  draw the social previews and home-screen icons (static/img/*.png) from their SVG"

# --- installation -----------------------------------------------------------------------------
# Stamps make a second run fast: packages are reinstalled only when the pins change.
$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@ $(VENV)/.installed-run

# Debian packages: gettext compiles the translations, chromium runs the browser tests, nginx is the page
# cache in front of the site in tests/socialdilemma/test_nginx.py.
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(APT_GET) update && $(APT_GET) install --no-install-recommends $$missing; \
	fi

gettext:
	@command -v msgfmt >/dev/null || { echo "Installing gettext"; $(APT_GET) update && $(APT_GET) install --no-install-recommends gettext; }

# Start the local PostgreSQL server when it is installed but not running (installing it if absent).
postgres:
	@if ! command -v pg_lsclusters >/dev/null; then \
	  echo "Installing PostgreSQL (local connections from 127.0.0.1 trusted, for development and tests)"; \
	  $(APT_GET) update && $(APT_GET) install postgresql && \
	  $(SUDO) sed -i -E 's/^(host +all +all +(127\.0\.0\.1\/32|::1\/128) +)[a-z0-9-]+/\1trust/' \
	    /etc/postgresql/*/main/pg_hba.conf; fi
	@pg_lsclusters --no-header | while read -r version cluster port status rest; do \
	  if [ "$$status" != "online" ]; then \
	    echo "Starting PostgreSQL $$version/$$cluster"; \
	    $(SUDO) pg_ctlcluster --skip-systemctl-redirect "$$version" "$$cluster" start; \
	  fi; \
	done
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	  echo "PostgreSQL does not answer on 127.0.0.1:5432"; exit 1

# Start the local Redis server when it is installed but not answering (installing it if absent).
redis:
	@if ! command -v redis-server >/dev/null; then \
	  echo "Installing Redis"; $(APT_GET) update && $(APT_GET) install --no-install-recommends redis-server; fi
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  echo "Starting Redis"; mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; }
	@for i in $$(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 0.5; done; \
	  echo "Redis does not answer on 127.0.0.1:6379"; exit 1

compilemessages: gettext $(VENV)/.installed-run
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -v0 --ignore='.venv'

# --- the commands -----------------------------------------------------------------------------
# The site, its task worker and its scheduler (Procfile.dev), stopped together by Ctrl-C.
run: export DJANGO_DEBUG ?= 1
# Emailed links lead to this site (honcho gives each process a PORT of its own: web's is this one).
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: compilemessages
	$(BIN)/python manage.py migrate --no-input -v0
	@echo "The site: http://127.0.0.1:$(PORT)/  The admin: http://127.0.0.1:$(PORT)/admin/ (a staff account: make superuser)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start -p $(PORT)

test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export DJANGO_DEBUG = 1
test: system-deps postgres redis $(VENV)/.installed-test compilemessages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v1
	$(BIN)/python tests/audit.py
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# Known vulnerabilities in requirements.lock (see tests/audit.py). AUDIT_REQUIRED=1 also fails when the
# vulnerability service cannot be reached.
audit: $(VENV)/.installed-test
	$(BIN)/python tests/audit.py

# The benchmark (see tests/bench.py): figures, not a pass/fail test.
bench: postgres redis $(VENV)/.installed-test compilemessages
	@command -v wrk >/dev/null || { $(APT_GET) update && $(APT_GET) install --no-install-recommends wrk; }
	@command -v chromium >/dev/null || { $(APT_GET) update && $(APT_GET) install --no-install-recommends chromium; }
	@command -v npm >/dev/null || { $(APT_GET) update && $(APT_GET) install --no-install-recommends nodejs npm; }
	[ -x scripts/lighthouse/node_modules/.bin/lighthouse ] || npm ci --prefix scripts/lighthouse --no-audit --no-fund
	$(BIN)/python tests/bench.py

# The production configuration, from the environment only (see README, "Settings"): gunicorn, a task
# worker and the scheduler (Procfile), stopped together by Ctrl-C or SIGTERM.
serve: export DJANGO_DEBUG = 0
serve: compilemessages
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py collectstatic --no-input -v0
	PATH="$(CURDIR)/$(BIN):$$PATH" WEB_WORKERS=$$(( $$(nproc) * 2 + 1 )) GUNICORN_THREADS=$(GUNICORN_THREADS) \
	  $(BIN)/honcho -f Procfile start -p $(PORT)

# The first staff account for `make run`'s admin, in its development settings and database. For production
# run `manage.py createsuperuser` with the production environment (see README, "Settings").
superuser: export DJANGO_DEBUG ?= 1
superuser: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py createsuperuser

# Screenshots for the README (scripts/screenshots.py), from the site and database of `make run`.
screenshots: export DJANGO_DEBUG ?= 1
screenshots: system-deps $(VENV)/.installed-test compilemessages
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python scripts/screenshots.py

# The PNGs drawn from templates/social/*.svg (scripts/draw_social_images.py); committed, run after a change.
social-images: system-deps $(VENV)/.installed-test compilemessages
	DJANGO_DEBUG=1 $(BIN)/python scripts/draw_social_images.py

messages: $(VENV)/.installed-run gettext
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l de -l en --no-location --no-obsolete --no-wrap \
	  --ignore='.venv/*' --ignore='staticfiles/*' --ignore='tests/*' --ignore='scripts/lighthouse/*'
	# English is the source language: its catalogue repeats each message.
	msgfilter --keep-header --no-wrap -i locale/en/LC_MESSAGES/django.po sed -e d | msgen --no-wrap - \
	  | msgattrib --clear-fuzzy --clear-previous --no-wrap -o locale/en/LC_MESSAGES/django.po
	@msgfmt --statistics -o /dev/null locale/de/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) staticfiles .coverage htmlcov
	find . -name '*.mo' -path './locale/*' -delete
