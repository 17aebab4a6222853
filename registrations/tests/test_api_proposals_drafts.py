"""The proposal API with token auth, a resident's draft over HTTP: from start to submit,
status, timeline and withdrawal (session auth needs CSRF); what is refused, with the
message or field it names (incomplete drafts, edits after submit, bad members, a second
open proposal of a KK, input errors).

The helpers are shared (``testing/api.py``, ``testing/proposals_api.py``) and imported
under the short names the tests use."""

import pytest
from rest_framework.test import APIClient

from registrations.models import Proposal, ProposalEvent, ResidentProfile
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
from testing.regions import VILLAGE_A
from testing.residents import confirmed_resident
from testing.uploads import pdf_upload, photo_upload

pytestmark = pytest.mark.django_db

SENT = "Usulan yang sudah dikirim tidak dapat diubah lagi."


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


# --- the resident's proposal, start to finish -----------------------------------------------


def test_resident_drafts_submits_follows_and_withdraws(personas, mailoutbox, django_capture_on_commit_callbacks):
    resident = confirmed_resident()
    client = _client(resident)

    response = client.post(LIST, {"kind": "baru"}, format="json")
    assert response.status_code == 201
    draft = response.json()
    number = draft["tracking_number"]
    assert number.startswith("US") and len(number) == 10
    assert (draft["status"], draft["channel"], draft["kind"], draft["village"]) == ("draf", "daring", "baru", VILLAGE_A)
    assert draft["kk_number"] == resident.resident.kk_number  # the draft starts from the resident's own KK
    assert "Anggota keluarga belum diisi." in draft["problems"]

    response = client.put(_url(number, "household"), _household(draft["kk_number"]), format="json")
    assert response.status_code == 200
    saved = response.json()
    assert (saved["rt"], saved["rw"], saved["address"]) == ("003", "007", "Jl. Sukapura No. 7")

    response = client.put(_url(number, "members"), _members(), format="json")
    assert response.status_code == 200
    members = response.json()["members"]
    assert [m["relation"] for m in members] == ["kepala", "pasangan", "anak"]
    assert members[0]["birth_date"] == "1980-02-03"

    response = client.put(_url(number, "conditions"), CONDITIONS, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["no_fixed_income"], body["poor_floor"], body["owns_motorcycle"], body["poor_roof"]) == (
        True,
        True,
        True,
        False,
    )
    assert body["monthly_income"] == 1_200_000

    response = client.put(_url(number, "programmes"), {"programmes": ["PKH", "PBI_JK"]}, format="json")
    assert response.status_code == 200
    assert response.json()["programmes"] == ["PBI_JK", "PKH"]
    assert response.json()["problems"] == ["Unggah foto Kartu Keluarga."]

    response = client.post(
        _url(number, "documents"), {"kind": "kk", "file": photo_upload("kk.jpg", seed=31)}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "kk" and response.json()["width"] > 0
    assert "image" not in response.json()  # private files have no URL in the API

    detail = client.get(_url(number))
    assert detail.status_code == 200
    assert detail.json()["problems"] == []
    assert [d["kind"] for d in detail.json()["documents"]] == ["kk"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(number, "submit"))
    assert response.status_code == 200
    assert response.json()["status"] == "diajukan" and response.json()["submitted_at"]
    assert response.json()["problems"] == []

    timeline = client.get(_url(number, "timeline"))
    assert timeline.status_code == 200
    assert [(e["from_status"], e["to_status"], e["actor_role"]) for e in timeline.json()] == [
        ("draf", "diajukan", "warga")
    ]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [resident.email] and number in mailoutbox[0].subject
    assert resident.resident.nik not in mailoutbox[0].body

    listing = client.get(LIST)
    assert listing.status_code == 200
    assert [p["tracking_number"] for p in listing.json()] == [number]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(number, "withdraw"), {"reason": "Sudah mendapat pekerjaan tetap"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "ditarik"
    events = client.get(_url(number, "timeline")).json()
    assert [(e["from_status"], e["to_status"], e["reason"]) for e in events] == [
        ("draf", "diajukan", ""),
        ("diajukan", "ditarik", "Sudah mendapat pekerjaan tetap"),
    ]
    assert len(mailoutbox) == 2
    # A withdrawn proposal no longer blocks the KK: a new draft may start.
    assert client.post(LIST, {"kind": "baru"}, format="json").status_code == 201


def test_session_auth_works_too_and_needs_csrf(personas):
    resident = confirmed_resident()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.get(LIST).status_code == 200
    response = client.post(LIST, {"kind": "baru"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not Proposal.objects.exists()


# --- refusals ---------------------------------------------------------------------------------


def test_submitting_an_incomplete_draft_names_the_first_problem(personas):
    client = _client(confirmed_resident())
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    problems = client.get(_url(number)).json()["problems"]
    assert problems[0] == "Alamat, RT, dan RW belum lengkap."
    response = client.post(_url(number, "submit"))
    assert response.status_code == 400
    assert response.json() == {"detail": problems[0]}
    assert Proposal.objects.get(tracking_number=number).status == "draf"
    assert not ProposalEvent.objects.exists()


def test_a_resident_not_yet_confirmed_cannot_submit(personas, mailoutbox, django_capture_on_commit_callbacks):
    resident = confirmed_resident()
    ResidentProfile.objects.filter(user=resident).update(identity_status="menunggu")
    client = _client(resident)
    draft = client.post(LIST, {"kind": "baru"}, format="json").json()
    _fill(client, draft["tracking_number"], draft["kk_number"])
    assert client.get(_url(draft["tracking_number"])).json()["problems"] == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(draft["tracking_number"], "submit"))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Usulan dapat dikirim setelah identitas Anda dikonfirmasi operator desa/kelurahan."
    )
    assert Proposal.objects.get(tracking_number=draft["tracking_number"]).status == "draf"
    assert mailoutbox == []


def test_nothing_can_be_edited_after_submit(personas, django_capture_on_commit_callbacks):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    client = _client(resident)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url(proposal.tracking_number, "submit")).status_code == 200
    proposal.refresh_from_db()
    for method, url, body, fmt in _every_endpoint(proposal.tracking_number, proposal.kk_number)[1:6]:
        response = _call(client, method, url, body, fmt)
        assert response.status_code == 409, (url, response.json())
        assert response.json()["detail"] == SENT
    response = client.post(_url(proposal.tracking_number, "submit"))
    assert response.status_code == 409
    assert "sudah berstatus" in response.json()["detail"]
    _unchanged(proposal)
    assert proposal.events.count() == 1


def test_programmes_also_come_as_a_form_body(personas):
    client = _client(confirmed_resident())
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    body = {"programmes": ["BPNT", "PKH"], "statement": "Suami sakit"}
    response = client.put(_url(number, "programmes"), body, format="multipart")
    assert response.status_code == 200, response.content
    assert (response.json()["programmes"], response.json()["applicant_statement"]) == (["BPNT", "PKH"], "Suami sakit")


def test_a_member_list_with_two_heads_is_refused(personas):
    resident = confirmed_resident()
    client = _client(resident)
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    members = _members()
    members["members"][1]["relation"] = "kepala"
    response = client.put(_url(number, "members"), members, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Harus ada tepat satu kepala keluarga (sekarang 2)."
    assert client.get(_url(number)).json()["members"] == []


def test_a_bad_nik_in_a_member_row_names_the_row(personas):
    client = _client(confirmed_resident())
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    members = _members()
    members["members"][1]["birth_date"] = "1985-07-09"  # the NIK says 1984
    members["members"][2]["nik"] = "1234"
    response = client.put(_url(number, "members"), members, format="json")
    assert response.status_code == 400
    errors = response.json()["members"]
    assert set(errors) == {"1", "2"}
    assert "Tanggal lahir pada NIK" in " ".join(errors["1"]["nik"])
    assert errors["2"]["nik"]
    assert client.get(_url(number)).json()["members"] == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"members": []}, {"members": ["Isi minimal satu anggota keluarga."]}),
        ({}, {"members": ["Isi minimal satu anggota keluarga."]}),
        ({"members": "Budi"}, {"members": ["Isi minimal satu anggota keluarga."]}),
    ],
    ids=["empty", "missing", "not-a-list"],
)
def test_members_must_be_a_list_of_rows(personas, body, expected):
    client = _client(confirmed_resident())
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    response = client.put(_url(number, "members"), body, format="json")
    assert response.status_code == 400 and response.json() == expected


