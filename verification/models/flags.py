"""Population events (births, deaths, moves, KK changes) and the flags they raise.

An event is a fact from the civil registry, stored once under its ``event_key`` (the
file's ``event_id``, or a hash of the row when the file has none), so a rerun of the
same file adds nothing. A flag asks staff to look at a registered household or an open
proposal the event touched; it carries the village for region scoping and is raised at
most once per event and target (two partial unique constraints: NULLs never collide).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.scoping import RegionScopedQuerySet


class EventType(models.TextChoices):
    BIRTH = "birth", _("Kelahiran")
    DEATH = "death", _("Kematian")
    MOVE = "move", _("Pindah")
    KK_CHANGE = "kk_change", _("Perubahan KK")


class PopulationEvent(models.Model):
    event_key = models.CharField(_("kunci peristiwa"), max_length=64, unique=True)
    event_type = models.CharField(_("jenis peristiwa"), max_length=10, choices=EventType.choices)
    nik = models.CharField("NIK", max_length=16)
    event_date = models.DateField(_("tanggal peristiwa"))
    kk_number = models.CharField(_("nomor KK"), max_length=16, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=120, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, blank=True)
    village_code = models.CharField(_("kode desa/kelurahan"), max_length=13, blank=True)
    moved_to_code = models.CharField(_("pindah ke (kode wilayah)"), max_length=13, blank=True)
    new_kk_number = models.CharField(_("nomor KK baru"), max_length=16, blank=True)
    row_hash = models.CharField(max_length=32)
    record = models.ForeignKey(
        "verification.PopulationRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("peristiwa kependudukan")
        verbose_name_plural = _("peristiwa kependudukan")
        indexes = [models.Index(fields=["nik", "event_date"], name="population_event_nik_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(event_type__in=EventType.values),
                name="population_event_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.nik[:6]}****** {self.event_date}"


class FlagKind(models.TextChoices):
    DECEASED = "meninggal", _("Anggota meninggal")
    MOVED_OUT = "pindah", _("Anggota pindah keluar desa")
    BIRTH = "kelahiran", _("Kelahiran (anak balita baru)")
    KK_CHANGE = "ganti_kk", _("Perubahan nomor KK")


class PopulationFlagQuerySet(RegionScopedQuerySet):
    region_field = "village"

    def open(self):
        return self.filter(resolved_at__isnull=True)


class PopulationFlag(models.Model):
    kind = models.CharField(_("jenis tanda"), max_length=10, choices=FlagKind.choices)
    event = models.ForeignKey(PopulationEvent, on_delete=models.CASCADE, related_name="flags")
    household = models.ForeignKey(
        "registrations.Household", null=True, blank=True, on_delete=models.CASCADE, related_name="population_flags"
    )
    proposal = models.ForeignKey(
        "registrations.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="population_flags"
    )
    member = models.ForeignKey(
        "registrations.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal_member = models.ForeignKey(
        "registrations.ProposalMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_name = models.CharField(_("nama anggota"), max_length=120, blank=True)
    masked_nik = models.CharField(_("NIK (disamarkan)"), max_length=20)
    village = models.ForeignKey(
        "registrations.Region", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(_("catatan penyelesaian"), blank=True)

    objects = PopulationFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tanda peristiwa kependudukan")
        verbose_name_plural = _("tanda peristiwa kependudukan")
        indexes = [
            models.Index(fields=["village", "resolved_at"], name="population_flag_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False, proposal__isnull=True)
                | models.Q(household__isnull=True, proposal__isnull=False),
                name="population_flag_one_target",
            ),
            models.UniqueConstraint(
                fields=["event", "household"],
                condition=models.Q(household__isnull=False),
                name="population_flag_event_household",
            ),
            models.UniqueConstraint(
                fields=["event", "proposal"],
                condition=models.Q(proposal__isnull=False),
                name="population_flag_event_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.masked_nik}"
