"""The workflow API's details: musdes outcomes (all or nothing) and opening, field-visit
input and assignment, reading (the detail with personal numbers, logged; the list
without them, in a bounded number of queries), residents and anonymous callers kept
out everywhere, the OpenAPI schema. The request bodies are in ``testing/workflow_api.py``."""

import datetime

import pytest
from django.urls import reverse

from registrations.models import DocumentAccess, Proposal, ProposalStatus, Role
from testing.api import api_client, url
from testing.personas import make_user
from testing.proposals import bulk_submitted
from testing.regions import REGENCY
from testing.uploads import photo_upload
from testing.workflow import TODAY, held_musdes, submitted_proposal
from testing.workflow_api import DAY, open_musdes, status_of, visit_body
from verification.models import Batch, Deliberation, DeliberationItem, DeliberationStatus, FieldVisit, Outcome

pytestmark = pytest.mark.django_db


# --- musdes details ---------------------------------------------------------------------------


def test_outcomes_must_be_items_of_the_deliberation_and_are_all_or_nothing(personas):
    first, second = submitted_proposal("o1"), submitted_proposal("o2")
    stranger = submitted_proposal("o3", village="32.04.12.2003")  # village B: not in this musdes
    operator = api_client(personas.operator_a)
    pk = open_musdes(operator).json()["id"]
    operator.post(url("musdes-pull", pk))
    rows = [{"tracking_number": first.tracking_number, "outcome": "setuju"}]
    response = operator.post(
        url("musdes-outcomes", pk),
        {"outcomes": [*rows, {"tracking_number": stranger.tracking_number, "outcome": "setuju"}]},
        format="json",
    )
    assert response.status_code == 400 and stranger.tracking_number in response.json()["detail"]
    # The second row breaks a rule (a rejection needs its reason): the first is undone too.
    response = operator.post(
        url("musdes-outcomes", pk),
        {"outcomes": [*rows, {"tracking_number": second.tracking_number, "outcome": "tolak"}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "reason"
    assert set(DeliberationItem.objects.values_list("outcome", flat=True)) == {Outcome.PENDING}
    assert operator.post(url("musdes-outcomes", pk), {"outcomes": rows * 2}, format="json").status_code == 400
    assert operator.post(url("musdes-outcomes", pk), {"outcomes": []}, format="json").status_code == 400
    # Closing with an outcome missing is refused, with the service's reason.
    assert operator.post(url("musdes-close", pk)).status_code == 400


def test_musdes_open_validation_and_one_open_per_village(personas):
    operator = api_client(personas.operator_a)
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert open_musdes(operator, held_on=future).status_code == 400
    assert open_musdes(operator, basis="sptjm").status_code == 400  # SPTJM states why no musdes
    assert open_musdes(operator, basis="rapat").status_code == 400
    body = {"basis": "musdes", "held_on": DAY, "place": "Balai Desa", "chair": "Asep"}
    response = operator.post(url("musdes-list"), body, format="json")
    assert response.status_code == 201 and response.json()["chair_position"] == "Kepala Desa"
    assert open_musdes(operator).status_code == 409


# --- field visit and assignment details ----------------------------------------------------------


def test_field_visit_input_is_validated(personas):
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    officer = api_client(personas.social_officer)
    future = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    bad = {
        "visited_on": visit_body(visited_on=future),
        "result": visit_body(result="bagus"),
        "latitude": visit_body(latitude="45.0", longitude="107.6"),
        "longitude": visit_body(latitude="-6.9"),
        "floor_area_m2": visit_body(floor_area_m2="0"),
        "monthly_income": visit_body(monthly_income=-5),
        "notes": visit_body(result="tidak_layak"),  # a rejection explains itself (service rule)
    }
    for field, body in bad.items():
        response = officer.post(url("field-visit", proposal.tracking_number), body, format="json")
        assert response.status_code == 400, (field, response.json())
        assert field in response.json() or response.json().get("field") == field, (field, response.json())
    photos = {"photos": [photo_upload(f"r{i}.jpg", seed=80 + i, width=320, height=240) for i in range(7)]}
    response = officer.post(url("field-visit", proposal.tracking_number), visit_body() | photos, format="multipart")
    assert response.status_code == 400 and "photos" in response.json()
    assert status_of(proposal) == ProposalStatus.MUSDES_APPROVED and not FieldVisit.objects.exists()
    response = officer.post(
        url("field-visit", proposal.tracking_number),
        visit_body(result="kembalikan", notes="Foto KK tidak terbaca", owns_car=True),
        format="json",
    )
    assert response.status_code == 201 and response.json()["status"] == ProposalStatus.RETURNED
    assert Proposal.objects.get(pk=proposal.pk).owns_car  # the observation replaced the declaration


def test_assign_answers_unknown_and_foreign_verifiers_alike(personas):
    colleague = make_user("dinsos_b", Role.SOCIAL_OFFICER, REGENCY)
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    officer = api_client(personas.social_officer)
    foreign = officer.post(url("assign", proposal.tracking_number), {"verifier": "dinsos_sumedang"}, format="json")
    unknown = officer.post(url("assign", proposal.tracking_number), {"verifier": "tidak_ada"}, format="json")
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json() == unknown.json()
    response = officer.post(url("assign", proposal.tracking_number), {"verifier": "dinsos_b"}, format="json")
    assert response.status_code == 200 and response.json()["verifier"] == "dinsos_b"
    # Assigned to a colleague: the officer may no longer record the visit.
    response = officer.post(url("field-visit", proposal.tracking_number), visit_body(), format="json")
    assert response.status_code == 403
    response = api_client(colleague).post(url("field-visit", proposal.tracking_number), visit_body(), format="json")
    assert response.status_code == 201


# --- reading: detail (logged), list (no personal numbers, bounded queries) -------------------------


def test_detail_carries_niks_and_flags_and_every_read_is_logged(personas):
    proposal = submitted_proposal()
    officer = api_client(personas.social_officer)
    response = officer.get(url("proposal-detail", proposal.tracking_number.lower()))
    assert response.status_code == 200
    body = response.json()
    niks = list(proposal.members.values_list("nik", flat=True))
    assert [m["nik"] for m in body["members"]] == niks and body["kk_number"] == proposal.kk_number
    assert set(body["duplicate_flags"]) == set(niks)
    assert body["conditions"]["no_fixed_income"] is True and sorted(body["programmes"]) == ["PBI_JK", "PKH"]
    assert [d["kind"] for d in body["documents"]] == ["kk"] and "image" not in body["documents"][0]
    assert [e["to_status"] for e in body["events"]] == ["diajukan"]
    assert body["allowed_moves"] == ["return_for_correction"]  # verify waits for the musdes
    operator = api_client(personas.operator_a).get(url("proposal-detail", proposal.tracking_number)).json()
    assert operator["allowed_moves"] == ["musdes_approve", "musdes_reject", "return_for_correction"]
    officer.get(url("proposal-detail", proposal.tracking_number))
    logged = DocumentAccess.objects.filter(document_type="usulan_api", document_id=proposal.pk, variant="detail")
    assert logged.count() == 3 and {a.user_id for a in logged} == {personas.social_officer.pk, personas.operator_a.pk}
    # Refused reads leave no trace and reveal nothing.
    assert api_client(personas.operator_b).get(url("proposal-detail", proposal.tracking_number)).status_code == 404
    assert api_client(personas.resident).get(url("proposal-detail", proposal.tracking_number)).status_code == 403
    assert logged.count() == 3


def test_list_filters_and_no_personal_numbers(personas):
    rows = bulk_submitted(3, operator=personas.operator_a)
    bulk_submitted(2, operator=personas.operator_b, village="32.04.12.2003")
    bulk_submitted(2, operator=personas.operator_other_regency, village="32.11.01.2001")
    Proposal.objects.filter(pk=rows[0].pk).update(status=ProposalStatus.DRAFT)  # drafts are not offered
    officer = api_client(personas.social_officer)
    body = officer.get(url("proposal-list")).json()
    assert body["count"] == 4
    row = body["results"][0]
    assert set(row) == {
        "tracking_number",
        "status",
        "channel",
        "kind",
        "village",
        "rt",
        "rw",
        "member_count",
        "submitted_at",
        "status_changed_at",
    }
    assert row["member_count"] == 2
    assert officer.get(url("proposal-list"), {"village": "32.04.12.2003"}).json()["count"] == 2
    assert officer.get(url("proposal-list"), {"village": "32.11.01.2001"}).json()["count"] == 0  # never widens
    assert officer.get(url("proposal-list"), {"status": "terverifikasi"}).json()["count"] == 0
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert officer.get(url("proposal-list"), {"since": tomorrow}).json()["count"] == 0
    assert officer.get(url("proposal-list"), {"since": "2020-01-01"}).json()["count"] == 4
    assert officer.get(url("proposal-list"), {"since": "kemarin"}).status_code == 400
    assert officer.get(url("proposal-list"), {"status": "draf"}).status_code == 400
    assert api_client(personas.operator_a).get(url("proposal-list")).json()["count"] == 2
    assert api_client(personas.ministry).get(url("proposal-list")).json()["count"] == 6


def test_list_query_count_does_not_grow_with_rows(personas, django_assert_max_num_queries):
    proposals = bulk_submitted(30, operator=personas.operator_a, members=3)
    for i, chunk in enumerate((proposals[:10], proposals[10:20], proposals[20:])):
        d = Deliberation.objects.create(
            village_id=personas.operator_a.region_id,
            basis="musdes",
            status=DeliberationStatus.SIGNED,
            held_on=TODAY,
            place="Balai",
            chair="Asep",
            opened_by=personas.operator_a,
        )
        DeliberationItem.objects.bulk_create(DeliberationItem(deliberation=d, proposal=p) for p in chunk)
        batch = Batch.objects.create(
            kind="sk_bupati",
            region_id=REGENCY,
            issuer_code=REGENCY,
            number=f"SK-{i}",
            document_date=TODAY,
            actor=personas.regency_head,
        )
        batch.proposals.add(*chunk)
    officer = api_client(personas.social_officer)
    with django_assert_max_num_queries(4):  # token + user, count, page
        response = officer.get(url("proposal-list"))
    assert response.status_code == 200 and len(response.json()["results"]) == 30
    assert {row["member_count"] for row in response.json()["results"]} == {3}
    ministry = api_client(personas.ministry)
    with django_assert_max_num_queries(4):
        response = ministry.get(url("musdes-list"))
    assert [d["item_count"] for d in response.json()["results"]] == [10, 10, 10]
    with django_assert_max_num_queries(4):
        response = ministry.get(url("batch-list"))
    assert [b["proposal_count"] for b in response.json()["results"]] == [10, 10, 10]


# --- who may call at all ------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "proposal-list", ()),
    ("get", "proposal-detail", ("USABCDEFGH",)),
    ("post", "proposal-return", ("USABCDEFGH",)),
    ("post", "field-visit", ("USABCDEFGH",)),
    ("post", "assign", ("USABCDEFGH",)),
    ("get", "musdes-list", ()),
    ("post", "musdes-list", ()),
    ("get", "musdes-detail", (1,)),
    ("post", "musdes-attendees", (1,)),
    ("post", "musdes-pull", (1,)),
    ("post", "musdes-outcomes", (1,)),
    ("post", "musdes-close", (1,)),
    ("post", "musdes-sign", (1,)),
    ("get", "musdes-minutes", (1,)),
    ("get", "batch-list", ()),
    ("post", "regency-approval", ()),
    ("post", "province-forwarding", ()),
    ("post", "determination", ()),
]


def test_residents_get_403_and_anonymous_callers_401_everywhere(personas):
    resident, anonymous = api_client(personas.resident), api_client()
    for method, name, args in ENDPOINTS:
        response = getattr(resident, method)(url(name, *args), {}, format="json")
        assert response.status_code == 403, (name, method)
        response = getattr(anonymous, method)(url(name, *args), {}, format="json")
        assert response.status_code == 401, (name, method)
        assert response["WWW-Authenticate"] == "Token"


def test_openapi_schema_documents_the_workflow_api(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    expected = {
        "/api/workflow/proposals/": {"get"},
        "/api/workflow/proposals/{tracking_number}/": {"get"},
        "/api/workflow/proposals/{tracking_number}/return/": {"post"},
        "/api/workflow/proposals/{tracking_number}/field-visit/": {"post"},
        "/api/workflow/proposals/{tracking_number}/assign/": {"post"},
        "/api/workflow/musdes/": {"get", "post"},
        "/api/workflow/musdes/{id}/": {"get"},
        "/api/workflow/musdes/{id}/attendees/": {"post"},
        "/api/workflow/musdes/{id}/pull/": {"post"},
        "/api/workflow/musdes/{id}/outcomes/": {"post"},
        "/api/workflow/musdes/{id}/close/": {"post"},
        "/api/workflow/musdes/{id}/sign/": {"post"},
        "/api/workflow/musdes/{id}/minutes.pdf": {"get"},
        "/api/workflow/batches/": {"get"},
        "/api/workflow/batches/regency-approval/": {"post"},
        "/api/workflow/batches/province-forwarding/": {"post"},
        "/api/workflow/batches/determination/": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    visit = paths["/api/workflow/proposals/{tracking_number}/field-visit/"]["post"]
    assert "multipart/form-data" in visit["requestBody"]["content"]
    assert "application/pdf" in paths["/api/workflow/musdes/{id}/minutes.pdf"]["get"]["responses"]["200"]["content"]
    assert {"WorkflowProposalDetail", "DeliberationDetail", "BatchOutput"} <= set(schema["components"]["schemas"])
