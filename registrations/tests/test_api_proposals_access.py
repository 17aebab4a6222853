"""The proposal API with token auth, who reaches whose proposal: other residents and
villages get 404 everywhere, the village operator reads but does not edit a resident's
proposal, the social office is no proposer; the operator's walk-in entry (in the own
village only); fields only staff set.

The helpers are shared (``testing/api.py``, ``testing/proposals_api.py``) and imported
under the short names the tests use."""

import pytest

from registrations.models import Proposal
from testing.api import api_client as _client
from testing.numbers import kk_for
from testing.proposals import CONDITIONS, complete_draft
from testing.proposals_api import LIST
from testing.proposals_api import assert_unchanged as _unchanged
from testing.proposals_api import call as _call
from testing.proposals_api import every_endpoint as _every_endpoint
from testing.proposals_api import fill_draft as _fill
from testing.proposals_api import household_body as _household
from testing.proposals_api import members_body as _members
from testing.proposals_api import proposal_url as _url
from testing.regions import VILLAGE_A, VILLAGE_B
from testing.residents import confirmed_resident
from testing.uploads import photo_upload

pytestmark = pytest.mark.django_db

PROPOSER_ONLY = "Hanya warga dan operator desa/kelurahan yang dapat mengelola usulan."
NOT_YOURS = "Anda tidak dapat mengubah usulan ini."


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


# --- scope --------------------------------------------------------------------------------------


