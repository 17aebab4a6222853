"""Who may do what: one table of actions, one check, one page decorator, one API permission.

Every page, endpoint and service asks the same question, ``user_may(user, action)``:
an active account whose role the action lists (a superuser acts as an administrator,
so it may do whatever an administrator may). Region is the other half of every
decision and lives in ``registrations.scoping``: pass ``region=`` a region code to
ask both at once. The state machines (``registrations.workflow``,
``verification.workflow.musdes_workflow``, ``lookup.sanggah_workflow``) keep their own
per-move roles beside their moves; this table says who reaches a page or a service
at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from dtsen_portal.errors import NotAllowed
from registrations.models import Role
from registrations.models.accounts import STAFF_ROLES
from registrations.scoping import user_can_reach_region

R = Role
MINISTRY = frozenset({R.MINISTRY_STAFF, R.ADMIN})


@dataclass(frozen=True)
class Action:
    roles: frozenset[str]
    #: What the user is told when refused (a service's NotAllowed, an API 403).
    message: str
    #: A further condition on the account itself (not on the object acted on).
    also: Callable | None = None


def _has_resident_profile(user) -> bool:
    return hasattr(user, "resident")


ACTIONS: dict[str, Action] = {
    # Any staff page or endpoint; the queryset then narrows to the user's region.
    "staff": Action(STAFF_ROLES, _("Hanya petugas yang dapat mengakses data ini.")),
    # Residents and the village operator (walk-ins) draft and submit proposals.
    "propose": Action(
        frozenset({R.RESIDENT, R.VILLAGE_OPERATOR}),
        _("Hanya warga dan operator desa/kelurahan yang dapat mengelola usulan."),
    ),
    # A resident's own things (Data saya, sanggah); with a profile: their account's pages and API.
    "resident": Action(frozenset({R.RESIDENT}), _("Hanya untuk akun warga.")),
    "resident.account": Action(frozenset({R.RESIDENT}), _("Hanya untuk akun warga."), also=_has_resident_profile),
    # The village operator: confirms residents' identities, runs the musdes.
    "identity.review": Action(
        frozenset({R.VILLAGE_OPERATOR}), _("Hanya operator desa/kelurahan yang memeriksa identitas warga.")
    ),
    "musdes.run": Action(
        frozenset({R.VILLAGE_OPERATOR}), _("Hanya operator desa/kelurahan ini yang mengelola musyawarahnya.")
    ),
    # Dinas Sosial verifies; the bupati, the province and the ministry decide in batches.
    "verification.review": Action(
        frozenset({R.SOCIAL_OFFICER}), _("Hanya Dinas Sosial kabupaten/kota ini yang memverifikasi usulan ini.")
    ),
    "batch.regency_approve": Action(frozenset({R.REGENCY_HEAD}), _("Hanya bupati/wali kota yang menyetujui.")),
    "batch.province_forward": Action(frozenset({R.PROVINCIAL_STAFF}), _("Hanya petugas provinsi yang meneruskan.")),
    "batch.determine": Action(frozenset({R.MINISTRY_STAFF}), _("Hanya Kementerian Sosial yang menetapkan.")),
    # The population mirror, its flags, and the register audit.
    "population.import": Action(MINISTRY | {R.SOCIAL_OFFICER}, _("Anda tidak berwenang mengimpor data kependudukan.")),
    "population.flags": Action(
        MINISTRY | {R.VILLAGE_OPERATOR, R.SOCIAL_OFFICER}, _("Anda tidak berwenang melihat tanda kependudukan.")
    ),
    "audit.run": Action(
        MINISTRY | {R.SOCIAL_OFFICER, R.VILLAGE_OPERATOR}, _("Anda tidak berwenang menjalankan audit register.")
    ),
    # Objections (sanggah): the village gathers facts, Dinas Sosial decides.
    "sanggah.handle": Action(
        frozenset({R.VILLAGE_OPERATOR, R.SOCIAL_OFFICER}),
        _("Hanya operator desa dan Dinas Sosial yang menangani sanggah."),
    ),
    # Eligibility: the ministry runs models, scoring and determination; regional
    # offices read programmes, quotas and the distribution of their region.
    "eligibility.manage": Action(MINISTRY, _("Hanya Kementerian Sosial yang mengelola kelayakan.")),
    "eligibility.read": Action(
        MINISTRY | {R.PROVINCIAL_STAFF, R.SOCIAL_OFFICER, R.REGENCY_HEAD},
        _("Anda tidak berwenang melihat data kelayakan."),
    ),
}


def user_may(user, action: str, *, region: str | None = None) -> bool:
    """Whether ``user`` may take ``action`` (in ``region``, a region code, when given)."""
    rule = ACTIONS[action]
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not (user.role in rule.roles or (user.is_superuser and R.ADMIN in rule.roles)):
        return False
    if rule.also is not None and not rule.also(user):
        return False
    return region is None or user_can_reach_region(user, region)


def ensure_user_may(user, action: str, *, region: str | None = None) -> None:
    """Raise ``NotAllowed`` with the action's message unless ``user_may`` says yes."""
    if not user_may(user, action, region=region):
        raise NotAllowed(str(ACTIONS[action].message))


def may(action: str):
    """Page decorator: log in first (anonymous → login page), then 403 unless ``user_may``."""
    ACTIONS[action]  # a misspelt action fails at import, not at the first request

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not user_may(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def api_may(action: str) -> type[BasePermission]:
    """A DRF permission class for ``permission_classes``: 403 with the action's message."""
    rule = ACTIONS[action]

    class ActionPermission(BasePermission):
        message = rule.message

        def has_permission(self, request, view):
            return user_may(request.user, action)

    ActionPermission.__name__ = f"May_{action.replace('.', '_')}"
    return ActionPermission
