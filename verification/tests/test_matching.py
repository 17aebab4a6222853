"""Each outcome of matching a proposed member against the population records."""

import datetime

import pytest

from registrations.models import Household, Member
from registrations.services.proposals import proposal_submit
from testing.proposals import complete_draft
from testing.residents import confirmed_resident
from verification.models import MatchOutcome, MemberMatch, PopulationRecord
from verification.workflow.services.matching import name_similarity, proposal_match

pytestmark = pytest.mark.django_db


def _population(member, **overrides) -> PopulationRecord:
    values = {
        "nik": member.nik,
        "kk_number": member.proposal.kk_number,
        "full_name": member.full_name,
        "name_key": "",
        "birth_date": member.birth_date,
        "sex": member.sex,
        "village_code": member.proposal.village_id,
    }
    values.update(overrides)
    return PopulationRecord.objects.create(**values)


@pytest.fixture
def proposal(personas):
    return complete_draft(confirmed_resident())


def _outcomes(proposal):
    proposal_match(proposal_id=proposal.pk)
    return {
        m.member.relation: m for m in MemberMatch.objects.filter(member__proposal=proposal).select_related("member")
    }


def test_matched_mismatch_not_found_deceased_moved(proposal):
    head, spouse, child = (proposal.members.get(relation=r) for r in ("kepala", "pasangan", "anak"))
    _population(head, full_name=f"H. {head.full_name.upper()}, S.Pd.")  # benign differences only
    _population(spouse, birth_date=spouse.birth_date - datetime.timedelta(days=3), sex="P")
    _population(child, status="deceased", status_date=datetime.date(2025, 1, 2))
    result = _outcomes(proposal)
    assert result["kepala"].outcome == MatchOutcome.MATCHED and result["kepala"].differences == []
    assert result["pasangan"].outcome == MatchOutcome.MISMATCH
    assert [d["field"] for d in result["pasangan"].differences] == ["tanggal_lahir"]
    assert result["anak"].outcome == MatchOutcome.DECEASED
    PopulationRecord.objects.filter(nik=child.nik).update(status="moved", moved_to_code="32.11.01.2001")
    assert _outcomes(proposal)["anak"].outcome == MatchOutcome.MOVED
    PopulationRecord.objects.filter(nik=child.nik).delete()
    assert _outcomes(proposal)["anak"].outcome == MatchOutcome.NOT_FOUND


def test_match_reads_names_and_moves_as_the_register_audit_beside_it(proposal):
    """The Dinas Sosial page shows the match and the audit flags side by side: one rule.
    One slipped letter is no name difference (the old similarity cut-off of 88 called
    "Msjur Marbun" another name than "Mujur Marbun": 83); another name still is one; a
    move into a region that holds the proposal's village is no move away."""
    head, spouse = (proposal.members.get(relation=r) for r in ("kepala", "pasangan"))
    head.full_name = "Mujur Marbun"
    head.save(update_fields=["full_name"])
    _population(head, full_name="MSJUR MARBUN")
    _population(spouse, status="moved", moved_to_code=proposal.village_id.rsplit(".", 1)[0])
    result = _outcomes(proposal)
    assert result["kepala"].outcome == MatchOutcome.MATCHED and result["kepala"].differences == []
    assert result["pasangan"].outcome == MatchOutcome.MATCHED
    PopulationRecord.objects.filter(nik=head.nik).update(full_name="JOKO WIDODO")
    PopulationRecord.objects.filter(nik=spouse.nik).update(moved_to_code="32.11.01.2001")
    result = _outcomes(proposal)
    assert [d["field"] for d in result["kepala"].differences] == ["nama"]
    assert result["pasangan"].outcome == MatchOutcome.MOVED


def test_candidates_by_birth_date_sex_and_name_when_the_nik_is_unknown(proposal):
    head = proposal.members.get(relation="kepala")
    _population(head, nik="3204120302800999", full_name="Budi Santosa")  # typo'd NIK and name
    _population(head, nik="3204120302800998", full_name="Joko Widodo")  # same day, different person
    result = _outcomes(proposal)["kepala"]
    assert result.outcome == MatchOutcome.CANDIDATES
    assert [c["nik"] for c in result.candidates] == ["3204120302800999"]
    assert 0.75 < result.candidates[0]["score"] <= 1


def test_duplicates_in_the_register_and_other_open_proposals(proposal, personas):
    head = proposal.members.get(relation="kepala")
    household = Household.objects.create(
        kk_number="3204122001260777", village_id="32.04.12.2003", address="x", rt="1", rw="1"
    )
    Member.objects.create(
        household=household,
        nik=head.nik,
        full_name=head.full_name,
        birth_place="Bandung",
        birth_date=head.birth_date,
        sex="L",
        relation="kepala",
        marital_status="kawin",
    )
    result = _outcomes(proposal)["kepala"]
    assert result.duplicates == [
        {"kind": "rumah_tangga_terdaftar", "reference": household.masked_kk_number, "village": "32.04.12.2003"}
    ]


def test_submission_runs_matching_as_a_followup(proposal, django_capture_on_commit_callbacks):
    head = proposal.members.get(relation="kepala")
    _population(head)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=proposal, actor=proposal.applicant)
    assert MemberMatch.objects.filter(member__proposal=proposal).count() == 3
    assert MemberMatch.objects.get(member=head).outcome == MatchOutcome.MATCHED
    proposal_match(proposal_id=proposal.pk)  # rerun: replaced, not doubled
    assert MemberMatch.objects.filter(member__proposal=proposal).count() == 3


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("Muhamad Yusup", "MUHAMMAD YUSUF", True),
        ("Siti Aminah", "Aminah Siti", True),
        ("Hj. Siti Aminah", "Siti Aminah", True),
        ("Budi Santoso", "Budi Santosa", True),
        ("Budi Santoso", "Joko Widodo", False),
    ],
)
def test_name_similarity_knows_indonesian_names(a, b, agree):
    assert (name_similarity(a, b) >= 88) is agree


def test_operator_sees_match_results_side_by_side(client, proposal, personas):
    spouse = proposal.members.get(relation="pasangan")
    _population(spouse, full_name="Sitti Aminah Rahayu", sex="P")
    proposal_match(proposal_id=proposal.pk)
    from django.urls import reverse

    client.force_login(personas.operator_a)
    html = client.get(reverse("proposal-status", args=[proposal.tracking_number])).content.decode()
    assert 'data-match="beda"' in html and "Sitti Aminah Rahayu" in html and 'data-match="tidak_ada"' in html
    client.force_login(proposal.applicant)
    assert "data-match" not in client.get(reverse("proposal-status", args=[proposal.tracking_number])).content.decode()
