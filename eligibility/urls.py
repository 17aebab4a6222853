"""Eligibility pages, included at ``kelayakan/``."""

from django.urls import path

from .views import distribution, explanations, home, models, programmes, runs

urlpatterns = [
    path("", home.home, name="eligibility-home"),
    # Score models (ministry)
    path("model/", models.model_list, name="eligibility-model-list"),
    path("model/<int:version>/", models.model_detail, name="eligibility-model-detail"),
    path("model/<int:version>/salin/", models.model_copy, name="eligibility-model-copy"),
    path("model/<int:version>/bobot/", models.model_weights, name="eligibility-model-weights"),
    path("model/<int:version>/aktifkan/", models.model_activate, name="eligibility-model-activate"),
    # Scoring runs and official desil files (ministry)
    path("skor/", runs.scoring, name="eligibility-scoring"),
    path("skor/<int:pk>/", runs.scoring_run, name="eligibility-scoring-run"),
    path("skor/<int:pk>/progres/", runs.scoring_progress, name="eligibility-scoring-progress"),
    path("desil-resmi/", runs.official_import, name="eligibility-official-import"),
    # Programmes and quotas (ministry edits; regional staff read their own)
    path("program/", programmes.programme_list, name="eligibility-programme-list"),
    path("program/<slug:code>/ubah/", programmes.programme_edit, name="eligibility-programme-edit"),
    path("program/<slug:code>/kuota/", programmes.quota_edit, name="eligibility-quota-edit"),
    # Determination (ministry)
    path("penetapan/", runs.determination, name="eligibility-determination"),
    path("penetapan/<int:pk>/", runs.determination_run, name="eligibility-determination-run"),
    path("penetapan/<int:pk>/progres/", runs.determination_progress, name="eligibility-determination-progress"),
    # Distribution (ministry, province, regency)
    path("sebaran/", distribution.distribution_view, name="eligibility-distribution"),
    # Explanations
    path("rumah-tangga/<int:pk>/", explanations.household_explanation, name="eligibility-explanation"),
    path("rumah-tangga-saya/", explanations.my_household, name="eligibility-my-household"),
]
