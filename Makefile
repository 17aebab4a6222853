# Two commands for a fresh machine: `make run` and `make test` (see README.md).
# Every step is idempotent: a stamp file records what was installed from which lock.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format install install-dev assets chromium messages worker

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed
assets: node_modules/.installed

# Debian's Chromium for the browser tests (Playwright never downloads a browser here),
# and flite for the captcha's spoken alternative on the public lookup.
chromium:
	@if [ -x /usr/bin/chromium ] && command -v flite >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium flite >/dev/null) \
		|| echo "chromium could not be installed; browser tests will say so"; \
	else echo "not root: install Debian's chromium to run the browser tests"; fi

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_regions --if-empty
	$(PY) manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: web, Celery worker and beat together (Procfile)"; \
		exec $(VENV)/bin/honcho start -f Procfile -p $(PORT); \
	else \
		exec $(PY) manage.py runserver 127.0.0.1:$(PORT); \
	fi

worker: install
	$(VENV)/bin/celery -A dtsen_portal worker -l info

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install-dev
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

test: install-dev chromium lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)
