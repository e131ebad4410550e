import pytest
from django.core.management import call_command

from quotas.models import Department, LedgerEntry, Quota, User

pytestmark = pytest.mark.django_db

DEMO_USERS = ["clerk_edu", "head_edu", "clerk_health", "head_health", "clerk_agri",
              "head_agri", "reviewer", "leader", "auditor", "admin"]


@pytest.fixture
def demo(settings):
    call_command("load_demo", verbosity=0)


@pytest.mark.slow
@pytest.mark.single_db("sqlite")  # the demo is what `make run` builds on SQLite
def test_load_demo_builds_the_contracted_data_and_is_idempotent(demo):
    from django.utils import timezone

    year = timezone.localdate().year
    codes = set(Department.objects.values_list("code", flat=True))
    assert {"JH-EDU", "JH-HEALTH", "JH-AGRI", "JH-OFFICE", "JH-LEAD"} <= codes
    assert Department.objects.get(code="JH-EDU").name == "江海市教育局"
    assert Department.objects.filter(level="township").count() >= 2
    for code in ["JH-EDU", "JH-HEALTH", "JH-AGRI"]:
        kinds = {y: set(Quota.objects.filter(department__code=code, year=y).values_list("kind", flat=True))
                 for y in (year - 1, year)}
        assert kinds == {year - 1: {"document", "meeting"}, year: {"document", "meeting", "inspection"}}
    from approvals.models import PlanWindow

    window = PlanWindow.objects.get(year=year + 1)  # next year's plans are filed in this year's late autumn
    assert (window.opens_on.year, window.closes_on.year) == (year, year)
    assert Quota.objects.filter(year=year - 1, committed__gt=0).count() == 6
    from approvals.models import Proposal

    last_year_states = set(Proposal.objects.filter(planned_date__year=year - 1).values_list("state", flat=True)) | set(
        Proposal.objects.filter(start__year=year - 1).values_list("state", flat=True))
    assert {"approved", "completed", "rejected", "withdrawn", "cancelled"} <= last_year_states
    assert Quota.objects.filter(year=year - 1, overridden__gt=0).exists()
    counts = (Quota.objects.count(), LedgerEntry.objects.count())
    call_command("load_demo", verbosity=0)
    assert (Quota.objects.count(), LedgerEntry.objects.count()) == counts
    for username in DEMO_USERS:
        assert User.objects.get(username=username).check_password("demo-pass-2026")
    assert User.objects.get(username="reviewer").department.code == "JH-OFFICE"
    assert User.objects.get(username="leader").department.code == "JH-LEAD"
    assert User.objects.get(username="admin").is_superuser


def test_the_login_page_is_served(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.slow
@pytest.mark.single_db("sqlite")  # the demo is what `make run` builds on SQLite
def test_the_demo_serves_each_role_its_view_and_the_admin(demo, client):
    """One load_demo for the three roles: it builds a year of history, which is slow."""
    assert client.post("/accounts/login/", {"username": "clerk_edu", "password": "demo-pass-2026"}).status_code == 302
    page = client.get("/").content.decode()
    assert "江海市教育局" in page
    assert "江海市卫生健康委员会" not in page

    client.logout()
    client.login(username="auditor", password="demo-pass-2026")
    page = client.get("/").content.decode()
    assert "江海市教育局" in page and "江海市农业农村局" in page

    client.logout()
    client.login(username="admin", password="demo-pass-2026")
    assert "江海市教育局" in client.get("/admin/quotas/department/").content.decode()
    entry = LedgerEntry.objects.first()
    assert client.get("/admin/quotas/ledgerentry/").status_code == 200
    assert client.get(f"/admin/quotas/ledgerentry/{entry.pk}/delete/").status_code == 403
    client.post("/admin/quotas/ledgerentry/", {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    quota = Quota.objects.first()
    page = client.get(f"/admin/quotas/quota/{quota.pk}/change/").content.decode()
    assert 'name="reserved"' not in page and 'name="committed"' not in page