def test_another_resident_and_another_village_get_404_everywhere(personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    budi = confirmed_resident("budi", village=VILLAGE_B)
    for user in (budi, personas.operator_b, personas.operator_other_regency):
        client = _client(user)
        for method, url, body, fmt in _every_endpoint(proposal.tracking_number, proposal.kk_number):
            response = _call(client, method, url, body, fmt)
            assert response.status_code == 404, (user.username, url, response.content)
            assert proposal.tracking_number not in response.content.decode()
        assert proposal.tracking_number not in client.get(LIST).content.decode()
    _unchanged(proposal)


def test_operator_of_the_village_reads_but_does_not_edit_a_residents_proposal(personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    client = _client(personas.operator_a)
    endpoints = _every_endpoint(proposal.tracking_number, proposal.kk_number)
    reads, writes = [endpoints[0], endpoints[-1]], endpoints[1:-1]
    for method, url, body, fmt in reads:
        assert _call(client, method, url, body, fmt).status_code == 200, url
    for method, url, body, fmt in writes:
        response = _call(client, method, url, body, fmt)
        assert response.status_code == 403, (url, response.content)
        assert response.json()["detail"] == NOT_YOURS
    # The operator's list is for walk-ins: residents' own proposals are not in it.
    assert client.get(LIST).json() == []
    _unchanged(proposal)


def test_social_officer_is_not_a_proposer_but_reads_the_timeline(personas, django_capture_on_commit_callbacks):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    with django_capture_on_commit_callbacks(execute=True):
        assert _client(resident).post(_url(proposal.tracking_number, "submit")).status_code == 200
    proposal.refresh_from_db()
    officer = _client(personas.social_officer)
    assert officer.get(LIST).status_code == 403
    assert officer.post(LIST, {"kind": "baru"}, format="json").json()["detail"] == PROPOSER_ONLY
    for method, url, body, fmt in _every_endpoint(proposal.tracking_number, proposal.kk_number)[:-1]:
        response = _call(officer, method, url, body, fmt)
        assert response.status_code == 403, url
        assert response.json()["detail"] == PROPOSER_ONLY
    response = officer.get(_url(proposal.tracking_number, "timeline"))
    assert response.status_code == 200
    assert [e["to_status"] for e in response.json()] == ["diajukan"]
    # Staff of another regency or province do not reach it; national staff do.
    for user in (personas.social_officer_other_regency, personas.provincial_other):
        assert _client(user).get(_url(proposal.tracking_number, "timeline")).status_code == 404
    for user in (personas.regency_head, personas.provincial, personas.ministry):
        assert _client(user).get(_url(proposal.tracking_number, "timeline")).status_code == 200
    _unchanged(proposal)


# --- walk-in entry by the village operator ------------------------------------------------------


def test_operator_walk_in_through_the_api(personas, mailoutbox, django_capture_on_commit_callbacks):
    client = _client(personas.operator_a)
    response = client.post(LIST, {"kind": "baru"}, format="json")
    assert response.status_code == 201
    draft = response.json()
    number = draft["tracking_number"]
    assert (draft["channel"], draft["village"], draft["kk_number"]) == ("luring", VILLAGE_A, "")
    proposal = Proposal.objects.get(tracking_number=number)
    assert proposal.applicant is None and proposal.entered_by == personas.operator_a

    kk_number = kk_for()
    response = client.put(_url(number, "household"), _household(kk_number, VILLAGE_B), format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Operator hanya dapat mengentri usulan warga desa/kelurahannya sendiri.",
        "field": "village",
    }
    assert Proposal.objects.get(pk=proposal.pk).village_id == VILLAGE_A

    _fill(client, number, kk_number)
    problems = client.get(_url(number)).json()["problems"]
    assert problems == ["Unggah pindaian formulir usulan kertas yang ditandatangani warga."]
    response = client.post(_url(number, "submit"))
    assert response.status_code == 400 and response.json()["detail"] == problems[0]

    paper = {"kind": "formulir", "file": photo_upload("formulir.jpg", seed=41)}
    assert client.post(_url(number, "documents"), paper, format="multipart").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(number, "submit"))
    assert response.status_code == 200 and response.json()["status"] == "diajukan"
    events = client.get(_url(number, "timeline")).json()
    assert [(e["from_status"], e["to_status"], e["actor_role"]) for e in events] == [
        ("draf", "diajukan", "operator_desa")
    ]
    assert mailoutbox == []  # a walk-in has no applicant account to e-mail

    assert [p["tracking_number"] for p in client.get(LIST).json()] == [number]
    other = _client(personas.operator_b)
    assert other.get(LIST).json() == []
    assert other.get(_url(number)).status_code == 404


def test_operator_cannot_move_a_walk_in_out_of_the_village_or_region(personas):
    client = _client(personas.operator_a)
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    for village in (VILLAGE_B, "32.11.01.2001", "34.04.01.2001"):
        response = client.put(_url(number, "household"), _household(kk_for(), village), format="json")
        assert response.status_code == 403, village
    assert Proposal.objects.get(tracking_number=number).village_id == VILLAGE_A


# --- staff-owned fields --------------------------------------------------------------------------


STAFF_FIELDS = {
    "status": "ditetapkan",
    "channel": "luring",
    "applicant": None,
    "entered_by": None,
    "tracking_number": "USAAAAAAAA",
    "submitted_at": "2026-01-01T00:00:00Z",
    "household": 1,
}


def test_residents_cannot_set_staff_owned_fields(personas):
    resident = confirmed_resident()
    other = confirmed_resident("budi", village=VILLAGE_B)
    client = _client(resident)
    sneaky = STAFF_FIELDS | {"applicant": other.pk}

    response = client.post(LIST, {"kind": "baru"} | sneaky, format="json")
    assert response.status_code == 201
    number = response.json()["tracking_number"]
    assert number != sneaky["tracking_number"]
    assert (response.json()["status"], response.json()["channel"]) == ("draf", "daring")

    kk_number = resident.resident.kk_number
    bodies = [
        ("put", "household", _household(kk_number) | sneaky, 200),
        ("put", "members", _members() | sneaky, 200),
        ("put", "conditions", CONDITIONS | sneaky, 200),
        ("put", "programmes", {"programmes": ["PKH"]} | sneaky, 200),
        ("post", "withdraw", sneaky, 400),  # no reason: refused, and the status stays
    ]
    for method, step, body, expected in bodies:
        response = getattr(client, method)(_url(number, step), body, format="json")
        assert response.status_code == expected, (step, response.content)
        assert client.get(_url(number)).json()["status"] == "draf"
    response = client.post(
        _url(number, "documents"), {"kind": "kk", "file": photo_upload(), "status": "ditetapkan"}, format="multipart"
    )
    assert response.status_code == 201

    # No endpoint takes PATCH, and the detail takes no writes at all.
    for step in ("", "household", "members", "conditions", "programmes"):
        assert client.patch(_url(number, step), sneaky, format="json").status_code == 405, step
    for method in ("put", "post", "delete"):
        assert getattr(client, method)(_url(number), sneaky, format="json").status_code == 405, method

    proposal = Proposal.objects.get(tracking_number=number)
    assert (proposal.status, proposal.channel, proposal.applicant, proposal.entered_by) == (
        "draf",
        "daring",
        resident,
        resident,
    )
    assert proposal.submitted_at is None and proposal.household_id is None
    assert not proposal.events.exists()
    assert not Proposal.objects.filter(applicant=other).exists()


def test_the_operator_cannot_turn_a_walk_in_into_someones_online_proposal(personas):
    resident = confirmed_resident()
    client = _client(personas.operator_a)
    response = client.post(LIST, {"kind": "baru", "channel": "daring", "applicant": resident.pk}, format="json")
    assert response.status_code == 201
    proposal = Proposal.objects.get(tracking_number=response.json()["tracking_number"])
    assert (proposal.channel, proposal.applicant) == ("luring", None)
