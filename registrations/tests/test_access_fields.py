"""Residents cannot set the fields only staff own, through any form or API endpoint.

Staff own: a proposal's status, its link to a register household, its channel,
applicant and village; the register's desil and scores; member match results; a
resident's identity confirmation and every account's role and region. Every write a
resident can make (API and pages) is sent a valid body plus all of those fields; the
request may succeed, but none of them may change.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from eligibility.models import HouseholdScore
from registrations.models import Proposal, ProposalStatus, ResidentProfile, User
from testing.households import registered_household
from testing.logins import login
from testing.proposals import CONDITIONS, complete_draft, member_rows
from testing.regions import OTHER_PROVINCE_VILLAGE
from testing.residents import resident_profile
from testing.uploads import photo_upload
from verification.models import MemberMatch

STAFF_FIELDS = {
    "status": ProposalStatus.DETERMINED,
    "household": None,  # filled with a register household's id
    "household_id": None,
    "channel": "offline",
    "applicant": None,
    "entered_by": None,
    "submitted_at": "2026-01-01T00:00:00Z",
    "status_changed_at": "2026-01-01T00:00:00Z",
    "tracking_number": "ZZZZZZZZZZ",
    "desil": 1,
    "score": "0.01",
    "registered_at": "2026-01-01T00:00:00Z",
    "identity_status": "dikonfirmasi",
    "identity_reviewed_by": None,
    "role": "admin",
    "region": "34",
    "is_staff": True,
    "is_superuser": True,
    "outcome": "cocok",
    "match": {"outcome": "cocok", "record": 1},
}


def _json_safe(rows):
    return [{k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()} for row in rows]


@pytest.fixture
def setting(personas):
    resident = personas.resident
    profile = resident_profile(resident, resident.region_id)
    ResidentProfile.objects.filter(pk=profile.pk).update(identity_status="menunggu")
    draft = complete_draft(resident)
    household = registered_household(OTHER_PROVINCE_VILLAGE)
    extras = dict(STAFF_FIELDS)
    for key in ("household", "household_id", "applicant", "entered_by", "identity_reviewed_by"):
        extras[key] = household.pk if key.startswith("household") else personas.ministry.pk
    return resident, draft, household, extras


def _protected(resident: User, proposal: Proposal) -> dict:
    resident.refresh_from_db()
    proposal.refresh_from_db()
    profile = resident.resident
    profile.refresh_from_db()
    return {
        "proposal": (
            proposal.status,
            proposal.household_id,
            proposal.channel,
            proposal.applicant_id,
            proposal.entered_by_id,
            proposal.village_id,
            proposal.kk_number,
            proposal.submitted_at,
            proposal.tracking_number,
        ),
        "identity": (profile.identity_status, profile.identity_reviewed_by_id, profile.nik, profile.kk_number),
        "account": (resident.role, resident.region_id, resident.is_staff, resident.is_superuser),
        "matches": MemberMatch.objects.count(),
        "scores": HouseholdScore.objects.count(),
    }


def test_resident_api_writes_ignore_staff_fields(setting):
    resident, draft, household, extras = setting
    before = _protected(resident, draft)
    api = APIClient()
    api.force_authenticate(resident)
    number = draft.tracking_number
    base = f"/api/proposals/{number}/"
    answers = {
        "household": api.put(
            base + "household/",
            {
                "kk_number": draft.kk_number,
                "village": draft.village_id,
                "address": "Jl. Baru 1",
                "rt": "001",
                "rw": "002",
                **extras,
            },
            format="json",
        ).status_code,
        "members": api.put(
            base + "members/",
            {"members": [{**row, **extras} for row in _json_safe(member_rows())], **extras},
            format="json",
        ).status_code,
        "conditions": api.put(base + "conditions/", {**CONDITIONS, **extras}, format="json").status_code,
        "programmes": api.put(base + "programmes/", {"programmes": ["PKH"], **extras}, format="json").status_code,
        "documents": api.post(
            base + "documents/",
            {
                "kind": "rumah",
                "file": photo_upload("rumah.jpg", seed=3),
                **{k: v for k, v in extras.items() if not isinstance(v, dict)},
            },
            format="multipart",
        ).status_code,
        "me": api.patch("/api/residents/me/", extras, format="json").status_code,
        "photos": api.post(
            "/api/residents/me/photos/",
            {
                "kind": "ktp",
                "photo": photo_upload("ktp.jpg", seed=5),
                **{k: v for k, v in extras.items() if not isinstance(v, dict)},
            },
            format="multipart",
        ).status_code,
    }
    # The legitimate parts went through (so the extras were really offered to a working endpoint)...
    assert answers["household"] == answers["members"] == answers["conditions"] == answers["programmes"] == 200
    assert answers["documents"] in (200, 201) and answers["me"] == 405
    after = _protected(resident, draft)
    assert draft.address == "Jl. Baru 1" and draft.documents.filter(kind="rumah").exists()
    assert household.proposals.count() == 0
    assert after["proposal"] == before["proposal"]
    assert after["account"] == before["account"]
    assert after["matches"] == before["matches"] and after["scores"] == before["scores"]
    # ...a new ID photo sends the identity back to review, never to "confirmed".
    assert after["identity"][0] != "dikonfirmasi" and after["identity"][1:] == before["identity"][1:]

    created = api.post("/api/proposals/", {"kind": "baru", **extras}, format="json")
    assert created.status_code in (201, 409, 400)
    assert (
        not Proposal.objects.exclude(pk=draft.pk)
        .filter(applicant=resident, status__in=[s for s in ProposalStatus.values if s != ProposalStatus.DRAFT])
        .exists()
    )


def test_resident_pages_ignore_staff_fields(setting):
    resident, draft, household, extras = setting
    before = _protected(resident, draft)
    client = login(Client(), resident)
    flat = {k: v for k, v in extras.items() if not isinstance(v, dict)}
    step = lambda slug: reverse("proposal-step", args=[draft.tracking_number, slug])  # noqa: E731
    answers = [
        client.post(
            step("rumah-tangga"),
            {
                "kk_number": draft.kk_number,
                "village": draft.village_id,
                "address": "Jl. Baru 2",
                "rt": "001",
                "rw": "002",
                **flat,
            },
        ).status_code,
        client.post(
            step("kondisi"), {**{k: ("on" if v is True else v) for k, v in CONDITIONS.items()}, **flat}
        ).status_code,
        client.post(step("program"), {"programmes": ["PKH"], **flat}).status_code,
        client.post(reverse("resident-account"), {"kind": "ktp", "photo": photo_upload(seed=8), **flat}).status_code,
        client.post(reverse("proposal-start"), {"kind": "baru", **flat}).status_code,
    ]
    assert all(code in (200, 302) for code in answers), answers
    after = _protected(resident, draft)
    assert draft.address == "Jl. Baru 2"  # the valid part was saved
    assert after["proposal"] == before["proposal"]
    assert after["account"] == before["account"]
    assert after["matches"] == before["matches"] and after["scores"] == before["scores"]
    assert after["identity"][0] != "dikonfirmasi" and after["identity"][1:] == before["identity"][1:]
    assert household.proposals.count() == 0


def test_sign_up_ignores_staff_fields(regions):
    """A new account is an inactive resident of the chosen village, awaiting review,
    whatever else the request says."""
    from testing.numbers import kk_for, nik_for

    birth = datetime.date(1990, 3, 4)
    body = {
        "nik": nik_for(birth, "L"),
        "kk_number": kk_for(),
        "full_name": "Asep Saepudin",
        "birth_date": birth.isoformat(),
        "sex": "L",
        "village": "32.04.12.2002",
        "email": "asep@contoh.id",
        "phone": "081234567891",
        "password": "sandi-yang-kuat-2026!",
        "ktp_photo": photo_upload("ktp.jpg", seed=21),
        "selfie_photo": photo_upload("selfie.jpg", seed=22),
        **{k: v for k, v in STAFF_FIELDS.items() if v is not None and not isinstance(v, dict)},
        "is_active": True,
        "identity_reviewed_by": 1,
    }
    response = APIClient(REMOTE_ADDR="10.7.7.7").post("/api/residents/signup/", body, format="multipart")
    assert response.status_code == 201, response.content
    user = User.objects.get(email="asep@contoh.id")
    assert (user.role, user.region_id, user.is_staff, user.is_superuser, user.is_active) == (
        "warga",
        "32.04.12.2002",
        False,
        False,
        False,
    )
    assert user.resident.identity_status != "dikonfirmasi" and user.resident.identity_reviewed_by_id is None
