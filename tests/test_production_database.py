"""PostgreSQL connection settings from the environment: prepared statements
(DJANGO_DB_PREPARE_THRESHOLD) and health checks (DJANGO_DB_HEALTH_CHECKS)."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"
POSTGRES = "postgres://app@db.internal:5432/jianfuzha"


def database(monkeypatch, **env) -> dict:
    """settings.DATABASES["default"] as the environment `env` makes it."""
    monkeypatch.delenv("DJANGO_DB_PREPARE_THRESHOLD", raising=False)
    monkeypatch.delenv("DJANGO_DB_HEALTH_CHECKS", raising=False)
    monkeypatch.setenv("DJANGO_INSECURE_DEV_KEY", "1")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))["DATABASES"]["default"]


def test_postgresql_prepares_statements_by_default(monkeypatch):
    db = database(monkeypatch, DATABASE_URL=POSTGRES)
    assert db["OPTIONS"]["server_side_binding"] is True
    assert db["OPTIONS"]["prepare_threshold"] == 5
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("value", ["off", "OFF", ""])
def test_prepared_statements_can_be_turned_off(monkeypatch, value):
    """For a transaction-pooling PgBouncer without max_prepared_statements."""
    db = database(monkeypatch, DATABASE_URL=POSTGRES, DJANGO_DB_PREPARE_THRESHOLD=value)
    assert "prepare_threshold" not in db["OPTIONS"]
    assert "server_side_binding" not in db["OPTIONS"]


def test_the_threshold_is_a_number_of_runs(monkeypatch):
    db = database(monkeypatch, DATABASE_URL=POSTGRES, DJANGO_DB_PREPARE_THRESHOLD="0")
    assert db["OPTIONS"]["prepare_threshold"] == 0


def test_a_threshold_that_is_not_a_number_stops_the_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DB_PREPARE_THRESHOLD"):
        database(monkeypatch, DATABASE_URL=POSTGRES, DJANGO_DB_PREPARE_THRESHOLD="soon")


def test_health_checks_can_be_turned_off(monkeypatch):
    db = database(monkeypatch, DATABASE_URL=POSTGRES, DJANGO_DB_HEALTH_CHECKS="0")
    assert db["CONN_HEALTH_CHECKS"] is False


def test_sqlite_has_no_such_options(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = database(monkeypatch, SQLITE_PATH=str(tmp_path / "db.sqlite3"), DJANGO_DB_PREPARE_THRESHOLD="5")
    assert "prepare_threshold" not in db["OPTIONS"]
    assert "server_side_binding" not in db["OPTIONS"]


@pytest.mark.single_db("postgresql")
@pytest.mark.django_db
def test_repeated_requests_run_prepared_statements(people, settings):
    if settings.DATABASES["default"]["OPTIONS"].get("prepare_threshold") is None:
        pytest.skip("DJANGO_DB_PREPARE_THRESHOLD=off in this run")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=people.clerk).key}")
    for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 2):
        assert client.get("/api/v1/quotas/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql = false")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"authtoken_token"' in sql for sql in prepared), prepared
