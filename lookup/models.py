"""The public status lookup (cek bansos) and objections (usul sanggah).

``LookupEntry`` is a derived, denormalised copy of what the public may see about one
person of one village: masked name, DTSEN status, desil band, programme outcomes. It
exists so that a search is one index range scan on ``(village_code, name_key)`` and
never a scan of the register, and so that no NIK, KK number or address is even
selectable by the lookup code. ``lookup.services.lookup_index_village`` rebuilds a
village's rows from the register, proposals and eligibility results.

``Objection`` is a resident's sanggah: a case moved by the village operator and Dinas
Sosial of its region through ``lookup.services`` (row lock, event row per move).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.scoping import RegionScopedQuerySet
from registrations.storage import private_storage


class LookupStatus(models.TextChoices):
    REGISTERED = "terdaftar", _("Terdaftar di DTSEN")
    IN_PROGRESS = "dalam_proses", _("Usulan sedang diproses")
    NOT_REGISTERED = "tidak_terdaftar", _("Tidak terdaftar di DTSEN")


class LookupSource(models.TextChoices):
    REGISTER = "register", _("Register DTSEN")
    PROPOSAL = "proposal", _("Usulan")


class LookupEntry(models.Model):
    """One person as the public lookup shows them; rebuilt, never edited by hand."""

    village_code = models.CharField(_("kode desa/kelurahan"), max_length=13)
    name_key = models.CharField(_("kunci nama"), max_length=120)
    masked_name = models.CharField(_("nama tersamar"), max_length=120)
    status = models.CharField(_("status DTSEN"), max_length=16, choices=LookupStatus.choices)
    #: Where a proposal stands (its status label), for ``dalam_proses``; empty otherwise.
    step = models.CharField(_("tahap usulan"), max_length=80, blank=True)
    desil = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    #: ``[{"code", "name", "included", "period"}]``: the latest result per programme.
    programmes = models.JSONField(_("program"), default=list, blank=True)
    # Source references, to pick a person for a sanggah; never shown to the public.
    source = models.CharField(max_length=8, choices=LookupSource.choices)
    source_id = models.BigIntegerField()
    household_id = models.BigIntegerField(null=True, blank=True)
    #: A keyed hash of the NIK, to show each person once per village.
    person_ref = models.CharField(max_length=32)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entri cek bansos")
        verbose_name_plural = _("entri cek bansos")
        constraints = [
            models.UniqueConstraint(fields=["village_code", "person_ref"], name="lookup_one_entry_per_person"),
        ]
        indexes = [
            # Equality and word-prefix ("siti aminah %") searches within one village;
            # the pattern opclass lets LIKE use the index whatever the collation.
            models.Index(
                fields=["village_code", "name_key"],
                name="lookup_village_name",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_code} {self.masked_name}"


class LookupSync(models.Model):
    """The time up to which changes were folded into ``LookupEntry`` (one row)."""

    synced_until = models.DateTimeField()

    class Meta:
        verbose_name = _("sinkronisasi cek bansos")
        verbose_name_plural = _("sinkronisasi cek bansos")

    def __str__(self) -> str:
        return f"{self.synced_until:%Y-%m-%d %H:%M}"


# --- Objections (usul sanggah) --------------------------------------------------------------


class ObjectionKind(models.TextChoices):
    NOT_ELIGIBLE = "tidak_layak", _("Penerima/terdaftar yang dinilai tidak layak")
    MISSING = "layak_terlewat", _("Tetangga layak yang belum terdata")


class ObjectionReason(models.TextChoices):
    WELL_OFF = "mampu", _("Tergolong mampu (rumah, kendaraan, penghasilan)")
    EXCLUDED_JOB = "asn_tni_polri", _("ASN, TNI, atau Polri")
    DECEASED = "meninggal", _("Sudah meninggal dunia")
    MOVED = "pindah", _("Sudah pindah domisili")
    DUPLICATE = "ganda", _("Terdata ganda")
    OTHER = "lainnya", _("Alasan lain")
    MISSING_POOR = "belum_terdata", _("Miskin/rentan tetapi belum terdata")


#: Reasons that fit each kind of objection.
REASONS_BY_KIND = {
    ObjectionKind.NOT_ELIGIBLE: [
        ObjectionReason.WELL_OFF,
        ObjectionReason.EXCLUDED_JOB,
        ObjectionReason.DECEASED,
        ObjectionReason.MOVED,
        ObjectionReason.DUPLICATE,
        ObjectionReason.OTHER,
    ],
    ObjectionKind.MISSING: [ObjectionReason.MISSING_POOR, ObjectionReason.OTHER],
}


class ObjectionStatus(models.TextChoices):
    RECEIVED = "diterima", _("Diterima")
    UNDER_REVIEW = "ditinjau", _("Sedang ditinjau")
    FIELD_CHECKED = "dicek_lapangan", _("Sudah dicek di lapangan")
    UPHELD = "dikabulkan", _("Dikabulkan")
    DISMISSED = "ditolak", _("Ditolak")


OBJECTION_CLOSED = frozenset({ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED})


class ObjectionQuerySet(RegionScopedQuerySet):
    region_field = "village"


class Objection(models.Model):
    number = models.CharField(_("nomor sanggah"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("jenis sanggah"), max_length=16, choices=ObjectionKind.choices)
    village = models.ForeignKey(
        "registrations.Region", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    objector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pelapor"), on_delete=models.PROTECT, related_name="objections"
    )
    # The person objected to (kind tidak_layak): the lookup source they were picked from.
    target_source = models.CharField(max_length=8, choices=LookupSource.choices, blank=True)
    target_source_id = models.BigIntegerField(null=True, blank=True)
    target_household_id = models.BigIntegerField(null=True, blank=True)
    #: Full name for the staff handling the case; the public never sees a case.
    target_name = models.CharField(_("nama yang disanggah/diusulkan"), max_length=120)
    target_masked_name = models.CharField(_("nama tersamar"), max_length=120)
    # A missing neighbour (kind layak_terlewat): where to find them.
    rt = models.CharField("RT", max_length=3, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    reason = models.CharField(_("alasan"), max_length=16, choices=ObjectionReason.choices)
    statement = models.TextField(_("uraian"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED
    )
    decision_note = models.TextField(_("catatan keputusan"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sanggah")
        verbose_name_plural = _("sanggah")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ObjectionStatus]), name="objection_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["dikabulkan", "ditolak"]) | ~models.Q(decision_note=""),
                name="objection_decision_has_note",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="layak_terlewat") | models.Q(target_source_id__isnull=False),
                name="objection_not_eligible_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "status"], name="objection_village_status"),
            models.Index(fields=["objector", "created_at"], name="objection_objector_day"),
        ]

    def __str__(self) -> str:
        return self.number


class ObjectionEvidence(models.Model):
    """A photo of evidence, cleaned by ``registrations.uploads`` and stored privately."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="evidence")
    image = models.FileField(storage=private_storage, max_length=200)
    thumbnail = models.FileField(storage=private_storage, max_length=200)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["objection_id", "id"]
        verbose_name = _("bukti sanggah")
        verbose_name_plural = _("bukti sanggah")

    def __str__(self) -> str:
        return f"{self.objection_id}#{self.pk}"


class ObjectionEvent(models.Model):
    """One row per move of a case: its history for staff and the objector. Append-only."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=20)
    from_status = models.CharField(max_length=16, choices=ObjectionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ObjectionStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("riwayat sanggah")
        verbose_name_plural = _("riwayat sanggah")

    def __str__(self) -> str:
        return f"{self.objection_id}: {self.from_status or '-'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Riwayat sanggah tidak dapat diubah.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Riwayat sanggah tidak dapat dihapus.")
