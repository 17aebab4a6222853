from rest_framework.permissions import BasePermission

from registrations.models import Role


class IsProposer(BasePermission):
    """Residents (their own proposals) and village operators (walk-ins of their village)."""

    message = "Hanya warga dan operator desa/kelurahan yang dapat mengelola usulan."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role in (Role.RESIDENT, Role.VILLAGE_OPERATOR))


class IsResident(BasePermission):
    message = "Hanya untuk akun warga."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.RESIDENT and hasattr(user, "resident"))
