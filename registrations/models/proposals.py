"""Proposals (usulan): a household asking to enter DTSEN, or to update its data.

A proposal carries its own copy of the household and members as proposed; the
register (``Household``/``Member``) changes only when the ministry determines it.
The status moves only through the mover in ``registrations.workflow``, along its table.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.scoping import RegionScopedQuerySet
from registrations.storage import private_storage

from .choices import Disability, Education, MaritalStatus, Occupation, Relation, Sex
from .conditions import HouseholdConditions
from .households import rt_rw_validator, sixteen_digits


class ProposalStatus(models.TextChoices):
    DRAFT = "draf", _("Draf")
    SUBMITTED = "diajukan", _("Diajukan, menunggu musyawarah desa")
    RETURNED = "dikembalikan", _("Dikembalikan untuk perbaikan")
    WITHDRAWN = "ditarik", _("Ditarik oleh pengusul")
    MUSDES_APPROVED = "disetujui_musdes", _("Disetujui musyawarah desa")
    MUSDES_REJECTED = "ditolak_musdes", _("Ditolak musyawarah desa")
    VERIFIED = "terverifikasi", _("Terverifikasi Dinas Sosial")
    VERIFICATION_REJECTED = "ditolak_dinsos", _("Ditolak Dinas Sosial")
    REGENCY_APPROVED = "disetujui_bupati", _("Disetujui bupati/wali kota")
    FORWARDED = "diteruskan", _("Diteruskan provinsi ke Kementerian Sosial")
    DETERMINED = "ditetapkan", _("Ditetapkan masuk DTSEN")
    NOT_DETERMINED = "tidak_ditetapkan", _("Tidak ditetapkan")


#: Statuses after which a proposal is finished; a KK may then open a new one.
CLOSED_STATUSES = frozenset(
    {
        ProposalStatus.WITHDRAWN,
        ProposalStatus.MUSDES_REJECTED,
        ProposalStatus.VERIFICATION_REJECTED,
        ProposalStatus.DETERMINED,
        ProposalStatus.NOT_DETERMINED,
    }
)
#: Statuses in which the proposer may still edit the proposal.
EDITABLE_STATUSES = frozenset({ProposalStatus.DRAFT, ProposalStatus.RETURNED})


class ProposalKind(models.TextChoices):
    NEW = "baru", _("Pendaftaran baru")
    UPDATE = "perubahan", _("Perubahan data rumah tangga terdaftar")


class UpdateReason(models.TextChoices):
    MOVED = "pindah", _("Pindah domisili")
    BIRTH = "kelahiran", _("Kelahiran anggota baru")
    DEATH = "kematian", _("Kematian anggota")
    ECONOMY = "ekonomi", _("Perubahan kondisi ekonomi")
    CORRECTION = "koreksi", _("Perbaikan data")


class Channel(models.TextChoices):
    ONLINE = "daring", _("Daring (portal)")
    OFFLINE = "luring", _("Luring (kantor desa/kelurahan)")


class ProposalQuerySet(RegionScopedQuerySet):
    region_field = "village"

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)


class Proposal(HouseholdConditions):
    tracking_number = models.CharField(_("nomor usulan"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("jenis usulan"), max_length=10, choices=ProposalKind.choices, default=ProposalKind.NEW)
    update_reason = models.CharField(_("alasan perubahan"), max_length=10, choices=UpdateReason.choices, blank=True)
    channel = models.CharField(_("jalur"), max_length=6, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT, db_index=True
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengusul"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text=_("Akun warga; kosong untuk usulan luring tanpa akun."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dientri oleh"),
        on_delete=models.PROTECT,
        related_name="entered_proposals",
    )
    household = models.ForeignKey(
        "registrations.Household",
        verbose_name=_("rumah tangga terdaftar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    kk_number = models.CharField(_("nomor KK"), max_length=16, validators=[sixteen_digits])
    village = models.ForeignKey(
        "registrations.Region", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="proposals"
    )
    address = models.CharField(_("alamat (jalan, nomor, dusun)"), max_length=200, blank=True)
    rt = models.CharField("RT", max_length=3, blank=True, validators=[rt_rw_validator])
    rw = models.CharField("RW", max_length=3, blank=True, validators=[rt_rw_validator])
    phone = models.CharField(_("nomor HP yang dapat dihubungi"), max_length=20, blank=True)
    programmes = models.JSONField(_("program yang diusulkan"), default=list, blank=True)
    applicant_statement = models.TextField(_("keterangan tambahan"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("usulan")
        verbose_name_plural = _("usulan")
        constraints = [
            # One open proposal per family card: a second one is refused by the database
            # even if two submissions race past the form's check.
            models.UniqueConstraint(
                fields=["kk_number"],
                condition=~models.Q(
                    status__in=["ditarik", "ditolak_musdes", "ditolak_dinsos", "ditetapkan", "tidak_ditetapkan"]
                ),
                name="one_open_proposal_per_kk",
                violation_error_message=_("Sudah ada usulan yang masih berjalan untuk nomor KK ini."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="baru", update_reason="")
                | (models.Q(kind="perubahan") & ~models.Q(update_reason="")),
                name="update_proposals_have_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(channel="luring") | models.Q(applicant__isnull=False),
                name="online_proposals_have_applicant",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "status"], name="proposal_village_status"),
            models.Index(fields=["status", "status_changed_at"], name="proposal_status_waiting"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def allowed_moves(self, user) -> list[str]:
        """The workflow moves ``user`` could make now (``registrations.workflow``)."""
        from registrations.workflow import allowed_moves

        return allowed_moves(self, user)

    def clean(self):
        super().clean()
        if self.village_id and self.village.level != 4:
            raise ValidationError({"village": _("Pilih wilayah sampai tingkat desa/kelurahan.")})


class ProposalMember(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="members")
    nik = models.CharField("NIK", max_length=16, validators=[sixteen_digits])
    full_name = models.CharField(_("nama lengkap"), max_length=120)
    relation = models.CharField(_("hubungan dengan kepala keluarga"), max_length=12, choices=Relation.choices)
    birth_place = models.CharField(_("tempat lahir"), max_length=80)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    marital_status = models.CharField(_("status perkawinan"), max_length=12, choices=MaritalStatus.choices)
    education = models.CharField(_("pendidikan terakhir"), max_length=22, choices=Education.choices)
    occupation = models.CharField(_("pekerjaan"), max_length=22, choices=Occupation.choices)
    disability = models.CharField(_("disabilitas"), max_length=8, choices=Disability.choices, default=Disability.NONE)
    pregnant = models.BooleanField(_("sedang hamil"), default=False)

    class Meta:
        ordering = ["proposal_id", "id"]
        verbose_name = _("anggota keluarga usulan")
        verbose_name_plural = _("anggota keluarga usulan")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "nik"], name="proposal_member_nik_unique"),
            models.UniqueConstraint(
                fields=["proposal"], condition=models.Q(relation="kepala"), name="proposal_one_head"
            ),
            models.CheckConstraint(condition=models.Q(pregnant=False) | models.Q(sex="P"), name="only_women_pregnant"),
        ]
        indexes = [models.Index(fields=["nik"], name="proposal_member_nik")]  # duplicate checks by NIK alone

    def __str__(self) -> str:
        return self.full_name


class ProposalDocumentKind(models.TextChoices):
    KK_SCAN = "kk", _("Foto/pindaian Kartu Keluarga")
    KTP = "ktp", _("Foto KTP kepala keluarga")
    INCOME_STATEMENT = "penghasilan", _("Surat keterangan penghasilan / bukti aset")
    SKTM = "sktm", _("Surat Keterangan Tidak Mampu (SKTM)")
    HOUSE_PHOTO = "rumah", _("Foto rumah")
    PAPER_FORM = "formulir", _("Pindaian formulir usulan kertas")
    OTHER = "lainnya", _("Dokumen lain")


class ProposalDocument(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("jenis dokumen"), max_length=12, choices=ProposalDocumentKind.choices)
    image = models.FileField(storage=private_storage, max_length=200)
    thumbnail = models.FileField(storage=private_storage, max_length=200)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    quality_warnings = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal_id", "id"]
        verbose_name = _("dokumen usulan")
        verbose_name_plural = _("dokumen usulan")
        constraints = [models.UniqueConstraint(fields=["proposal", "sha256"], name="proposal_document_not_twice")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProposalEvent(models.Model):
    """One row per status change: the resident's timeline and the audit trail.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
    refuses them in the database too (migration 0003).
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    from_status = models.CharField(max_length=20, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ProposalStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("riwayat usulan")
        verbose_name_plural = _("riwayat usulan")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status or '-'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Riwayat usulan tidak dapat diubah.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Riwayat usulan tidak dapat dihapus.")


class DocumentAccess(models.Model):
    """Every staff view or download of a person's document (UU PDP accountability)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    document_type = models.CharField(max_length=20)
    document_id = models.PositiveBigIntegerField()
    variant = models.CharField(max_length=10, default="full")
    accessed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("akses dokumen")
        verbose_name_plural = _("akses dokumen")

    def __str__(self) -> str:
        return f"{self.user_id} {self.document_type}#{self.document_id} {self.accessed_at:%Y-%m-%d %H:%M}"
