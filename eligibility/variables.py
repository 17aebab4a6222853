"""The variables of the welfare score (proxy-means test) and how each is measured.

A score model gives every variable a weight (``ScoreWeight``); the score of a household
is ``Σ value × weight``. **A higher score means better off**: indicators of poverty
carry negative weights, assets and income positive ones. Desil 1 holds the 10 % of
households with the lowest scores (the poorest).

The value of each variable is defined once, as SQL, in ``eligibility.scoring``; this
module only names them, in the order the pages list them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Members younger than this count as children in the dependency ratio.
CHILD_AGE_LIMIT = 15
#: Members this old or older count as elderly in the dependency ratio.
ELDERLY_AGE = 65
#: Per-capita income above this (Rp per person per month) adds nothing more to the score.
INCOME_CAP = 5_000_000
#: Indicator 10 of Permensos 3/2021: less floor than this per person (m²).
CROWDED_M2_PER_PERSON = 8


@dataclass(frozen=True)
class Variable:
    code: str
    label: Promise | str
    unit: Promise | str
    group: str


YES_NO = _("ya = 1, tidak = 0")

VARIABLES: tuple[Variable, ...] = (
    # The 11 household indicators of Permensos 3/2021 (the 10th derived from floor area).
    Variable("no_fixed_income", _("Tidak punya penghasilan tetap"), YES_NO, "indikator"),
    Variable("spends_mostly_on_staple_food", _("Pengeluaran sebagian besar untuk makanan pokok"), YES_NO, "indikator"),
    Variable("health_care_only_subsidised", _("Hanya mampu berobat ke puskesmas/yang disubsidi"), YES_NO, "indikator"),
    Variable("cannot_buy_yearly_clothes", _("Tidak mampu membeli pakaian setahun sekali"), YES_NO, "indikator"),
    Variable("schooling_up_to_junior_secondary", _("Hanya mampu menyekolahkan anak sampai SMP"), YES_NO, "indikator"),
    Variable("poor_walls", _("Dinding bambu/kayu/tembok rusak"), YES_NO, "indikator"),
    Variable("poor_floor", _("Lantai tanah/kayu/semen kualitas rendah"), YES_NO, "indikator"),
    Variable("poor_roof", _("Atap ijuk/rumbia/seng/asbes rusak"), YES_NO, "indikator"),
    Variable("no_metered_electricity", _("Penerangan bukan listrik/listrik tanpa meteran"), YES_NO, "indikator"),
    Variable("unprotected_water_source", _("Air minum dari sumber tak terlindung"), YES_NO, "indikator"),
    Variable("crowded", _("Luas lantai kurang dari 8 m² per orang"), YES_NO, "indikator"),
    # Assets
    Variable("owns_motorcycle", _("Memiliki sepeda motor"), YES_NO, "aset"),
    Variable("owns_car", _("Memiliki mobil"), YES_NO, "aset"),
    Variable("owns_refrigerator", _("Memiliki lemari es"), YES_NO, "aset"),
    Variable("owns_land", _("Memiliki lahan selain rumah"), YES_NO, "aset"),
    Variable("owns_livestock", _("Memiliki ternak besar"), YES_NO, "aset"),
    # Income and composition
    Variable(
        "income_per_capita",
        _("Penghasilan per orang per bulan"),
        _("juta Rp per orang per bulan, paling tinggi 5"),
        "ekonomi",
    ),
    Variable("household_size", _("Jumlah anggota rumah tangga"), _("orang"), "demografi"),
    Variable(
        "dependency_ratio",
        _("Rasio ketergantungan"),
        _("(anak < 15 th + lansia ≥ 65 th) ÷ anggota usia 15-64 th (paling sedikit 1)"),
        "demografi",
    ),
    # Region: a constant whose weight may differ by province (price level, remoteness).
    Variable("constant", _("Konstanta (dapat berbeda per provinsi)"), _("selalu 1"), "wilayah"),
)

VARIABLE_CODES: tuple[str, ...] = tuple(v.code for v in VARIABLES)
VARIABLE_BY_CODE: dict[str, Variable] = {v.code: v for v in VARIABLES}
VARIABLE_CHOICES = [(v.code, v.label) for v in VARIABLES]

#: Variables read straight from a boolean column of the household.
BOOLEAN_FIELDS: tuple[str, ...] = (
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
    "owns_motorcycle",
    "owns_car",
    "owns_refrigerator",
    "owns_land",
    "owns_livestock",
)
