"""The demo's receiving end (issue 15's contract): grassroots_town and
grassroots_village log in with the demo password as reporters of a township
and a village; two townships and two villages under the city have a reporter;
the demo's flags went through the services (ledger exact, registry numbered)."""

import pytest
from django.core.management import call_command

from approvals.models import Proposal
from grassroots.models import Flag, FlagState
from quotas.models import User
from quotas.services import ledger_drift

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.single_db("sqlite")]


def test_the_demo_has_grassroots_reporters_and_flags(client):
    call_command("load_demo", verbosity=0)
    for username, level in (("grassroots_town", "township"), ("grassroots_village", "village")):
        user = User.objects.get(username=username)
        assert ("reporter" in user.roles, user.department.level) == (True, level)
        assert client.login(username=username, password="demo-pass-2026")
        assert client.get("/flags/new/").status_code == 200
        client.logout()
    reporters = User.objects.filter(groups__name="reporter")
    for level in ("township", "village"):
        units = {u.department_id for u in reporters if u.department.level == level}
        assert len(units) >= 2
    assert all(u.department.parent is not None for u in reporters)  # all under the city
    assert set(Flag.objects.values_list("state", flat=True)) == set(FlagState.values)
    assert Proposal.objects.filter(state="approved", registry_number__isnull=True).count() == 0
    assert ledger_drift() == []
    call_command("load_demo", verbosity=0)  # idempotent: no second set of flags
    assert Flag.objects.count() == 4
