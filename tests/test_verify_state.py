"""Issue 10, defect 7: viewflow's own manage actions moved the engine without
approvals.services (a proposal stayed in review, its slot reserved, with no open
task), and nothing noticed. The flow now refuses them, and `verify_state`
checks tasks and holdings against the proposals."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals import services
from approvals.models import Hold, Proposal, State
from quotas.services import ledger_drift, quota_reserve
from tests.clock import outcomes_due
from tests.factory import make_user, reload

pytestmark = pytest.mark.django_db


def superuser_client():
    admin = make_user("root")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def verify_state():
    out = io.StringIO()
    try:
        call_command("verify_state", stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def snapshot(proposal):
    process = services.open_task(proposal).process
    tasks = list(process.task_set.order_by("pk").values_list("pk", "status", "owner_id"))
    return reload(proposal).state, reload(proposal).hold, process.status, tasks


def test_it_refuses_to_cancel_a_task_or_the_process_even_for_a_superuser(people):
    p = people.submitted(people.document())
    task = services.open_task(p)
    before = snapshot(p)
    client = superuser_client()

    base = f"/workflow/proposal/{task.process_id}"
    assert client.post(f"{base}/head_sign/{task.pk}/cancel/").status_code == 403
    assert client.post(f"{base}/cancel/", {"_cancel_process": "1"}).status_code == 403

    assert snapshot(p) == before
    assert reload(p).state == State.HEAD_REVIEW and services.open_task(p).pk == task.pk
    assert verify_state()[0] == 0


def test_it_refuses_undo_revive_and_taking_a_task_from_its_owner(people):
    p = people.at_office(people.document())  # head_sign is done, office_review open
    done = Task.objects.get(process__artifact_object_id=p.pk, flow_task_type="HUMAN", status=STATUS.DONE)
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩篇幅")
    revise = services.open_task(p)  # assigned to the clerk who drafted it
    assert revise.owner == people.clerk
    before = snapshot(p)
    client = superuser_client()

    base = f"/workflow/proposal/{done.process_id}"
    assert client.post(f"{base}/head_sign/{done.pk}/undo/").status_code == 403
    assert client.post(f"{base}/revise/{revise.pk}/unassign/").status_code == 403
    cancelled = Task.objects.filter(process_id=done.process_id, flow_task_type="HUMAN",
                                    status=STATUS.DONE).exclude(pk=done.pk).first()
    Task.objects.filter(pk=cancelled.pk).update(status=STATUS.CANCELED)
    assert client.post(f"{base}/office_review/{cancelled.pk}/revive/").status_code == 403
    Task.objects.filter(pk=cancelled.pk).update(status=STATUS.DONE)

    assert snapshot(p) == before


@pytest.mark.people(cap=20)
def test_verify_state_is_clean_through_every_step_of_the_lifecycle(people):
    services.proposal_create(by=people.clerk, kind="document", title="草稿", necessity="草稿",
                             planned_date=dt.date(people.year, 9, 15), target_levels=["township"],
                             doc_type="notice", length_chars=1000)
    people.submitted(people.document())  # head_review
    people.at_office(people.document())  # office_review
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="escalate")  # leader_review
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请修改")
    people.approved(people.document())  # approved, committed
    p = people.approved(people.document())
    with outcomes_due():
        services.proposal_complete(proposal=p, by=people.clerk, doc_number="江教发〔2027〕1号",
                                   issued_on=dt.date(people.year, 9, 15))
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="reject", comment="不必要")
    services.proposal_withdraw(proposal=people.submitted(people.document()), by=people.clerk)
    services.proposal_cancel(proposal=people.approved(people.document()), by=people.clerk, comment="取消")

    states = set(Proposal.objects.values_list("state", flat=True))
    assert states == {s.value for s in State}
    assert verify_state() == (0, "状态一致 (state OK)\n")


def test_it_reports_a_task_cancelled_behind_the_services_back(people):
    p = people.submitted(people.document())
    task = services.open_task(p)
    # What /workflow/…/cancel/ did before the flow refused it.
    Task.objects.filter(pk=task.pk).update(status=STATUS.CANCELED)
    type(task.process).objects.filter(pk=task.process_id).update(status=PROCESS.CANCELED)

    code, out = verify_state()
    assert code == 1
    assert f"TASK proposal #{p.pk} (head_review): open tasks none, expected ['head_sign']" in out
    assert "状态不一致：1 处" in out
    assert ledger_drift() == []  # verify_ledger cannot see it


def test_it_reports_counters_that_no_proposal_holds_and_holds_no_counter_has(people):
    held = people.submitted(people.document())
    draft = people.document(title="另一份草稿")
    # A slot taken with its ledger entry but for a draft that holds nothing:
    # the ledger adds up, the holdings do not.
    quota_reserve(quota=people.quota, source=draft, by=people.clerk)
    assert ledger_drift() == []
    code, out = verify_state()
    assert code == 1
    assert f"COUNT JH-EDU {people.year} document reserved: counter 2 != 1 proposals holding it" in out

    Proposal.objects.filter(pk=held.pk).update(state=State.WITHDRAWN)
    code, out = verify_state()
    assert f"HOLD proposal #{held.pk} (withdrawn) still holds a reserved slot" in out
    assert reload(held).hold == Hold.RESERVED
