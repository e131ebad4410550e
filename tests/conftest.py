import os

import pytest


def _database() -> str:
    return "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite once per database. A test whose answer does not
    depend on the database runs in one pass only (`single_db`): browser tests and
    the demo (what `make run` serves, on SQLite), collectstatic, and the schema
    fuzzing (on PostgreSQL, as in production). The skip names the pass that runs it."""
    current = _database()
    for item in items:
        marker = item.get_closest_marker("single_db")
        wanted = marker.args[0] if marker else ("sqlite" if item.get_closest_marker("browser") else None)
        if wanted and wanted != current:
            item.add_marker(pytest.mark.skip(reason=f"runs in the {wanted} pass only (does not depend on the database)"))


@pytest.fixture(autouse=True)
def _ledger_stays_exact(request):
    """verify_ledger must be clean after every scenario of the suite."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    # Depend on the database fixture so that this check runs before its rollback.
    request.getfixturevalue("_django_db_helper")
    yield
    if request.node.get_closest_marker("ledger_drift_expected"):
        return
    from quotas.services import ledger_drift

    drift = ledger_drift()
    assert drift == [], f"ledger drift after {request.node.name}: {drift}"


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves a request's language active in the thread, so an English
    request would make later tests see English messages: start every test in Chinese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def people(request):
    """The named people of every role (tests.factory.People). A module that needs other
    figures says so with ``pytest.mark.people(year=…, cap=…)``."""
    from tests.factory import People

    marker = request.node.get_closest_marker("people")
    return People(**(marker.kwargs if marker else {}))
