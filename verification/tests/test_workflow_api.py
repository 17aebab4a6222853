"""The workflow API: the whole path through the API only, who is refused at each step
(403 for the wrong role, 404 or "tidak ditemukan di wilayah Anda" out of scope),
residents and anonymous callers kept out, access logging, query counts, the schema."""

import datetime

import pytest
from django.urls import reverse

from registrations.models import DocumentAccess, Household, Proposal, ProposalStatus, Region, Role
from testing.api import api_client, url
from testing.personas import make_user
from testing.proposals import bulk_submitted
from testing.regions import OTHER_REGENCY, REGENCY
from testing.uploads import photo_upload
from testing.workflow import TODAY, held_musdes, submitted_proposal, through_province, through_regency, verified
from verification.models import Batch, Deliberation, DeliberationItem, DeliberationStatus, FieldVisit, Outcome
from verification.workflow.services import musdes

pytestmark = pytest.mark.django_db

NOT_IN_SCOPE = "tidak ditemukan di wilayah Anda"
DAY = min(TODAY, datetime.date.today()).isoformat()
PDF = b"%PDF-"


def status_of(proposal) -> str:
    return Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)


def open_musdes(client, **overrides):
    body = {
        "basis": "musdes",
        "held_on": DAY,
        "place": "Balai Desa Dayeuhkolot",
        "chair": "Asep Sunandar",
        "chair_position": "Kepala Desa",
    } | overrides
    return client.post(url("musdes-list"), body, format="json")


def visit_body(**overrides) -> dict:
    return {
        "visited_on": DAY,
        "result": "layak",
        "notes": "",
        "no_fixed_income": True,
        "poor_roof": True,
        "floor_area_m2": "20.5",
        "monthly_income": 900000,
    } | overrides


def batch_body(proposals, number) -> dict:
    return {"tracking_numbers": [p.tracking_number for p in proposals], "number": number, "document_date": DAY}


def determination_body(determine=(), not_determine=(), number="PEN-1") -> dict:
    return {
        "period": "2026-Q4",
        "number": number,
        "document_date": DAY,
        "determine": [p.tracking_number for p in determine],
        "not_determine": [p.tracking_number for p in not_determine],
        "reason": "Tidak memenuhi kriteria." if not_determine else "",
    }


# --- the whole path ----------------------------------------------------------------------------


