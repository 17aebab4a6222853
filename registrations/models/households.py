"""Households (Kartu Keluarga) and their members (by NIK).

The foundation keeps only what identifies a household and its people; the residents
issue adds the socio-economic variables and the proposal that carries them.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.scoping import RegionScopedQuerySet

from .choices import Disability, Education, MaritalStatus, Occupation, Relation, Sex
from .conditions import HouseholdConditions

sixteen_digits = RegexValidator(r"^\d{16}$", _("Harus 16 digit angka."))
rt_rw_validator = RegexValidator(r"^\d{1,3}$", _("RT/RW berupa angka 1-3 digit."))


class HouseholdQuerySet(RegionScopedQuerySet):
    region_field = "village"


class Household(HouseholdConditions):
    kk_number = models.CharField(_("nomor KK"), max_length=16, unique=True, validators=[sixteen_digits])
    village = models.ForeignKey(
        "registrations.Region",
        verbose_name=_("desa/kelurahan"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": 4},
    )
    address = models.CharField(_("alamat"), max_length=200)
    rt = models.CharField("RT", max_length=3, validators=[rt_rw_validator])
    rw = models.CharField("RW", max_length=3, validators=[rt_rw_validator])
    registered_at = models.DateTimeField(_("masuk DTSEN"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["village_id", "id"]
        verbose_name = _("rumah tangga")
        verbose_name_plural = _("rumah tangga")

    def __str__(self) -> str:
        return f"KK {self.masked_kk_number}"

    @property
    def masked_kk_number(self) -> str:
        return f"{self.kk_number[:6]}******{self.kk_number[-4:]}"

    @property
    def head(self):
        return next((m for m in self.members.all() if m.relation == Relation.HEAD), None)


class MemberQuerySet(RegionScopedQuerySet):
    region_field = "household__village"


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    nik = models.CharField("NIK", max_length=16, unique=True, validators=[sixteen_digits])
    full_name = models.CharField(_("nama lengkap"), max_length=120)
    birth_place = models.CharField(_("tempat lahir"), max_length=80)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    relation = models.CharField(_("hubungan dengan kepala keluarga"), max_length=12, choices=Relation.choices)
    marital_status = models.CharField(_("status perkawinan"), max_length=12, choices=MaritalStatus.choices)
    occupation = models.CharField(_("pekerjaan"), max_length=22, choices=Occupation.choices, blank=True)
    education = models.CharField(_("pendidikan terakhir"), max_length=22, choices=Education.choices, blank=True)
    disability = models.CharField(_("disabilitas"), max_length=8, choices=Disability.choices, default=Disability.NONE)
    pregnant = models.BooleanField(_("sedang hamil"), default=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(relation="kepala"), name="one_head_per_household"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name
