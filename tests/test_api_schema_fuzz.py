"""Schema-driven fuzzing of /api/v1/ with schemathesis: no input gives a 5xx, and every
answer (2xx or error) conforms to the published OpenAPI schema.

The requests go through the whole Django stack (middleware, auth, the exception
handler) in this process, inside the test's transaction, signed in by token as
the clerk (who drafts and submits) or the reviewer (who decides); path ids
are drawn from proposals that exist, in several states, as well as random ones.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)


pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.single_db("postgresql")]

MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def wsgi_app():
    """Django's WSGI app that keeps the test's connection (as django.test.Client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def proposal_ids(people):
    draft = people.document()
    at_head = people.submitted(people.document())
    at_office = people.at_office(people.document())
    approved = people.approved(people.meeting())
    return [draft.pk, at_head.pk, at_office.pk, approved.pk]


@pytest.fixture
def api_schema(wsgi_app, proposal_ids):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters or "id" not in path_parameters:
            return st.just(path_parameters)
        return st.sampled_from(proposal_ids + [path_parameters["id"]]).map(
            lambda pk: {**path_parameters, "id": pk})

    return schema


def _has_inputs(operation) -> bool:
    return bool(len(operation.query) or len(operation.path_parameters) or len(operation.body))


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("role", ["clerk", "reviewer"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_it_never_fails_with_5xx_and_answers_as_documented(api_schema, people, role, mode):
    token = Token.objects.create(user=getattr(people, role)).key
    headers = {"Authorization": f"Token {token}"}
    operations = list(_operations(api_schema))
    assert len(operations) >= 10

    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not _has_inputs(operation):
            continue  # nothing to get wrong: GET /departments/ takes no parameters

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
