from django.urls import path

from registrations.views import documents, home, households, identity_review, proposals, regions

urlpatterns = [
    path("", home.home, name="home"),
    path("wilayah/opsi/", regions.region_options, name="region-options"),
    path("wilayah/cari/", regions.region_search_page, name="region-search"),
    # Daftar Usulan (residents online; village operators for walk-ins)
    path("usulan/", proposals.proposal_list, name="proposal-list"),
    path("usulan/baru/", proposals.proposal_start, name="proposal-start"),
    path("usulan/<slug:number>/", proposals.proposal_status, name="proposal-status"),
    path("usulan/<slug:number>/langkah/<slug:step>/", proposals.proposal_step, name="proposal-step"),
    path("usulan/<slug:number>/tarik/", proposals.proposal_withdraw, name="proposal-withdraw"),
    # Personal documents, only through permission checks
    path("dokumen/identitas/<int:pk>/<slug:variant>/", documents.identity_document, name="identity-document"),
    path("dokumen/usulan/<int:pk>/<slug:variant>/", documents.proposal_document, name="proposal-document"),
    # Staff
    path("staf/rumah-tangga/", households.household_list, name="household-list"),
    path("staf/rumah-tangga/<int:pk>/", households.household_detail, name="household-detail"),
    path("staf/identitas/", identity_review.identity_queue, name="identity-queue"),
    path("staf/identitas/<int:pk>/", identity_review.identity_detail, name="identity-detail"),
]
