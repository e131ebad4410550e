import pytest
from django.core.management import CommandError, call_command

from quotas import services
from quotas.models import Kind, Quota
from tests.factory import make_department, make_quota, make_user, reload

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def committed(quota, n, user):
    for _ in range(n):
        services.quota_reserve(quota=quota, source=None, by=user)
        services.quota_commit(quota=quota, source=None, by=user)


def test_set_quota_creates_and_changes_a_cap():
    make_department("JH-EDU")
    assert "cap — -> 12" in run("set_quota", "--department", "JH-EDU", "--year", "2027", "--kind", "meeting", "--cap", "12")
    assert "cap 12 -> 8" in run("set_quota", "--department", "JH-EDU", "--year", "2027", "--kind", "meeting", "--cap", "8")
    assert Quota.objects.get(department__code="JH-EDU", year=2027, kind="meeting").cap == 8


def test_set_quota_refuses_a_cap_below_usage():
    dept = make_department("JH-EDU", name="江海市教育局")
    quota = make_quota(dept, year=2027, cap=5)
    committed(quota, 3, make_user())
    with pytest.raises(CommandError, match="合计 3"):
        run("set_quota", "--department", "JH-EDU", "--year", "2027", "--kind", "document", "--cap", "2")
    assert reload(quota).cap == 5


def test_set_quota_names_an_unknown_department():
    with pytest.raises(CommandError, match="NOPE"):
        run("set_quota", "--department", "NOPE", "--year", "2027", "--kind", "document", "--cap", "2")


def test_plan_quotas_reduces_from_last_years_committed():
    user = make_user()
    edu = make_department("JH-EDU")
    agri = make_department("JH-AGRI")
    make_department("JH-OFFICE", issues=False)
    committed(make_quota(edu, year=2026, kind=Kind.DOCUMENT, cap=40), 33, user)
    committed(make_quota(agri, year=2026, kind=Kind.MEETING, cap=20), 10, user)
    out = run("plan_quotas", "--year", "2027", "--reduction", "0.3")
    # floor(33 × 0.7) = 23, floor(10 × 0.7) = 7
    assert Quota.objects.get(department=edu, year=2027, kind="document").cap == 23
    assert Quota.objects.get(department=agri, year=2027, kind="meeting").cap == 7
    assert "JH-EDU 2027 document" in out and "-> 23" in out
    assert not Quota.objects.filter(department__code="JH-OFFICE").exists()


def test_plan_quotas_changes_nothing_when_one_cap_would_be_below_usage():
    user = make_user()
    edu = make_department("JH-EDU")
    agri = make_department("JH-AGRI")
    committed(make_quota(agri, year=2026, cap=10), 10, user)
    committed(make_quota(edu, year=2026, cap=10), 10, user)
    busy = make_quota(edu, year=2027, cap=10)
    committed(busy, 9, user)
    with pytest.raises(CommandError, match="nothing was changed"):
        run("plan_quotas", "--year", "2027", "--reduction", "0.5")
    assert reload(busy).cap == 10
    assert not Quota.objects.filter(department=agri, year=2027).exists()


def test_plan_quotas_refuses_a_reduction_out_of_range():
    with pytest.raises(CommandError):
        run("plan_quotas", "--year", "2027", "--reduction", "1.5")


@pytest.mark.ledger_drift_expected
def test_verify_ledger_exits_0_when_clean_and_1_on_drift():
    quota = make_quota(cap=3, year=2026)
    services.quota_reserve(quota=quota, source=None, by=make_user())
    assert "ledger OK" in run("verify_ledger", "--year", "2026")
    Quota.objects.filter(pk=quota.pk).update(committed=2)
    with pytest.raises(SystemExit) as exited:
        run("verify_ledger")
    assert exited.value.code == 1
