#!/usr/bin/env bash
# Prints the PostgreSQL URL for the test run if a server answers, else nothing.
# DATABASE_URL wins; otherwise the local server on 127.0.0.1:5432 is tried.
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jianfuzha}"
if "${PY:-.venv/bin/python}" - "$url" <<'PY' >/dev/null 2>&1
import sys, psycopg, dj_database_url
cfg = dj_database_url.parse(sys.argv[1])
psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"],
                password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3).close()
PY
then
    echo "$url"
fi
