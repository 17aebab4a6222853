"""The workflow API along its path: the whole way from submission to the register through
the API only, the determination that keeps a household out, returning for correction,
and who is refused at each step (403 for the wrong role, 404 or "tidak ditemukan di
wilayah Anda" out of scope). The request bodies are in ``testing/workflow_api.py``."""

import datetime

import pytest

from registrations.models import DocumentAccess, Household, Proposal, ProposalStatus, Region, Role
from testing.api import api_client, url
from testing.personas import make_user
from testing.regions import OTHER_REGENCY
from testing.uploads import photo_upload
from testing.workflow import TODAY, held_musdes, submitted_proposal, through_province, through_regency, verified
from testing.workflow_api import batch_body, determination_body, open_musdes, status_of, visit_body
from verification.models import Batch, DeliberationStatus, FieldVisit, Outcome
from verification.workflow.services import musdes

pytestmark = pytest.mark.django_db

NOT_IN_SCOPE = "tidak ditemukan di wilayah Anda"
PDF = b"%PDF-"


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
