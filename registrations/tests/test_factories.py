"""The factories of ``testing.factories`` make valid rows: one of each main model,
saved, passing the model's own validation, with NIKs that parse for their district,
birth date and sex, and regions that exist."""

import re

import pytest
from django.contrib.auth import authenticate

from eligibility.models import ScoreModel
from lookup.indexing import public_mask
from registrations.models import Channel, ProposalStatus, Region, Role
from registrations.models.choices import Relation
from registrations.names import normalize_name
from registrations.nik import parse_nik
from testing.factories import (
    CONDITION_FIELDS,
    DeliberationFactory,
    FieldVisitFactory,
    HouseholdFactory,
    HouseholdScoreFactory,
    MemberFactory,
    ObjectionFactory,
    PopulationRecordFactory,
    ProposalFactory,
    UserFactory,
)
from testing.personas import PASSWORD
from testing.regions import VILLAGE_A, VILLAGE_B, district_of
from verification.models import DeliberationItem, LifeStatus
from verification.models.workflow import DeliberationStatus

pytestmark = pytest.mark.django_db


def nik_fits(nik: str, *, birth_date, sex, district: str) -> bool:
    check = parse_nik(nik, birth_date=birth_date, sex=sex)
    return check.is_valid and check.district_code == district


def test_household_and_member(regions):
    household = HouseholdFactory()
    member = MemberFactory(household=household)
    for row in (household, member):
        row.full_clean()
    assert Region.objects.filter(pk=household.village_id, level=4).exists()
    assert nik_fits(member.nik, birth_date=member.birth_date, sex=member.sex, district=district_of(VILLAGE_A))


def test_user(regions):
    user = UserFactory()
    user.full_clean()
    assert user.role == Role.VILLAGE_OPERATOR and user.region_id == VILLAGE_A
    assert authenticate(username=user.username, password=PASSWORD) == user


def test_proposal_with_its_family(regions):
    proposal = ProposalFactory(village=regions[VILLAGE_B])
    proposal.full_clean()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.channel == Channel.OFFLINE
    assert proposal.submitted_at is not None and proposal.status_changed_at == proposal.submitted_at
    assert re.fullmatch(r"US[2-9A-HJKMNP-Z]{8}", proposal.tracking_number)
    assert proposal.kk_number.startswith(district_of(VILLAGE_B).replace(".", "")) and len(proposal.kk_number) == 16
    assert proposal.entered_by.role == Role.VILLAGE_OPERATOR and proposal.entered_by.region_id == VILLAGE_B
    members = list(proposal.members.all())
    assert [m.relation for m in members] == [Relation.HEAD, Relation.SPOUSE, Relation.CHILD]
    assert members[0].sex != members[1].sex
    for member in members:
        member.full_clean()
        assert nik_fits(member.nik, birth_date=member.birth_date, sex=member.sex, district=district_of(VILLAGE_B))


def test_proposal_without_members_and_as_a_draft(regions):
    draft = ProposalFactory(status=ProposalStatus.DRAFT, members=0)
    assert not draft.members.exists() and draft.submitted_at is None


def test_deliberation(regions):
    proposals = ProposalFactory.create_batch(2)
    deliberation = DeliberationFactory(proposals=proposals)
    deliberation.full_clean()
    assert deliberation.status == DeliberationStatus.OPEN and deliberation.basis == "musdes"
    assert deliberation.opened_by.region_id == deliberation.village_id == VILLAGE_A
    assert set(DeliberationItem.objects.filter(deliberation=deliberation).values_list("proposal", flat=True)) == {
        p.pk for p in proposals
    }


def test_field_visit(regions):
    visit = FieldVisitFactory()
    visit.full_clean()
    assert visit.proposal.status == ProposalStatus.MUSDES_APPROVED
    assert visit.verifier.role == Role.SOCIAL_OFFICER and visit.verifier.region_id == VILLAGE_A[:5]
    assert all(getattr(visit, name) == getattr(visit.proposal, name) for name in CONDITION_FIELDS)
    assert FieldVisitFactory(proposal=visit.proposal, poor_roof=True).poor_roof is True


def test_objection(regions):
    objection = ObjectionFactory()
    objection.full_clean()
    assert re.fullmatch(r"SG[2-9A-HJKMNP-Z]{8}", objection.number)
    assert objection.objector.role == Role.RESIDENT and objection.objector.region_id == objection.village_id
    assert objection.target_masked_name == public_mask(objection.target_name)
    assert objection.target_name not in objection.target_masked_name


def test_population_record(regions):
    record = PopulationRecordFactory(village_code=VILLAGE_B)
    record.full_clean()
    assert Region.objects.filter(pk=record.village_code).exists()
    assert nik_fits(record.nik, birth_date=record.birth_date, sex=record.sex, district=district_of(VILLAGE_B))
    assert record.name_key == normalize_name(record.full_name) and record.status == LifeStatus.ALIVE
    assert len(record.kk_number) == 16 and record.kk_number.isdigit()


def test_household_score(regions):
    score = HouseholdScoreFactory()
    score.full_clean()
    assert score.model == ScoreModel.objects.active()
    assert score.household.registered_at is not None and score.village_code == score.household.village_id
    assert 1 <= score.model_desil == score.desil_national == score.desil_province <= 10
