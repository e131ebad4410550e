"""A first submission writes the engine's rows in bulk (approvals.flows.start_in_bulk):
the same rows, column by column, as viewflow's own start activation writes."""

import pytest
from django.forms.models import model_to_dict
from viewflow.workflow.models import Task

from approvals import services, todo
from approvals.flows import ProposalFlow, start_in_bulk
from approvals.models import ProposalProcess, State
from tests.factory import reload

pytestmark = pytest.mark.django_db

MOMENTS = {"id", "created", "started", "finished", "process", "previous"}


def _rows(proposal):
    process = ProposalProcess.objects.get(artifact_object_id=proposal.pk)
    tasks = list(Task.objects.filter(process=process).order_by("pk"))
    links = [(t.flow_task, [p.flow_task for p in t.previous.all()]) for t in tasks]
    fields = [{k: v for k, v in model_to_dict(t).items() if k not in MOMENTS} for t in tasks]
    timing = [(t.started is not None, t.finished is not None) for t in tasks]
    process_fields = {k: v for k, v in model_to_dict(process).items() if k not in MOMENTS}
    return process_fields, fields, links, timing


def test_the_bulk_start_writes_what_the_engine_writes(people):
    by_engine, in_bulk = people.document(), people.document()
    for p in (by_engine, in_bulk):
        p.change_state(State.HEAD_REVIEW)
        p.save()
    ProposalFlow.start.run(proposal=by_engine)
    start_in_bulk(in_bulk)
    engine, bulk = _rows(by_engine), _rows(in_bulk)
    engine[0].pop("artifact_object_id"), bulk[0].pop("artifact_object_id")
    assert bulk == engine, (bulk, engine)
    assert {"flow_task", "flow_task_type", "status", "token", "owner_permission"} <= set(bulk[1][0])
    assert {"flow_class", "status", "artifact_content_type"} <= set(bulk[0])
    assert [t["flow_task_type"] for t in bulk[1]] == ["START", "HUMAN"]


def test_a_submitted_item_is_in_the_heads_to_do_and_the_flow_routes_on(people):
    p = services.proposal_submit(proposal=people.document(), by=people.clerk)
    assert [item.pk for item in todo.waiting(people.head)] == [p.pk]
    services.proposal_decide(proposal=p, by=people.head, decision="approve")
    assert reload(p).state == State.OFFICE_REVIEW
    assert [item.pk for item in todo.waiting(people.reviewer)] == [p.pk]
    assert not todo.waiting(people.head).exists()
    open_tasks = Task.objects.filter(process__artifact_object_id=p.pk, status__in=["NEW", "ASSIGNED"])
    assert [t.flow_task for t in open_tasks] == [ProposalFlow.office_review]
