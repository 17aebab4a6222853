from .accounts import Role, User, UserSession
from .choices import Disability, Education, MaritalStatus, Occupation, ProgrammeCode, Relation, Sex
from .followups import FollowUp, FollowUpState
from .households import Household, Member
from .proposals import (
    Channel,
    DocumentAccess,
    Proposal,
    ProposalDocument,
    ProposalDocumentKind,
    ProposalEvent,
    ProposalKind,
    ProposalMember,
    ProposalStatus,
    UpdateReason,
)
from .regions import Region, RegionLevel
from .residents import IdentityDocument, IdentityDocumentKind, IdentityStatus, ResidentProfile

__all__ = [
    "Channel",
    "Disability",
    "DocumentAccess",
    "Education",
    "FollowUp",
    "FollowUpState",
    "Household",
    "IdentityDocument",
    "IdentityDocumentKind",
    "IdentityStatus",
    "MaritalStatus",
    "Member",
    "Occupation",
    "ProgrammeCode",
    "Proposal",
    "ProposalDocument",
    "ProposalDocumentKind",
    "ProposalEvent",
    "ProposalKind",
    "ProposalMember",
    "ProposalStatus",
    "Region",
    "RegionLevel",
    "Relation",
    "ResidentProfile",
    "Role",
    "Sex",
    "UpdateReason",
    "User",
    "UserSession",
]
