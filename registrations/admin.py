from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import DocumentAccess, Household, Member, Proposal, ProposalEvent, Region, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Admins assign each staff account its role and region here."""

    list_display = ["username", "get_full_name", "role", "region", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email", "region__name", "region__code"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Peran dan wilayah"), {"fields": ("role", "region", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Peran dan wilayah"), {"fields": ("email", "role", "region")}),
    )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Read-only: the hierarchy comes from ``load_regions``, not from hand edits."""

    list_display = ["code", "name", "kind", "level", "postal_code"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["id", "masked_kk_number", "village", "rt", "rw"]
    list_select_related = ["village"]
    search_fields = ["kk_number", "village__name"]
    autocomplete_fields = ["village"]
    inlines = [MemberInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records: admins read them; nobody adds, edits or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "from_status", "to_status", "actor", "actor_role"]
    list_filter = ["to_status", "actor_role"]
    search_fields = ["proposal__tracking_number", "actor__username"]
    list_select_related = ["proposal", "actor"]
    date_hierarchy = "created_at"


@admin.register(DocumentAccess)
class DocumentAccessAdmin(ReadOnlyAdmin):
    list_display = ["accessed_at", "user", "document_type", "document_id", "variant"]
    list_filter = ["document_type", "variant"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    date_hierarchy = "accessed_at"


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Proposals change only through the workflow services, never through the admin."""

    list_display = ["tracking_number", "status", "channel", "kind", "village", "created_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["tracking_number"]
    list_select_related = ["village"]
