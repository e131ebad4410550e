"""Issue 10, item 8: behind the TLS proxy every request came from the proxy's
address, and the lockout keyed on it, so anyone could lock any user out for
everyone again and again. With the proxy configured the lockout keys on the
client; without it a forged X-Forwarded-For changes nothing."""

import pytest
from django.test import Client

from tests.factory import make_department, make_user

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
PASSWORD = "right-pass-2026"


@pytest.fixture
def clerk():
    return make_user("clerk_p", role="clerk", department=make_department(), password=PASSWORD)


def fail_until_locked(client, user, limit):
    for _ in range(limit):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})


def login(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code


def via_proxy(forwarded_for):
    """A request as the proxy forwards it: from its own address, the client appended."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_the_proxy_clients_are_locked_out_one_by_one(settings, clerk):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = via_proxy("203.0.113.66")
    fail_until_locked(attacker, clerk, settings.AXES_FAILURE_LIMIT)
    assert login(attacker, clerk) == 429

    assert login(via_proxy("198.51.100.7"), clerk) == 302


def test_behind_the_proxy_a_forged_forwarded_for_neither_escapes_nor_steers_the_lock(settings, clerk):
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker writes the victim's address; the proxy appends the real one.
    attacker = via_proxy("198.51.100.7, 203.0.113.66")
    fail_until_locked(attacker, clerk, settings.AXES_FAILURE_LIMIT)

    assert login(via_proxy("10.9.9.9, 203.0.113.66"), clerk) == 429
    assert login(via_proxy("198.51.100.7"), clerk) == 302


def test_without_a_proxy_the_forwarded_for_header_is_ignored(settings, clerk):
    assert settings.TRUSTED_PROXY_COUNT == 0
    attacker = Client(REMOTE_ADDR="10.0.0.66", HTTP_X_FORWARDED_FOR="10.0.0.5")
    fail_until_locked(attacker, clerk, settings.AXES_FAILURE_LIMIT)

    # The victim named in the header is not locked out; the attacker stays locked
    # whatever the header says.
    assert login(Client(REMOTE_ADDR="10.0.0.5"), clerk) == 302
    assert login(Client(REMOTE_ADDR="10.0.0.66", HTTP_X_FORWARDED_FOR="10.0.0.77"), clerk) == 429


@pytest.mark.parametrize("count, forwarded_for, expected", [
    (0, "198.51.100.7", PROXY),
    (1, "", PROXY),  # not forwarded: only the peer is known
    (1, "not-an-address", PROXY),
    (1, "10.1.1.1, 198.51.100.7", "198.51.100.7"),
    (2, "198.51.100.7, 10.0.0.2", "198.51.100.7"),  # outer proxy, then inner proxy
    (2, "10.1.1.1, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
    (2, "198.51.100.7", PROXY),
])
def test_the_client_is_the_entry_the_outermost_trusted_proxy_appended(settings, count, forwarded_for, expected):
    from django.test import RequestFactory

    from config.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected
