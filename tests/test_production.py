"""Production configuration and login protection."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factory import make_department, make_user

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_check_deploy_is_silent_with_production_variables(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra={
        "DJANGO_SECRET_KEY": "k" * 20 + "Production-Secret-Key-With-Enough-Entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "gate.example.gov.cn", "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_outside_debug(tmp_path):
    result = run_manage("check", env_extra={"SQLITE_PATH": str(tmp_path / "db.sqlite3")})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("value, ok", [("1", True), ("true", True), ("0", True), ("false", True), ("maybe", False)])
def test_django_debug_accepts_1_0_true_false(tmp_path, value, ok):
    result = run_manage("check", env_extra={"DJANGO_DEBUG": value, "DJANGO_SECRET_KEY": "x" * 60,
                                            "SQLITE_PATH": str(tmp_path / "db.sqlite3")})
    assert (result.returncode == 0) == ok, result.stderr


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_repeated_failures_lock_the_username_from_that_ip_then_cool_off(settings):
    from axes.models import AccessAttempt

    user = make_user("clerk_x", role="clerk", department=make_department(), password="right-pass-2026")
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": user.username, "password": "right-pass-2026"})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert "请 15 分钟后再试" in locked.content.decode() and "PT15M" not in locked.content.decode()
    # Another address is not locked out: nobody can lock a clerk out everywhere.
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert elsewhere.post("/accounts/login/", {"username": user.username, "password": "right-pass-2026"}).status_code == 302
    # After the cool-off the pair may log in again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME * 2)
    assert client.post("/accounts/login/", {"username": user.username, "password": "right-pass-2026"}).status_code == 302


@pytest.mark.django_db
def test_an_administrator_can_lift_a_lockout():
    user = make_user("clerk_y", role="clerk", department=make_department(), password="right-pass-2026")
    client = Client(REMOTE_ADDR="10.1.2.4")
    for _ in range(6):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    call_command("axes_reset_username", user.username, verbosity=0)
    assert client.post("/accounts/login/", {"username": user.username, "password": "right-pass-2026"}).status_code == 302


def test_password_validators_reject_a_weak_password():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
