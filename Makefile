# 减负闸 — two commands: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
SYSTEM_PY ?= python3
# Processes each test run spreads its tests over (pytest-xdist); 0 runs them in one.
TEST_WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS)

.PHONY: run test test-fast test-sqlite test-postgres setup setup-test system-packages system-packages-test bench clean

# What running needs; the test tools come with the first `make test`.
setup: system-packages $(VENV)/.installed locale/en/LC_MESSAGES/django.mo

setup-test: setup system-packages-test $(VENV)/.installed-test

system-packages:
	@bash scripts/debian-packages.sh run

system-packages-test:
	@bash scripts/debian-packages.sh test

$(VENV)/.installed: requirements.txt
	$(SYSTEM_PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(VENV)/bin/pip install --quiet -r requirements-test.txt
	touch $@

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --locale en --ignore=.venv --verbosity 0

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py load_demo --if-empty
	@echo "减负闸 on http://127.0.0.1:8000/  (demo accounts: see README.md, password demo-pass-2026)"
	@# The report worker (django-tasks' db_worker) runs beside the web server and stops with it.
	DJANGO_DEBUG=1 DJANGO_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 DJANGO_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite on SQLite, then on PostgreSQL when a server answers
# (REQUIRE_POSTGRES=1, as .ci/run sets it, makes a missing server an error).
test: test-sqlite test-postgres

# The inner loop: SQLite only, without the tests marked slow, keeping the test database.
test-fast: setup-test
	env -u DATABASE_URL $(PYTEST) -m "not slow" $(PYTEST_ARGS)

test-sqlite: setup-test
	env -u DATABASE_URL $(PYTEST) --create-db $(PYTEST_ARGS)

test-postgres: setup-test
	@url="$$(PY=$(PY) bash scripts/postgres-url.sh)"; \
	if [ -z "$$url" ]; then \
		if [ "$(REQUIRE_POSTGRES)" = "1" ]; then echo "PostgreSQL is required but not reachable" >&2; exit 1; fi; \
		echo "PostgreSQL not reachable: skipped the PostgreSQL run"; \
	else \
		echo "== PostgreSQL: $$url"; \
		DATABASE_URL="$$url" $(PYTEST) --create-db $(PYTEST_ARGS); \
	fi

clean:
	rm -rf $(VENV) db staticfiles
