from django.contrib import admin

from .models import Objection, ObjectionEvent


class ObjectionEventInline(admin.TabularInline):
    model = ObjectionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "actor_role", "from_status", "to_status", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    """Read-only: cases move only through ``lookup.sanggah_workflow.objection_move``."""

    list_display = ["number", "kind", "village", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["number"]
    inlines = [ObjectionEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