def test_a_pregnant_man_and_a_duplicate_nik_are_refused(personas):
    client = _client(confirmed_resident())
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    members = _members()
    members["members"][0]["pregnant"] = True
    response = client.put(_url(number, "members"), members, format="json")
    assert response.status_code == 400 and "pregnant" in response.json()["members"]["0"]
    members = _members()
    members["members"][2] |= {"nik": members["members"][0]["nik"], "birth_date": "1980-02-03"}
    response = client.put(_url(number, "members"), members, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Ada NIK yang tercantum lebih dari sekali."


def test_one_open_proposal_per_kk(personas):
    resident = confirmed_resident()
    client = _client(resident)
    first = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    response = client.post(LIST, {"kind": "baru"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Sudah ada usulan yang masih berjalan untuk nomor KK ini ({first}).",
        "field": "kk_number",
    }
    assert Proposal.objects.count() == 1
    # The operator's walk-in cannot take that KK either.
    operator = _client(personas.operator_a)
    walk_in = operator.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    response = operator.put(_url(walk_in, "household"), _household(resident.resident.kk_number), format="json")
    assert response.status_code == 409 and response.json()["field"] == "kk_number"


def test_input_errors_are_field_messages(personas):
    client = _client(confirmed_resident())
    response = client.post(LIST, {"kind": "perubahan"}, format="json")
    assert response.status_code == 400 and response.json() == {"update_reason": ["Pilih alasan perubahan data."]}
    response = client.post(LIST, {"kind": "sembarang"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    number = client.post(LIST, {"kind": "baru"}, format="json").json()["tracking_number"]
    response = client.put(_url(number, "household"), _household("123", rt="3a", village="32.04.12"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"kk_number", "rt", "village"}
    assert response.json()["rt"] == ["RT berupa angka, mis. 003."]
    response = client.put(_url(number, "conditions"), {"poor_floor": True}, format="json")
    assert response.status_code == 400 and {"floor_area_m2", "monthly_income"} <= set(response.json())
    response = client.put(_url(number, "programmes"), {"programmes": ["PKH", "MOBIL"]}, format="json")
    assert response.status_code == 400 and "programmes" in response.json()
    response = client.post(_url(number, "documents"), {"kind": "kk", "file": pdf_upload("kk.jpg")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["field"] == "file" and "bukan foto" in response.json()["detail"]
    response = client.post(_url(number, "documents"), {"kind": "ijazah", "file": photo_upload()}, format="multipart")
    assert response.status_code == 400 and "kind" in response.json()
    response = client.post(_url(number, "documents"), {"kind": "kk", "file": photo_upload()}, format="multipart")
    assert response.status_code == 201
    response = client.post(_url(number, "documents"), {"kind": "rumah", "file": photo_upload()}, format="multipart")
    assert response.status_code == 409 and response.json()["detail"] == "Dokumen yang sama sudah diunggah."
    response = client.post(_url(number, "withdraw"), {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    proposal = Proposal.objects.get(tracking_number=number)
    assert (proposal.status, proposal.address, proposal.programmes, proposal.documents.count()) == ("draf", "", [], 1)


def test_anonymous_is_refused_everywhere(personas):
    proposal = complete_draft(confirmed_resident())
    anonymous = _client()
    assert anonymous.get(LIST).status_code == 403  # session auth is listed first: 403, not 401
    assert anonymous.post(LIST, {"kind": "baru"}, format="json").status_code == 403
    for method, url, body, fmt in _every_endpoint(proposal.tracking_number, proposal.kk_number):
        response = _call(anonymous, method, url, body, fmt)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "Data autentikasi tidak diberikan."}
    _unchanged(proposal)


def test_unknown_numbers_are_404(personas):
    client = _client(confirmed_resident())
    for method, url, body, fmt in _every_endpoint("US23456789", kk_for()):
        assert _call(client, method, url, body, fmt).status_code == 404, url
