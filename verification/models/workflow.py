"""The verification workflow around proposals: musdes, field visits, decrees, rounds.

Proposal statuses live on ``registrations.Proposal`` and change only through
``registrations.services.proposals.proposal_transition``; these models hold the
documents and records each step produces (berita acara, visit reports, decrees).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.models.conditions import HouseholdConditions
from registrations.scoping import RegionScopedQuerySet
from registrations.storage import private_storage


class DeliberationBasis(models.TextChoices):
    MUSDES = "musdes", _("Musyawarah desa (musdes)")
    MUSKEL = "muskel", _("Musyawarah kelurahan (muskel)")
    SPTJM = "sptjm", _("Surat Pernyataan Tanggung Jawab Mutlak (tanpa musyawarah)")


class DeliberationStatus(models.TextChoices):
    OPEN = "dibuka", _("Dibuka: mencatat hasil")
    CLOSED = "ditutup", _("Ditutup: menunggu berita acara bertanda tangan")
    SIGNED = "ditandatangani", _("Berita acara ditandatangani; usulan diteruskan")


class DeliberationQuerySet(RegionScopedQuerySet):
    region_field = "village"


class Deliberation(models.Model):
    """A musdes/muskel (or, where none could be held, an SPTJM) over a village's proposals."""

    village = models.ForeignKey("registrations.Region", on_delete=models.PROTECT, related_name="deliberations")
    basis = models.CharField(_("dasar"), max_length=8, choices=DeliberationBasis.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliberationStatus.choices, default=DeliberationStatus.OPEN
    )
    held_on = models.DateField(_("tanggal"))
    place = models.CharField(_("tempat"), max_length=200)
    chair = models.CharField(_("pimpinan musyawarah / penanda tangan"), max_length=120)
    chair_position = models.CharField(_("jabatan pimpinan"), max_length=80, default="Kepala Desa")
    notes = models.TextField(_("catatan"), blank=True, max_length=4000)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_pdf = models.FileField(storage=private_storage, max_length=200, blank=True)
    signed_scan = models.FileField(storage=private_storage, max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliberationQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("musyawarah desa/kelurahan")
        verbose_name_plural = _("musyawarah desa/kelurahan")
        constraints = [
            # One open deliberation per village at a time: proposals are pulled into it.
            models.UniqueConstraint(
                fields=["village"], condition=models.Q(status="dibuka"), name="one_open_deliberation_per_village"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} {self.village_id} {self.held_on}"


class Attendee(models.Model):
    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("nama"), max_length=120)
    position = models.CharField(_("jabatan/unsur"), max_length=120)
    signs_minutes = models.BooleanField(_("menandatangani berita acara"), default=False)

    class Meta:
        ordering = ["deliberation_id", "id"]
        verbose_name = _("peserta musyawarah")
        verbose_name_plural = _("peserta musyawarah")

    def __str__(self) -> str:
        return f"{self.name} ({self.position})"


class Outcome(models.TextChoices):
    PENDING = "belum", _("Belum dibahas")
    APPROVED = "setuju", _("Disetujui")
    REJECTED = "tolak", _("Ditolak")
    DEFERRED = "tunda", _("Ditunda ke musyawarah berikutnya")


class DeliberationItem(models.Model):
    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="items")
    proposal = models.ForeignKey("registrations.Proposal", on_delete=models.PROTECT, related_name="deliberation_items")
    outcome = models.CharField(_("hasil"), max_length=6, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.TextField(_("alasan"), blank=True, max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deliberation_id", "id"]
        verbose_name = _("hasil musyawarah per usulan")
        verbose_name_plural = _("hasil musyawarah per usulan")
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "proposal"], name="proposal_once_per_deliberation"),
            models.CheckConstraint(
                condition=~models.Q(outcome="tolak") | ~models.Q(reason=""), name="rejection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.outcome}"


class FieldVisitResult(models.TextChoices):
    VERIFIED = "layak", _("Sesuai/layak: diverifikasi")
    REJECTED = "tidak_layak", _("Tidak sesuai/tidak layak: ditolak")
    RETURNED = "kembalikan", _("Data perlu diperbaiki: dikembalikan ke desa")


class FieldVisit(HouseholdConditions):
    """The social office's household visit, with the full instrument as observed."""

    proposal = models.ForeignKey("registrations.Proposal", on_delete=models.PROTECT, related_name="field_visits")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("tanggal kunjungan"))
    latitude = models.DecimalField(
        _("lintang"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-11), MaxValueValidator(6)],
    )
    longitude = models.DecimalField(
        _("bujur"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(94), MaxValueValidator(142)],
    )
    result = models.CharField(_("hasil"), max_length=12, choices=FieldVisitResult.choices)
    notes = models.TextField(_("catatan petugas"), max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("kunjungan lapangan")
        verbose_name_plural = _("kunjungan lapangan")

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.visited_on} {self.result}"


class FieldVisitPhoto(models.Model):
    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(storage=private_storage, max_length=200)
    thumbnail = models.FileField(storage=private_storage, max_length=200)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("foto kunjungan")
        verbose_name_plural = _("foto kunjungan")

    def __str__(self) -> str:
        return f"foto {self.pk}"


class Assignment(models.Model):
    """Which verifier of the social office holds a proposal (one at a time)."""

    proposal = models.OneToOneField("registrations.Proposal", on_delete=models.CASCADE, related_name="assignment")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("penugasan verifikator")
        verbose_name_plural = _("penugasan verifikator")

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.verifier_id}"


class BatchKind(models.TextChoices):
    REGENCY_DECREE = "sk_bupati", _("Keputusan bupati/wali kota")
    PROVINCE_FORWARD = "surat_provinsi", _("Surat pengantar provinsi ke Kemensos")
    DETERMINATION = "penetapan", _("Penetapan Kementerian Sosial")


class BatchQuerySet(RegionScopedQuerySet):
    region_field = "region"


class Batch(models.Model):
    """One decision over many proposals, with the document number that records it."""

    kind = models.CharField(_("jenis"), max_length=16, choices=BatchKind.choices)
    region = models.ForeignKey(
        "registrations.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issuer_code = models.CharField(_("kode penerbit"), max_length=13, blank=True, help_text=_("Kosong untuk nasional."))
    number = models.CharField(_("nomor dokumen"), max_length=100)
    document_date = models.DateField(_("tanggal dokumen"))
    period = models.CharField(_("periode"), max_length=20, blank=True, help_text=_("Untuk penetapan, mis. 2026-Q4."))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposals = models.ManyToManyField("registrations.Proposal", related_name="batches")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("keputusan kolektif")
        verbose_name_plural = _("keputusan kolektif")
        constraints = [models.UniqueConstraint(fields=["kind", "issuer_code", "number"], name="batch_number_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
