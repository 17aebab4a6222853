"""The portal's copy of the civil registry (Dukcapil): one row per NIK.

Codes are kept as text, not foreign keys to ``Region``: a person keeps the code their
NIK or KK was issued under (e.g. Papua before the 2022 split), and the register must
still be able to say so. ``name_key`` is the normalised name used for comparison (not
indexed: blocking uses birth date and sex); ``row_hash`` lets a rerun of the same
file skip unchanged rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LifeStatus(models.TextChoices):
    ALIVE = "alive", _("Hidup")
    DECEASED = "deceased", _("Meninggal")
    MOVED = "moved", _("Pindah")


class PopulationRecord(models.Model):
    nik = models.CharField("NIK", max_length=16)
    kk_number = models.CharField(_("nomor KK"), max_length=16)
    full_name = models.CharField(_("nama lengkap"), max_length=120)
    name_key = models.CharField(_("kunci nama"), max_length=120)
    birth_place = models.CharField(_("tempat lahir"), max_length=80, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, blank=True)
    village_code = models.CharField(_("kode desa/kelurahan"), max_length=13)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    rt = models.CharField("RT", max_length=3, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=LifeStatus.choices, default=LifeStatus.ALIVE)
    status_date = models.DateField(_("tanggal status"), null=True, blank=True)
    moved_to_code = models.CharField(_("pindah ke (kode wilayah)"), max_length=13, blank=True)
    row_hash = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data kependudukan")
        verbose_name_plural = _("data kependudukan")
        # Only the indexes a lookup uses, as plain Meta indexes: ``unique=True`` and
        # ``db_index=True`` on a varchar add a ``_like`` twin on PostgreSQL, and every
        # index slows the bulk import (bench/import_population.py). NIK: the upsert key;
        # KK: population events; birth date + sex: matching's blocking; village + birth
        # date: a village's people. ``name_key`` is compared, never looked up.
        indexes = [
            models.Index(fields=["kk_number"], name="population_kk"),
            models.Index(fields=["birth_date", "sex"], name="population_birth_sex"),
            models.Index(fields=["village_code", "birth_date"], name="population_village_birth"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["nik"], name="population_nik_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=["alive", "deceased", "moved"]), name="population_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nik[:6]}****** {self.full_name}"
