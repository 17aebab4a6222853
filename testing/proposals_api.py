"""The proposal API (``/api/proposals/``) for tests: its URLs, the bodies an app sends
(household, members), a draft filled step by step over the API, every endpoint of one
proposal with a valid body (so that a refusal comes from who asks), and the check that
a proposal was left as it was."""

import datetime

from registrations.models import Proposal
from testing.proposals import CONDITIONS, member_rows
from testing.regions import VILLAGE_A
from testing.uploads import photo_upload

LIST = "/api/proposals/"


def _iso(row: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()}


def members_body(district: str = "32.04.12") -> dict:
    return {"members": [_iso(r) for r in member_rows(district)]}


def household_body(kk_number: str, village: str = VILLAGE_A, **extra) -> dict:
    return {"kk_number": kk_number, "village": village, "address": "Jl. Sukapura No. 7", "rt": "3", "rw": "7"} | extra


def proposal_url(number: str, step: str = "") -> str:
    return f"/api/proposals/{number}/" + (f"{step}/" if step else "")


def fill_draft(client, number: str, kk_number: str, village: str = VILLAGE_A) -> None:
    """Every step of a draft, over the API, as an app would send it."""
    response = client.put(proposal_url(number, "household"), household_body(kk_number, village), format="json")
    assert response.status_code == 200, response.json()
    response = client.put(proposal_url(number, "members"), members_body(), format="json")
    assert response.status_code == 200, response.json()
    response = client.put(proposal_url(number, "conditions"), CONDITIONS, format="json")
    assert response.status_code == 200, response.json()
    response = client.put(proposal_url(number, "programmes"), {"programmes": ["PKH", "PBI_JK"]}, format="json")
    assert response.status_code == 200, response.json()
    response = client.post(
        proposal_url(number, "documents"), {"kind": "kk", "file": photo_upload("kk.jpg", seed=31)}, format="multipart"
    )
    assert response.status_code == 201, response.json()


def every_endpoint(number: str, kk_number: str) -> list[tuple[str, str, object, str | None]]:
    """(method, url, body factory, format) for every endpoint of one proposal; valid
    bodies, so a refusal comes from who is asking, not from the input."""
    return [
        ("get", proposal_url(number), lambda: None, None),
        ("put", proposal_url(number, "household"), lambda: household_body(kk_number), "json"),
        ("put", proposal_url(number, "members"), members_body, "json"),
        ("put", proposal_url(number, "conditions"), lambda: CONDITIONS, "json"),
        ("put", proposal_url(number, "programmes"), lambda: {"programmes": ["PKH"]}, "json"),
        (
            "post",
            proposal_url(number, "documents"),
            lambda: {"kind": "rumah", "file": photo_upload(seed=77)},
            "multipart",
        ),
        ("post", proposal_url(number, "submit"), lambda: None, None),
        ("post", proposal_url(number, "withdraw"), lambda: {"reason": "Coba-coba"}, "json"),
        ("get", proposal_url(number, "timeline"), lambda: None, None),
    ]


def call(client, method: str, url: str, body, fmt):
    data = body()
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, format=fmt)


def assert_unchanged(proposal: Proposal) -> None:
    fresh = Proposal.objects.get(pk=proposal.pk)
    assert (fresh.status, fresh.members.count(), fresh.documents.count()) == (
        proposal.status,
        proposal.members.count(),
        proposal.documents.count(),
    )
    assert fresh.updated_at == proposal.updated_at
