"""Property-based fuzzing of every API operation in the OpenAPI schema (schemathesis).

For each operation of ``/api/schema/`` schemathesis generates requests that follow
the schema (positive: random path parameters, query strings and bodies) and requests
that break it on purpose (negative: wrong types, missing fields), and sends them
through the WSGI application as three callers: anonymous, a resident and Dinas Sosial
staff (API tokens). No answer may be a server error; answers to positive requests must
conform to the schema where it documents them: a documented content type and, for
documented status codes, a body matching the documented shape.

Each request runs in a rolled-back savepoint, so examples do not pile up data and a
failed statement cannot poison the next one. ``FUZZ_EXAMPLES`` (default 4) sets the
examples per operation and caller; the run prints ``API FUZZ: ...`` with the counts.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from testing.access_world import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
CHECKS = [content_type_conformance, response_schema_conformance]


def _token(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


@pytest.fixture
def schema(personas):
    build_world(personas)  # real objects, so some generated requests meet data
    # As Django's test client does: a request through the WSGI handler must not close
    # the test's database connection (its transaction holds the data above).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_schema_fuzz_has_no_server_errors(schema, personas):
    callers = {
        "anonymous": {},
        "resident": {"Authorization": f"Token {_token(personas.resident)}"},
        "dinsos": {"Authorization": f"Token {_token(personas.social_officer)}"},
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30, "the schema lost its operations"
    failures: list[str] = []
    counts = {"examples": 0, "2xx": 0, "4xx": 0, "no negative": 0}

    for operation in operations:
        for caller, headers in callers.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, caller, headers, counts, failures)

    print(
        f"API FUZZ: {len(operations)} operations x {len(callers)} callers, {counts['examples']} examples, "
        f"{counts['2xx']} 2xx/3xx, {counts['4xx']} 4xx, {len(failures)} failures "
        f"({counts['no negative']} operation/caller pairs had nothing to make invalid)"
    )
    assert not failures, "\n".join(failures[:40])


def _fuzz(operation, mode, caller: str, headers: dict, counts: dict, failures: list) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        counts["examples"] += 1
        counts["2xx" if response.status_code < 400 else "4xx"] += response.status_code < 500
        label = f"{operation.label} ({mode.value}) as {caller} -> {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"server error: {label}\n{response.text[:300]}")
            return
        if mode != GenerationMode.POSITIVE:
            return  # malformed on purpose: a 4xx is the right answer, its shape is not checked
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is listed
            failures.append(f"not conforming: {label}: {str(exc)[:300]}")

    try:
        run()
    except Unsatisfiable:
        if mode == GenerationMode.POSITIVE:
            raise
        counts["no negative"] += 1  # nothing to break (no parameters, no body)


@pytest.mark.parametrize("body", [[1, 2], "teks", 5])
def test_a_json_body_that_is_not_an_object_is_refused_not_a_crash(personas, body):
    """Found by the fuzzer: the form-backed endpoints called ``.get`` on a JSON list."""
    from rest_framework.test import APIClient

    from testing.proposals import complete_draft
    from testing.residents import resident_profile

    resident_profile(personas.resident, personas.resident.region_id)
    number = complete_draft(personas.resident).tracking_number
    api = APIClient()
    api.force_authenticate(personas.resident)
    calls = [
        ("post", "/api/proposals/"),
        ("put", f"/api/proposals/{number}/household/"),
        ("put", f"/api/proposals/{number}/conditions/"),
        ("put", f"/api/proposals/{number}/programmes/"),
        ("post", f"/api/proposals/{number}/documents/"),
        ("post", f"/api/proposals/{number}/withdraw/"),
        ("post", "/api/residents/me/photos/"),
    ]
    for method, url in calls:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 400, (url, response.status_code)
    anonymous = APIClient(REMOTE_ADDR="10.9.9.9")
    assert anonymous.post("/api/residents/signup/", body, format="json").status_code == 400
