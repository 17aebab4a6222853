"""Resident identity: who a resident says they are, with the documents that show it.

A resident signs up with NIK, KK number, name, birth date and sex, a photo of the KTP
and a selfie holding it; activates by e-mail; then the operator of their village
confirms or rejects the identity. Only a confirmed resident may submit a proposal.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.scoping import RegionScopedQuerySet
from registrations.storage import private_storage

from .choices import Sex
from .households import sixteen_digits


class IdentityStatus(models.TextChoices):
    AWAITING_REVIEW = "menunggu", _("Menunggu pemeriksaan operator desa")
    CONFIRMED = "dikonfirmasi", _("Identitas dikonfirmasi")
    REJECTED = "ditolak", _("Identitas ditolak")


class ResidentProfileQuerySet(RegionScopedQuerySet):
    region_field = "village"


class ResidentProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident")
    nik = models.CharField("NIK", max_length=16, unique=True, validators=[sixteen_digits])
    kk_number = models.CharField(_("nomor KK"), max_length=16, validators=[sixteen_digits])
    full_name = models.CharField(_("nama lengkap sesuai KTP"), max_length=120)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    village = models.ForeignKey(
        "registrations.Region", verbose_name=_("desa/kelurahan domisili"), on_delete=models.PROTECT, related_name="+"
    )
    identity_status = models.CharField(
        _("status identitas"), max_length=12, choices=IdentityStatus.choices, default=IdentityStatus.AWAITING_REVIEW
    )
    identity_reason = models.TextField(_("alasan penolakan"), blank=True)
    identity_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_reviewed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(_("e-mail dikonfirmasi"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResidentProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("profil warga")
        verbose_name_plural = _("profil warga")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(identity_status="ditolak") | ~models.Q(identity_reason=""),
                name="identity_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_confirmed(self) -> bool:
        return self.identity_status == IdentityStatus.CONFIRMED


class IdentityDocumentKind(models.TextChoices):
    KTP = "ktp", _("Foto KTP")
    SELFIE = "selfie", _("Swafoto memegang KTP")


class IdentityDocument(models.Model):
    """One current photo per kind; a re-upload replaces the previous file."""

    profile = models.ForeignKey(ResidentProfile, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("jenis"), max_length=10, choices=IdentityDocumentKind.choices)
    image = models.FileField(storage=private_storage, max_length=200)
    thumbnail = models.FileField(storage=private_storage, max_length=200)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    quality_warnings = models.JSONField(default=list, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dokumen identitas")
        verbose_name_plural = _("dokumen identitas")
        constraints = [models.UniqueConstraint(fields=["profile", "kind"], name="one_identity_document_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()
