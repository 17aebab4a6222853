import pytest
from django.urls import reverse

from lookup.selectors import tracking_lookup
from registrations.models import ProposalStatus
from registrations.workflow import proposal_transition
from testing.proposals import complete_draft
from testing.residents import confirmed_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    proposal_transition(proposal_id=proposal.pk, name="submit", actor=resident)
    proposal.refresh_from_db()
    return proposal


def head_birth(proposal):
    return proposal.members.get(relation="kepala").birth_date


def test_number_and_head_birth_date_show_the_timeline(client, submitted, captcha_passes):
    response = client.post(
        reverse("lookup-tracking"),
        {
            "tracking_number": submitted.tracking_number.lower(),
            "birth_date": head_birth(submitted).isoformat(),
            "captcha_0": "x",
            "captcha_1": "PASSED",
        },
    )
    html = response.content.decode()
    assert "data-tracking" in html and "Diajukan, menunggu musyawarah desa" in html
    member_niks = submitted.members.values_list("nik", flat=True)
    assert not any(nik in html for nik in member_niks) and submitted.kk_number not in html


def test_wrong_date_and_unknown_number_answer_alike(submitted):
    wrong_date = head_birth(submitted).replace(year=1901)
    assert tracking_lookup(tracking_number=submitted.tracking_number, birth_date=wrong_date) is None
    assert tracking_lookup(tracking_number="USZZZZZZZZ", birth_date=head_birth(submitted)) is None


def test_drafts_are_not_tracked(personas):
    proposal = complete_draft(confirmed_resident())
    assert tracking_lookup(tracking_number=proposal.tracking_number, birth_date=head_birth(proposal)) is None


def test_timeline_has_no_reasons(client, submitted, personas, captcha_passes):
    reason = "Foto KK buram, mohon unggah ulang"
    proposal_transition(
        proposal_id=submitted.pk, name="return_for_correction", actor=personas.operator_a, reason=reason
    )
    tracking = tracking_lookup(tracking_number=submitted.tracking_number, birth_date=head_birth(submitted))
    assert [s.label for s in tracking.steps] == [
        str(ProposalStatus.SUBMITTED.label),
        str(ProposalStatus.RETURNED.label),
    ]
    response = client.post(
        reverse("lookup-tracking"),
        {
            "tracking_number": submitted.tracking_number,
            "birth_date": head_birth(submitted).isoformat(),
            "captcha_0": "x",
            "captcha_1": "PASSED",
        },
    )
    html = response.content.decode()
    assert str(ProposalStatus.RETURNED.label) in html
    assert reason not in html
