# The README's two commands, `make run` and `make test`, and the two checks CI runs beside them: `make lint typecheck`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test setup setup-dev browser lint typecheck

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Tests, ruff and mypy: requirements-dev.txt, on top of the app's own.
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Browser tests drive Debian's Chromium and check pages with axe-core from the npm registry. As root,
# the missing Debian packages are installed; otherwise make stops and names them (no sudo password prompt).
browser:
	@MISSING="$$(test -x /usr/bin/chromium || echo chromium) $$(command -v npm >/dev/null || echo npm)"; \
	MISSING="$$(echo $$MISSING)"; \
	if [ -n "$$MISSING" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$MISSING; \
	  else echo "The browser tests need Debian packages that are not installed: $$MISSING." >&2; \
	    echo "Run make as root, or install them first: sudo apt-get install $$MISSING" >&2; exit 1; fi; \
	fi
	@test -f tests/browser/node_modules/axe-core/axe.min.js || \
	  (cd tests/browser && npm install --no-audit --no-fund --silent)

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py setup_demo
	@echo "Serving http://$(HOST)/ with a background worker for imports; Ctrl-C stops both."
	@# The worker runs under a small supervisor loop: if it dies (killed, crashed) it is started again;
	@# a clean stop (Ctrl-C) ends the loop. docs/factcheck-worker.service does the same job in production.
	( trap 'kill $$worker 2>/dev/null; exit 0' TERM; \
	  while :; do DJANGO_DEBUG=1 $(PY) manage.py run_worker & worker=$$!; wait $$worker && break; \
	  echo "The import worker stopped; starting it again." >&2; sleep 1; done ) & \
	trap 'kill $$!' EXIT; DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

test: setup-dev browser
	SECRET_KEY=test-only $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .

# The django-stubs plugin loads the settings, which want a secret key.
typecheck: setup-dev
	SECRET_KEY=typecheck-only $(VENV)/bin/mypy
