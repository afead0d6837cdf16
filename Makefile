# The README's two commands: `make run` and `make test`. Both set up what they need first.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test setup browser

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Browser tests drive Debian's Chromium and check pages with axe-core from the npm registry;
# install what is missing (Debian packages need root or sudo).
browser:
	@MISSING="$$(test -x /usr/bin/chromium || echo chromium) $$(command -v npm >/dev/null || echo npm)"; \
	if [ -n "$$(echo $$MISSING)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$MISSING; fi
	@test -f tests/browser/node_modules/axe-core/axe.min.js || \
	  (cd tests/browser && npm install --no-audit --no-fund --silent)

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py setup_demo
	@echo "Serving http://$(HOST)/ with a background worker for imports; Ctrl-C stops both."
	DJANGO_DEBUG=1 $(PY) manage.py db_worker & trap 'kill $$!' EXIT; DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

test: setup browser
	SECRET_KEY=test-only $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)