def test_whole_path_from_submission_to_the_register_through_the_api(personas):
    proposal = submitted_proposal()
    number = proposal.tracking_number
    operator, officer = api_client(personas.operator_a), api_client(personas.social_officer)
    head, province, ministry = (
        api_client(personas.regency_head),
        api_client(personas.provincial),
        api_client(personas.ministry),
    )

    # Village operator: the musdes, from opening to the signed berita acara.
    response = open_musdes(operator)
    assert response.status_code == 201, response.json()
    d = response.json()
    assert d["village"] == personas.operator_a.region_id and d["status"] == DeliberationStatus.OPEN
    pk = d["id"]
    response = operator.post(
        url("musdes-attendees", pk), {"name": "Dedi", "position": "Ketua BPD", "signs": True}, format="json"
    )
    assert response.status_code == 201 and response.json()["signs"] is True
    assert operator.post(url("musdes-pull", pk)).json() == {"added": 1}
    detail = operator.get(url("musdes-detail", pk)).json()
    assert [(i["tracking_number"], i["outcome"]) for i in detail["items"]] == [(number, Outcome.PENDING)]
    assert [a["name"] for a in detail["attendees"]] == ["Dedi"]
    response = operator.post(
        url("musdes-outcomes", pk), {"outcomes": [{"tracking_number": number, "outcome": "setuju"}]}, format="json"
    )
    assert response.status_code == 200 and response.json()["items"][0]["outcome"] == Outcome.APPROVED
    response = operator.post(url("musdes-close", pk))
    assert response.status_code == 200
    assert response.json()["status"] == DeliberationStatus.CLOSED and response.json()["has_minutes"]
    response = operator.get(url("musdes-minutes", pk), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(PDF)
    assert DocumentAccess.objects.filter(
        user=personas.operator_a, document_type="berita_acara", document_id=pk
    ).exists()
    assert status_of(proposal) == ProposalStatus.SUBMITTED  # nothing moves before the signed scan
    response = operator.post(url("musdes-sign", pk), {"scan": photo_upload("ttd.jpg", seed=31)}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == DeliberationStatus.SIGNED
    assert status_of(proposal) == ProposalStatus.MUSDES_APPROVED

    # Social office: the queue, assignment, the field visit with photos and GPS.
    queue = officer.get(url("proposal-list"), {"status": ProposalStatus.MUSDES_APPROVED}).json()
    assert [row["tracking_number"] for row in queue["results"]] == [number]
    response = officer.post(url("assign", number), {"verifier": "dinsos_bandung"}, format="json")
    assert response.status_code == 200 and response.json()["verifier"] == "dinsos_bandung"
    body = visit_body(latitude="-6.987654", longitude="107.623456", owns_car="false")
    body["photos"] = [photo_upload("rumah1.jpg", seed=60), photo_upload("rumah2.jpg", seed=61)]
    response = officer.post(url("field-visit", number), body, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == ProposalStatus.VERIFIED and response.json()["photo_count"] == 2
    visit = FieldVisit.objects.get(proposal=proposal)
    assert visit.poor_roof and not visit.owns_car and str(visit.latitude) == "-6.987654"

    # Regency head, province, ministry: one batch each.
    response = head.post(url("regency-approval"), batch_body([proposal], "SK-7/2026"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "sk_bupati" and response.json()["proposal_count"] == 1
    response = province.post(url("province-forwarding"), batch_body([proposal], "PROV-3"), format="json")
    assert response.status_code == 201, response.json()
    response = ministry.post(url("determination"), determination_body(determine=[proposal]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["region"] is None and response.json()["period"] == "2026-Q4"

    # The household is in the register, as the social office saw it.
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DETERMINED
    household = Household.objects.get(kk_number=proposal.kk_number)
    assert household.registered_at is not None and household.members.count() == 3
    assert household.poor_roof and household.no_fixed_income
    detail = ministry.get(url("proposal-detail", number)).json()
    assert [e["to_status"] for e in detail["events"]] == [
        "diajukan",
        "disetujui_musdes",
        "terverifikasi",
        "disetujui_bupati",
        "diteruskan",
        "ditetapkan",
    ]
    assert detail["household"] == household.pk and detail["verifier"] == "dinsos_bandung"

    # Each hand sees the batches its scope reaches: the ministry's round only nationally.
    counts = {
        persona: api_client(getattr(personas, persona)).get(url("batch-list")).json()["count"]
        for persona in ("ministry", "provincial", "regency_head", "social_officer", "operator_a", "provincial_other")
    }
    assert counts == {
        "ministry": 3,
        "provincial": 2,
        "regency_head": 1,
        "social_officer": 1,
        "operator_a": 0,
        "provincial_other": 0,
    }
    batches = ministry.get(url("batch-list"), {"kind": "penetapan"}).json()["results"]
    assert [(b["number"], b["proposal_count"]) for b in batches] == [("PEN-1", 1)]


def test_not_determined_proposals_do_not_enter_the_register(personas):
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    verified(personas.social_officer, proposal)
    through_regency(personas.regency_head, [proposal.pk])
    through_province(personas.provincial, [proposal.pk])
    ministry = api_client(personas.ministry)
    response = ministry.post(url("determination"), determination_body(not_determine=[proposal]), format="json")
    assert response.status_code == 201, response.json()
    assert status_of(proposal) == ProposalStatus.NOT_DETERMINED
    assert not Household.objects.filter(kk_number=proposal.kk_number).exists()
    assert proposal.events.last().reason == "Tidak memenuhi kriteria."
    response = ministry.post(url("determination"), determination_body(number="PEN-2"), format="json")
    assert response.status_code == 400  # a round must decide something


# --- returning for correction -----------------------------------------------------------------


def test_return_for_correction_by_the_operator_and_by_the_social_office(personas):
    waiting, approved = submitted_proposal("r1"), submitted_proposal("r2")
    held_musdes(personas.operator_a, [approved])  # pulls both: approve both
    other = submitted_proposal("r3")
    operator, officer = api_client(personas.operator_a), api_client(personas.social_officer)

    assert operator.post(url("proposal-return", other.tracking_number), {}, format="json").status_code == 400
    response = operator.post(url("proposal-return", other.tracking_number), {"reason": "KK buram"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ProposalStatus.RETURNED
    assert response.json()["event"]["reason"] == "KK buram"

    response = officer.post(url("proposal-return", approved.tracking_number), {"reason": "Alamat"}, format="json")
    assert response.status_code == 200 and status_of(approved) == ProposalStatus.RETURNED
    # Already returned: the proposal has moved on.
    response = officer.post(url("proposal-return", approved.tracking_number), {"reason": "Lagi"}, format="json")
    assert response.status_code == 409
    assert status_of(waiting) == ProposalStatus.MUSDES_APPROVED


# --- refusals: wrong role (403), out of scope (404 / 400) ------------------------------------


def test_proposal_steps_refused_for_the_wrong_role_and_out_of_scope(personas):
    approved = submitted_proposal("s1")
    held_musdes(personas.operator_a, [approved])
    submitted = submitted_proposal("s2")  # after the musdes: still waiting for one
    steps = {
        "proposal-return": (submitted, {"reason": "Periksa"}),
        "field-visit": (approved, visit_body()),
        "assign": (approved, {"verifier": "dinsos_bandung"}),
    }
    expected = {
        "proposal-return": {
            "regency_head": 403,
            "provincial": 403,
            "ministry": 403,
            "admin": 403,
            "operator_b": 404,
            "social_officer_other_regency": 404,
            "provincial_other": 404,
        },
        "field-visit": {
            "operator_a": 403,
            "regency_head": 403,
            "provincial": 403,
            "ministry": 403,
            "operator_b": 404,
            "social_officer_other_regency": 404,
        },
        "assign": {
            "operator_a": 403,
            "regency_head": 403,
            "ministry": 403,
            "operator_b": 404,
            "social_officer_other_regency": 404,
        },
    }
    for step, answers in expected.items():
        proposal, body = steps[step]
        before = status_of(proposal)
        for persona, code in answers.items():
            client = api_client(getattr(personas, persona))
            response = client.post(url(step, proposal.tracking_number), body, format="json")
            assert response.status_code == code, (step, persona, response.json())
            assert status_of(proposal) == before
    assert not FieldVisit.objects.exists()
    assert not hasattr(Proposal.objects.get(pk=approved.pk), "assignment")
    # Out of scope and missing look alike.
    client = api_client(personas.operator_b)
    for number in (submitted.tracking_number, "USZZZZZZZZ"):
        assert client.get(url("proposal-detail", number)).status_code == 404


def test_musdes_steps_refused_for_the_wrong_role_and_out_of_scope(personas):
    submitted_proposal()
    village = Region.objects.get(code=personas.operator_a.region_id)
    for persona in ("social_officer", "regency_head", "provincial", "ministry", "admin"):
        response = open_musdes(api_client(getattr(personas, persona)))
        assert response.status_code == 403, (persona, response.json())
    d = musdes.deliberation_open(
        actor=personas.operator_a,
        village=village,
        basis="musdes",
        held_on=TODAY,
        place="Balai",
        chair="Asep",
        chair_position="Kepala Desa",
    )
    musdes.deliberation_add_attendee(
        deliberation_id=d.pk, actor=personas.operator_a, name="D", position="BPD", signs=True
    )
    musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=personas.operator_a)
    number = d.items.get().proposal.tracking_number
    posts = {
        "musdes-attendees": lambda: {"name": "X", "position": "RT"},
        "musdes-pull": dict,
        "musdes-outcomes": lambda: {"outcomes": [{"tracking_number": number, "outcome": "setuju"}]},
        "musdes-close": dict,
        "musdes-sign": lambda: {"scan": photo_upload("ttd.jpg", seed=70, width=320, height=240)},
    }
    for step, body in posts.items():
        for persona, code in {"social_officer": 403, "regency_head": 403, "ministry": 403, "operator_b": 404}.items():
            fmt = "multipart" if step == "musdes-sign" else "json"
            response = api_client(getattr(personas, persona)).post(url(step, d.pk), body(), format=fmt)
            assert response.status_code == code, (step, persona, response.json())
    d.refresh_from_db()
    assert d.status == DeliberationStatus.OPEN and d.attendees.count() == 1
    assert d.items.get().outcome == Outcome.PENDING
    # Reading: any staff in scope; others 404.
    for persona, code in {"social_officer": 200, "ministry": 200, "operator_b": 404, "provincial_other": 404}.items():
        assert api_client(getattr(personas, persona)).get(url("musdes-detail", d.pk)).status_code == code
    listed = api_client(personas.operator_b).get(url("musdes-list")).json()
    assert listed["count"] == 0
    assert api_client(personas.social_officer).get(url("musdes-list")).json()["count"] == 1
    # The berita acara exists only after closing; other villages never reach it.
    assert api_client(personas.operator_a).get(url("musdes-minutes", d.pk)).status_code == 404
    musdes.deliberation_record_outcome(item_id=d.items.get().pk, actor=personas.operator_a, outcome=Outcome.APPROVED)
    musdes.deliberation_close(deliberation_id=d.pk, actor=personas.operator_a)
    assert api_client(personas.operator_b).get(url("musdes-minutes", d.pk)).status_code == 404
    assert not DocumentAccess.objects.filter(document_type="berita_acara").exists()
    response = api_client(personas.regency_head).get(url("musdes-minutes", d.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(PDF)
    assert DocumentAccess.objects.filter(user=personas.regency_head, document_type="berita_acara").count() == 1


def test_batch_steps_refused_for_the_wrong_role_and_out_of_scope(personas):
    v, r, f = submitted_proposal("b1"), submitted_proposal("b2"), submitted_proposal("b3")
    held_musdes(personas.operator_a, [v, r, f])
    for p in (v, r, f):
        verified(personas.social_officer, p)
    through_regency(personas.regency_head, [r.pk, f.pk])
    through_province(personas.provincial, [f.pk])
    other_head = make_user("bupati_sumedang", Role.REGENCY_HEAD, OTHER_REGENCY)
    cases = [
        ("regency-approval", batch_body([v], "SK-X"), "social_officer", 403),
        ("regency-approval", batch_body([v], "SK-X"), "provincial", 403),
        ("regency-approval", batch_body([v], "SK-X"), "ministry", 403),
        ("regency-approval", batch_body([v], "SK-X"), "operator_a", 403),
        ("regency-approval", batch_body([v], "SK-X"), other_head, 400),
        ("province-forwarding", batch_body([r], "PROV-X"), "regency_head", 403),
        ("province-forwarding", batch_body([r], "PROV-X"), "ministry", 403),
        ("province-forwarding", batch_body([r], "PROV-X"), "provincial_other", 400),
        ("determination", determination_body(determine=[f]), "provincial", 403),
        ("determination", determination_body(determine=[f]), "regency_head", 403),
        ("determination", determination_body(determine=[f]), "admin", 403),
        ("determination", determination_body(determine=[f]), "provincial_other", 400),
        ("determination", determination_body(determine=[f]), "social_officer_other_regency", 400),
    ]
    batches = Batch.objects.count()
    for step, body, persona, code in cases:
        user = getattr(personas, persona) if isinstance(persona, str) else persona
        response = api_client(user).post(url(step), body, format="json")
        assert response.status_code == code, (step, persona, response.json())
        if code == 400:
            assert NOT_IN_SCOPE in response.json()["detail"]
            assert body.get("tracking_numbers", body.get("determine"))[0] in response.json()["detail"]
    assert Batch.objects.count() == batches
    assert [status_of(p) for p in (v, r, f)] == [
        ProposalStatus.VERIFIED,
        ProposalStatus.REGENCY_APPROVED,
        ProposalStatus.FORWARDED,
    ]


def test_batch_numbers_are_resolved_in_scope_only_and_named(personas):
    mine = submitted_proposal("n1")
    held_musdes(personas.operator_a, [mine])
    verified(personas.social_officer, mine)
    elsewhere = submitted_proposal("n2", village="32.11.01.2001")  # Sumedang: exists, out of scope
    head = api_client(personas.regency_head)
    body = batch_body([mine, elsewhere], "SK-9")
    body["tracking_numbers"].append("USNOTHERE2")
    response = head.post(url("regency-approval"), body, format="json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert NOT_IN_SCOPE in detail and elsewhere.tracking_number in detail and "USNOTHERE2" in detail
    assert mine.tracking_number not in detail and response.json()["field"] == "tracking_numbers"
    # The same words for a number that exists elsewhere and one that exists nowhere.
    one = head.post(url("regency-approval"), batch_body([elsewhere], "SK-9"), format="json").json()["detail"]
    none = head.post(
        url("regency-approval"), batch_body([], "SK-9") | {"tracking_numbers": ["USNOTHERE2"]}, format="json"
    ).json()["detail"]
    assert one.replace(elsewhere.tracking_number, "N") == none.replace("USNOTHERE2", "N")
    # Lower case and duplicates are accepted; a stale status is a conflict naming it.
    body = batch_body([mine], "SK-9") | {"tracking_numbers": [mine.tracking_number.lower(), mine.tracking_number]}
    assert head.post(url("regency-approval"), body, format="json").status_code == 201
    response = head.post(url("regency-approval"), batch_body([mine], "SK-10"), format="json")
    assert response.status_code == 409 and mine.tracking_number in response.json()["detail"]
    assert head.post(url("regency-approval"), batch_body([mine], "SK-9"), format="json").status_code == 409
    future = (TODAY + datetime.timedelta(days=3650)).isoformat()
    body = batch_body([mine], "SK-11") | {"document_date": future}
    assert head.post(url("regency-approval"), body, format="json").status_code == 400
    assert head.post(url("regency-approval"), batch_body([], "SK-12"), format="json").status_code == 400


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
