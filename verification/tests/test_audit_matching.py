"""Proposals carry the register audit's flags from matching on submission, shown to the
village operator and Dinas Sosial next to the match results (not to the proposer)."""

import datetime

import pytest
from django.urls import reverse

from registrations.models import Household, Member
from registrations.names import normalize_name
from registrations.services.proposals import proposal_submit
from testing.logins import login
from testing.proposals import complete_draft
from testing.residents import confirmed_resident
from verification.audit import flags as F
from verification.models import MemberMatch, PopulationRecord
from verification.workflow.services.matching import proposal_match

pytestmark = pytest.mark.django_db


def _population(member, **overrides) -> PopulationRecord:
    values = {
        "nik": member.nik,
        "kk_number": member.proposal.kk_number,
        "full_name": member.full_name,
        "name_key": normalize_name(member.full_name),
        "birth_date": member.birth_date,
        "sex": member.sex,
        "village_code": member.proposal.village_id,
    }
    values.update(overrides)
    return PopulationRecord.objects.create(**values)


@pytest.fixture
def proposal(personas):
    return complete_draft(confirmed_resident())


def _flags(proposal) -> dict[str, list[str]]:
    proposal_match(proposal_id=proposal.pk)
    return {
        m.member.relation: [f["flag"] for f in m.audit_flags]
        for m in MemberMatch.objects.filter(member__proposal=proposal).select_related("member")
    }


def test_each_member_gets_the_audit_flags(proposal):
    head, spouse, child = (proposal.members.get(relation=r) for r in ("kepala", "pasangan", "anak"))
    _population(head, full_name=f"H. {head.full_name.upper()}, S.Pd.")  # benign only
    _population(
        spouse, kk_number="3204120101100001", birth_date=spouse.birth_date - datetime.timedelta(days=2), sex="L"
    )
    _population(child, status="deceased", status_date=datetime.date(2025, 1, 2))
    flags = _flags(proposal)
    assert flags == {
        "kepala": [],
        "pasangan": [F.BIRTH_DATE_MISMATCH, F.SEX_MISMATCH, F.KK_MISMATCH],
        "anak": [F.DECEASED],
    }
    PopulationRecord.objects.filter(nik=child.nik).update(status="moved", moved_to_code="32.11.01.2001")
    assert _flags(proposal)["anak"] == [F.MOVED]
    PopulationRecord.objects.filter(nik=child.nik).delete()
    assert _flags(proposal)["anak"] == [F.NIK_NOT_FOUND]


def test_duplicates_against_the_register(proposal):
    head, spouse = proposal.members.get(relation="kepala"), proposal.members.get(relation="pasangan")
    for member in (head, spouse):
        _population(member)
    household = Household.objects.create(
        kk_number="3204122001260777", village_id=proposal.village_id, address="x", rt="1", rw="1"
    )
    common = {"household": household, "birth_place": "Bandung", "marital_status": "kawin"}
    Member.objects.create(
        nik=head.nik, full_name=head.full_name, birth_date=head.birth_date, sex=head.sex, relation="kepala", **common
    )
    Member.objects.create(
        nik="3204125201900009",
        full_name=spouse.full_name.upper(),
        birth_date=spouse.birth_date,
        sex=spouse.sex,
        relation="pasangan",
        **common,
    )
    proposal_match(proposal_id=proposal.pk)
    match = {m.member.relation: m for m in MemberMatch.objects.filter(member__proposal=proposal)}
    assert [f["flag"] for f in match["kepala"].audit_flags] == [F.DUPLICATE_NIK]
    assert "…0777" in match["kepala"].audit_flags[0]["detail"]
    assert [f["flag"] for f in match["pasangan"].audit_flags] == [F.DUPLICATE_PERSON]
    assert "3204125201900009" not in match["pasangan"].audit_flags[0]["detail"]  # masked


def test_an_invalid_nik_is_flagged(proposal):
    child = proposal.members.get(relation="anak")
    type(child).objects.filter(pk=child.pk).update(nik="3204129913850001")
    assert _flags(proposal)["anak"] == [F.INVALID_NIK]


def test_submission_flags_reach_the_operator_and_dinas_sosial(
    client, proposal, personas, django_capture_on_commit_callbacks
):
    spouse = proposal.members.get(relation="pasangan")
    _population(spouse, status="deceased")
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=proposal, actor=proposal.applicant)
    assert [f["flag"] for f in MemberMatch.objects.get(member=spouse).audit_flags] == [F.DECEASED]

    login(client, personas.operator_a)
    html = client.get(reverse("proposal-status", args=[proposal.tracking_number])).content.decode()
    assert 'data-audit-flag="deceased"' in html and 'data-audit-flag="nik_not_found"' in html
    login(client, personas.social_officer)
    html = client.get(reverse("verification-detail", args=[proposal.tracking_number])).content.decode()
    assert 'data-audit-flag="deceased"' in html
    login(client, personas.social_officer_other_regency)
    assert client.get(reverse("verification-detail", args=[proposal.tracking_number])).status_code == 404
    login(client, proposal.applicant)
    html = client.get(reverse("proposal-status", args=[proposal.tracking_number])).content.decode()
    assert "data-audit-flag" not in html
