# 减负闸 — two commands: `make run` and `make test` (see README.md).
VENV := .venv
PY := $(VENV)/bin/python
SYSTEM_PY ?= python3

.PHONY: run test test-sqlite test-postgres setup system-packages bench clean

setup: system-packages $(VENV)/.installed locale/en/LC_MESSAGES/django.mo

system-packages:
	@bash scripts/debian-packages.sh

$(VENV)/.installed: requirements.txt
	$(SYSTEM_PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --locale en --ignore=.venv --verbosity 0

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py load_demo --if-empty
	@echo "减负闸 on http://127.0.0.1:8000/  (demo accounts: see README.md, password demo-pass-2026)"
	@# The report worker (django-tasks' db_worker) runs beside the web server and stops with it.
	DJANGO_DEBUG=1 $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite on SQLite, then on PostgreSQL when a server answers
# (REQUIRE_POSTGRES=1, as .ci/run sets it, makes a missing server an error).
test: setup test-sqlite test-postgres

test-sqlite:
	env -u DATABASE_URL $(VENV)/bin/pytest --create-db $(PYTEST_ARGS)

test-postgres:
	@url="$$(bash scripts/postgres-url.sh)"; \
	if [ -z "$$url" ]; then \
		if [ "$(REQUIRE_POSTGRES)" = "1" ]; then echo "PostgreSQL is required but not reachable" >&2; exit 1; fi; \
		echo "PostgreSQL not reachable: skipped the PostgreSQL run"; \
	else \
		echo "== PostgreSQL: $$url"; \
		DATABASE_URL="$$url" $(VENV)/bin/pytest --create-db $(PYTEST_ARGS); \
	fi

clean:
	rm -rf $(VENV) db staticfiles
