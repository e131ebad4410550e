"""Defect 3 of issue 10: the README's production start, with the real static storage.

With DJANGO_DEBUG=0 the manifest storage is used; collectstatic failed on a
stylesheet viewflow ships under node_modules, and without a manifest every page
using {% static %} answered 500. The suite's own settings swap the storage, so
this runs the README's commands in subprocesses with production settings.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# collectstatic and the production start do not depend on the test database.
pytestmark = pytest.mark.single_db("sqlite")

# Runs in a child process with the production settings: the pages and one of
# the hashed static files they name, through Django's own handler and
# WhiteNoise, as the TLS proxy would forward them.
FETCH = r"""
import json, re
import django
django.setup()
from django.test import Client

client = Client(HTTP_X_FORWARDED_PROTO="https")
out = {}
for name, url in [("login", "/accounts/login/"), ("public", "/public/meeting-costs/"),
                  ("missing", "/no-such-page/")]:
    response = client.get(url)
    html = response.content.decode()
    out[name] = {"status": response.status_code,
                 "hashed": re.findall(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js|png)", html)}
assets = {}
for asset in sorted({url for page in out.values() for url in page["hashed"]}):
    response = client.get(asset)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assets[asset] = [response.status_code, len(body)]
out["assets"] = assets
print(json.dumps(out))
"""


def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "production-test-key-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    })
    return env


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_it_serves_every_page_after_the_readme_production_steps(tmp_path):
    env = production_env(tmp_path)
    for command in (["migrate", "--verbosity", "0"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        result = run(["manage.py", *command], env)
        assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()

    result = run(["-c", FETCH], env)
    assert result.returncode == 0, result.stderr[-3000:]
    pages = json.loads(result.stdout.strip().splitlines()[-1])

    assert [pages[name]["status"] for name in ("login", "public", "missing")] == [200, 200, 404]
    for name in ("login", "public", "missing"):
        assert pages[name]["hashed"], f"{name}: no hashed static URL in the page"
    assert all(status == 200 and size > 0 for status, size in pages["assets"].values()), pages["assets"]
