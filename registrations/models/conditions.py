"""The household's socio-economic variables, shared by proposals, visits and the register."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdConditions(models.Model):
    """The 11 household indicators of Permensos 3/2021, assets and income.

    Indicator 10 (under 8 m² of floor per person) is derived from ``floor_area_m2``
    and the member count rather than asked, so the two can never disagree.
    """

    no_fixed_income = models.BooleanField(
        _("Tidak punya penghasilan tetap / tidak mampu memenuhi kebutuhan pokok"), default=False
    )
    spends_mostly_on_staple_food = models.BooleanField(
        _("Sebagian besar pengeluaran untuk makanan pokok sangat sederhana"), default=False
    )
    health_care_only_subsidised = models.BooleanField(
        _("Hanya mampu berobat ke puskesmas atau yang disubsidi pemerintah"), default=False
    )
    cannot_buy_yearly_clothes = models.BooleanField(
        _("Tidak mampu membeli pakaian satu kali setahun untuk setiap anggota"), default=False
    )
    schooling_up_to_junior_secondary = models.BooleanField(
        _("Hanya mampu menyekolahkan anak sampai SMP/sederajat"), default=False
    )
    poor_walls = models.BooleanField(_("Dinding bambu/kayu/tembok kualitas rendah atau rusak"), default=False)
    poor_floor = models.BooleanField(_("Lantai tanah/kayu/semen/keramik kualitas rendah"), default=False)
    poor_roof = models.BooleanField(_("Atap ijuk/rumbia/genteng/seng/asbes kondisi rusak"), default=False)
    no_metered_electricity = models.BooleanField(
        _("Penerangan bukan listrik atau listrik tanpa meteran"), default=False
    )
    unprotected_water_source = models.BooleanField(
        _("Air minum dari sumur/mata air tak terlindung, sungai, atau air hujan"), default=False
    )
    floor_area_m2 = models.DecimalField(
        _("luas lantai rumah (m²)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    monthly_income = models.PositiveIntegerField(
        _("penghasilan rumah tangga per bulan (Rp)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1_000_000_000)],
    )
    owns_motorcycle = models.BooleanField(_("Memiliki sepeda motor"), default=False)
    owns_car = models.BooleanField(_("Memiliki mobil"), default=False)
    owns_refrigerator = models.BooleanField(_("Memiliki lemari es"), default=False)
    owns_land = models.BooleanField(_("Memiliki lahan/tanah selain rumah"), default=False)
    owns_livestock = models.BooleanField(_("Memiliki ternak besar (sapi/kerbau/kuda)"), default=False)

    INDICATOR_FIELDS = (
        "no_fixed_income",
        "spends_mostly_on_staple_food",
        "health_care_only_subsidised",
        "cannot_buy_yearly_clothes",
        "schooling_up_to_junior_secondary",
        "poor_walls",
        "poor_floor",
        "poor_roof",
        "no_metered_electricity",
        "unprotected_water_source",
    )
    ASSET_FIELDS = ("owns_motorcycle", "owns_car", "owns_refrigerator", "owns_land", "owns_livestock")

    class Meta:
        abstract = True

    def floor_area_per_person_below_8(self, member_count: int) -> bool | None:
        if not self.floor_area_m2 or not member_count:
            return None
        return float(self.floor_area_m2) / member_count < 8
