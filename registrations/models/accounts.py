"""Accounts: one custom user model for residents and staff, each with one role.

One person holds one role (the ministry's operator rules separate the hands that
record a musdes, verify and approve), so the role is a field, not a set of groups.
Staff roles carry the region they serve; ``registrations.scoping`` turns that into
the filter every staff queryset goes through.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .regions import RegionLevel


class Role(models.TextChoices):
    RESIDENT = "warga", _("Warga")
    VILLAGE_OPERATOR = "operator_desa", _("Operator desa/kelurahan")
    SOCIAL_OFFICER = "dinsos", _("Petugas Dinas Sosial")
    REGENCY_HEAD = "bupati", _("Bupati/Wali kota")
    PROVINCIAL_STAFF = "provinsi", _("Petugas provinsi")
    MINISTRY_STAFF = "kemensos", _("Petugas Kementerian Sosial")
    ADMIN = "admin", _("Administrator")


#: The region level each role is assigned to; ``None`` means national (no region).
ROLE_REGION_LEVEL: dict[str, int | None] = {
    Role.RESIDENT: RegionLevel.VILLAGE,
    Role.VILLAGE_OPERATOR: RegionLevel.VILLAGE,
    Role.SOCIAL_OFFICER: RegionLevel.REGENCY,
    Role.REGENCY_HEAD: RegionLevel.REGENCY,
    Role.PROVINCIAL_STAFF: RegionLevel.PROVINCE,
    Role.MINISTRY_STAFF: None,
    Role.ADMIN: None,
}

#: Roles that work on other people's data, scoped by region.
STAFF_ROLES = frozenset(
    {
        Role.VILLAGE_OPERATOR,
        Role.SOCIAL_OFFICER,
        Role.REGENCY_HEAD,
        Role.PROVINCIAL_STAFF,
        Role.MINISTRY_STAFF,
        Role.ADMIN,
    }
)
NATIONAL_ROLES = frozenset({Role.MINISTRY_STAFF, Role.ADMIN})


class User(AbstractUser):
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    region = models.ForeignKey(
        "registrations.Region",
        verbose_name=_("wilayah tugas"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_(
            "Desa untuk operator, kabupaten/kota untuk Dinas Sosial dan bupati, provinsi untuk petugas provinsi."
        ),
    )
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            # Regional staff without a region would fall through every scope filter.
            models.CheckConstraint(
                condition=models.Q(role__in=["warga", "kemensos", "admin"]) | models.Q(region__isnull=False),
                name="regional_staff_have_region",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]),
                name="user_role_valid",
            ),
        ]

    @property
    def is_portal_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES or self.is_superuser

    def clean(self):
        super().clean()
        expected_level = ROLE_REGION_LEVEL.get(self.role)
        if expected_level is None:
            if self.region_id and self.role in NATIONAL_ROLES:
                raise ValidationError({"region": _("Peran nasional tidak memiliki wilayah tugas.")})
            return
        if self.region_id is None:
            if self.role == Role.RESIDENT:
                return
            raise ValidationError({"region": _("Peran ini wajib memiliki wilayah tugas.")})
        if self.region.level != expected_level:
            raise ValidationError(
                {
                    "region": _("Peran %(role)s ditugaskan pada tingkat %(level)s.")
                    % {"role": self.get_role_display(), "level": RegionLevel(expected_level).label}
                }
            )


class UserSession(models.Model):
    """Which sessions belong to whom, so disabling an account can end all of them.

    Recorded at login (``dtsen_portal.security``); rows of sessions that have since
    expired are removed by ``apply_retention``.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sesi masuk")
        verbose_name_plural = _("sesi masuk")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
