from .accounts import IdentityPhotoForm, IdentityReviewForm, QueuedPasswordResetForm, ResidentSignUpForm
from .proposals import (
    ConditionsForm,
    DocumentForm,
    HouseholdStepForm,
    MemberForm,
    MemberFormSet,
    ProgrammesForm,
    ProposalStartForm,
    ReasonForm,
)
from .regions import RegionPickerField

__all__ = [
    "ConditionsForm",
    "DocumentForm",
    "HouseholdStepForm",
    "IdentityPhotoForm",
    "IdentityReviewForm",
    "MemberForm",
    "MemberFormSet",
    "ProgrammesForm",
    "ProposalStartForm",
    "QueuedPasswordResetForm",
    "ReasonForm",
    "RegionPickerField",
    "ResidentSignUpForm",
]
