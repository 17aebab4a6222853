from django.urls import path

from registrations.api import auth, households, proposals, regions, residents

urlpatterns = [
    path("auth/token/", auth.TokenLoginApi.as_view(), name="api-token"),
    path("regions/", regions.RegionListApi.as_view(), name="api-region-list"),
    path("regions/<str:code>/", regions.RegionDetailApi.as_view(), name="api-region-detail"),
    path("households/", households.HouseholdListApi.as_view(), name="api-household-list"),
    path("households/<int:pk>/", households.HouseholdDetailApi.as_view(), name="api-household-detail"),
    path("residents/signup/", residents.SignUpApi.as_view(), name="api-resident-signup"),
    path("residents/me/", residents.MyProfileApi.as_view(), name="api-resident-me"),
    path("residents/me/photos/", residents.IdentityPhotoApi.as_view(), name="api-resident-photos"),
    path("proposals/", proposals.ProposalListApi.as_view(), name="api-proposal-list"),
    path("proposals/<slug:number>/", proposals.ProposalDetailApi.as_view(), name="api-proposal-detail"),
    path("proposals/<slug:number>/household/", proposals.ProposalHouseholdApi.as_view(), name="api-proposal-household"),
    path("proposals/<slug:number>/members/", proposals.ProposalMembersApi.as_view(), name="api-proposal-members"),
    path(
        "proposals/<slug:number>/conditions/", proposals.ProposalConditionsApi.as_view(), name="api-proposal-conditions"
    ),
    path(
        "proposals/<slug:number>/programmes/", proposals.ProposalProgrammesApi.as_view(), name="api-proposal-programmes"
    ),
    path("proposals/<slug:number>/documents/", proposals.ProposalDocumentsApi.as_view(), name="api-proposal-documents"),
    path("proposals/<slug:number>/submit/", proposals.ProposalSubmitApi.as_view(), name="api-proposal-submit"),
    path("proposals/<slug:number>/withdraw/", proposals.ProposalWithdrawApi.as_view(), name="api-proposal-withdraw"),
    path("proposals/<slug:number>/timeline/", proposals.ProposalTimelineApi.as_view(), name="api-proposal-timeline"),
]
