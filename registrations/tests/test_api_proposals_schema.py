"""The OpenAPI schema of the resident and proposal API: every operation listed (by
``?format=json`` and by the Accept header), request types, security, components; the
schema validates without warnings."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


# --- the OpenAPI schema ---------------------------------------------------------------------------


EXPECTED_OPERATIONS = {
    "/api/auth/token/": {"post"},
    "/api/residents/signup/": {"post"},
    "/api/residents/me/": {"get"},
    "/api/residents/me/photos/": {"post"},
    "/api/proposals/": {"get", "post"},
    "/api/proposals/{number}/": {"get"},
    "/api/proposals/{number}/household/": {"put"},
    "/api/proposals/{number}/members/": {"put"},
    "/api/proposals/{number}/conditions/": {"put"},
    "/api/proposals/{number}/programmes/": {"put"},
    "/api/proposals/{number}/documents/": {"post"},
    "/api/proposals/{number}/submit/": {"post"},
    "/api/proposals/{number}/withdraw/": {"post"},
    "/api/proposals/{number}/timeline/": {"get"},
}
HTTP_METHODS = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}


@pytest.mark.parametrize(
    "kwargs",
    [{"path": "/api/schema/?format=json"}, {"path": "/api/schema/", "HTTP_ACCEPT": "application/vnd.oai.openapi+json"}],
    ids=["format-json", "accept-header"],
)
def test_schema_lists_every_resident_and_proposal_operation(kwargs):
    response = APIClient().get(**kwargs)
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path, methods in EXPECTED_OPERATIONS.items():
        assert path in paths, path
        assert set(paths[path]) & HTTP_METHODS == methods, path

    def operation(path, method):
        return paths[path][method]

    def request_types(path, method):
        return set(operation(path, method)["requestBody"]["content"])

    assert request_types("/api/residents/signup/", "post") == {"multipart/form-data"}
    assert request_types("/api/residents/me/photos/", "post") == {"multipart/form-data"}
    assert request_types("/api/proposals/{number}/documents/", "post") == {"multipart/form-data"}
    assert "application/json" in request_types("/api/proposals/{number}/members/", "put")
    assert operation("/api/residents/signup/", "post")["security"] == [{}]  # no login needed to sign up
    assert "201" in operation("/api/residents/signup/", "post")["responses"]
    assert "201" in operation("/api/residents/me/photos/", "post")["responses"]
    assert "201" in operation("/api/proposals/", "post")["responses"]
    assert "201" in operation("/api/proposals/{number}/documents/", "post")["responses"]
    assert {"tokenAuth": []} in operation("/api/proposals/", "post")["security"]

    components = schema["components"]["schemas"]
    assert {"nik", "kk_number", "password", "ktp_photo", "selfie_photo", "village"} <= set(
        components["SignUpInput"]["properties"]
    )
    profile = set(components["ProfileOutput"]["properties"])
    assert "identity_status" in profile and not {"nik", "kk_number"} & profile
    assert "problems" in components["ProposalOutput"]["properties"]
    assert {"from_status", "to_status", "actor_role"} <= set(components["EventOutput"]["properties"])


def test_schema_generation_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/proposals/{number}/timeline/" in (tmp_path / "schema.yaml").read_text()
