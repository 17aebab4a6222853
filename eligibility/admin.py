"""Admin: read-mostly views of eligibility data. Editing happens on the portal's pages
(kelayakan/), which enforce drafts, versions and runs; scores and results are written
only by runs."""

from django.contrib import admin

from .models import DeterminationRun, OfficialDesilImport, Programme, Quota, ScoreModel, ScoringRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreModel)
class ScoreModelAdmin(ReadOnlyAdmin):
    list_display = ["version", "name", "status", "created_at", "activated_at"]
    list_filter = ["status"]


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "desil_ceiling", "active", "updated_at"]


@admin.register(Quota)
class QuotaAdmin(ReadOnlyAdmin):
    list_display = ["programme", "regency", "period", "size", "updated_at"]
    list_filter = ["programme", "period"]
    list_select_related = ["programme", "regency"]
    search_fields = ["regency__name", "regency__code"]


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "model", "activate", "status", "phase", "started_at", "finished_at", "total"]
    list_filter = ["status"]


@admin.register(DeterminationRun)
class DeterminationRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "programme", "period", "status", "started_at", "eligible_count", "included_count"]
    list_filter = ["status", "programme", "period"]


@admin.register(OfficialDesilImport)
class OfficialDesilImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "period", "imported_at", "rows_saved", "rows_matched", "rows_invalid"]
