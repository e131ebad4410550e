import pytest


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
    """A request in English leaves English active in the thread; start every test in Chinese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
