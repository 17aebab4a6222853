"""The proposal API, end to end over HTTP with token auth: a resident's draft from start
to submit, status, timeline and withdrawal; refusals; who reaches whose proposal;
the operator's walk-in entry; staff-owned fields; the OpenAPI schema."""

import datetime

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations.models import Proposal, ProposalEvent, ResidentProfile
from testing.numbers import kk_for
from testing.proposals import CONDITIONS, complete_draft, member_rows
from testing.regions import VILLAGE_A, VILLAGE_B
from testing.residents import confirmed_resident
from testing.uploads import pdf_upload, photo_upload

pytestmark = pytest.mark.django_db

LIST = "/api/proposals/"
PROPOSER_ONLY = "Hanya warga dan operator desa/kelurahan yang dapat mengelola usulan."
NOT_YOURS = "Anda tidak dapat mengubah usulan ini."
SENT = "Usulan yang sudah dikirim tidak dapat diubah lagi."


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


def _client(user=None) -> APIClient:
    """A client as an app would be: token auth, no session."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _iso(row: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()}


def _members(district: str = "32.04.12") -> dict:
    return {"members": [_iso(r) for r in member_rows(district)]}


def _household(kk_number: str, village: str = VILLAGE_A, **extra) -> dict:
    return {"kk_number": kk_number, "village": village, "address": "Jl. Sukapura No. 7", "rt": "3", "rw": "7"} | extra


def _url(number: str, step: str = "") -> str:
    return f"/api/proposals/{number}/" + (f"{step}/" if step else "")


def _fill(client, number: str, kk_number: str, village: str = VILLAGE_A) -> None:
    """Every step of a draft, over the API, as an app would send it."""
    response = client.put(_url(number, "household"), _household(kk_number, village), format="json")
    assert response.status_code == 200, response.json()
    response = client.put(_url(number, "members"), _members(), format="json")
    assert response.status_code == 200, response.json()
    response = client.put(_url(number, "conditions"), CONDITIONS, format="json")
    assert response.status_code == 200, response.json()
    response = client.put(_url(number, "programmes"), {"programmes": ["PKH", "PBI_JK"]}, format="json")
    assert response.status_code == 200, response.json()
    response = client.post(
        _url(number, "documents"), {"kind": "kk", "file": photo_upload("kk.jpg", seed=31)}, format="multipart"
    )
    assert response.status_code == 201, response.json()


def _every_endpoint(number: str, kk_number: str) -> list[tuple[str, str, object, str | None]]:
    """(method, url, body factory, format) for every endpoint of one proposal; valid
    bodies, so a refusal comes from who is asking, not from the input."""
    return [
        ("get", _url(number), lambda: None, None),
        ("put", _url(number, "household"), lambda: _household(kk_number), "json"),
        ("put", _url(number, "members"), _members, "json"),
        ("put", _url(number, "conditions"), lambda: CONDITIONS, "json"),
        ("put", _url(number, "programmes"), lambda: {"programmes": ["PKH"]}, "json"),
        ("post", _url(number, "documents"), lambda: {"kind": "rumah", "file": photo_upload(seed=77)}, "multipart"),
        ("post", _url(number, "submit"), lambda: None, None),
        ("post", _url(number, "withdraw"), lambda: {"reason": "Coba-coba"}, "json"),
        ("get", _url(number, "timeline"), lambda: None, None),
    ]


def _call(client, method: str, url: str, body, fmt):
    data = body()
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, format=fmt)


def _unchanged(proposal: Proposal) -> None:
    fresh = Proposal.objects.get(pk=proposal.pk)
    assert (fresh.status, fresh.members.count(), fresh.documents.count()) == (
        proposal.status,
        proposal.members.count(),
        proposal.documents.count(),
    )
    assert fresh.updated_at == proposal.updated_at


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
