# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Values that only exist to let the deploy check see a production-like setup.
DEPLOY_CHECK_ENV := DEBUG=0 ALLOWED_HOSTS=steungezinnen.example.nl \
	SECRET_KEY=only-for-the-deploy-check-7f3a9c2e5b1d8f4a6c0e2b9d7a5f3c1e

.PHONY: install axe run test lint migrations-check deploy-check pytest bench load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $@

install: $(VENV)/.installed

# axe-core, pinned in package-lock.json, for the accessibility tests. Without
# npm those tests are skipped with a notice (and fail in CI).
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

axe:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory node_modules/.installed; \
	else echo "npm ontbreekt: de toegankelijkheidstests (axe-core) worden overgeslagen."; fi

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo
	@echo "Open http://127.0.0.1:8000 en log in met een van de accounts hierboven."
	@# The task worker runs beside the web server and stops with it.
	DEBUG=1 $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install axe lint migrations-check deploy-check pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	for script in deploy/*.sh .ci/*.sh; do [ -e "$$script" ] || continue; bash -n "$$script" || exit 1; done

migrations-check:
	DJANGO_SETTINGS_MODULE=steungezinnen.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

deploy-check:
	$(DEPLOY_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

pytest:
	$(BIN)/pytest $(PYTEST_ARGS)

# Times every coordinator page for the biggest and a small organisation of a
# generated national dataset, in a PostgreSQL database of its own (made and
# dropped; bench.sqlite3 when no PostgreSQL is reachable). BENCH_ARGS, e.g.
# "--schaal 0.5 --runs 5"; BENCH_DATABASE_URL names the server.
bench: install
	DEBUG=1 $(BIN)/python manage.py bench $(BENCH_ARGS)

# The same dataset (smaller by default), gunicorn with 4 workers and locust,
# headless, per number of users. DEBUG=1 is for making the data only: gunicorn
# runs as in production, DEBUG off (see bench.py, _production_env).
# LOAD_ARGS, e.g. "--gebruikers 1,8 --duur 20".
load: install
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet ".[load]"
	DEBUG=1 $(BIN)/python manage.py bench --load $(LOAD_ARGS)
