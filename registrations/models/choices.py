"""Choices shared by the register (Household/Member) and proposals (usulan)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class Relation(models.TextChoices):
    HEAD = "kepala", _("Kepala keluarga")
    SPOUSE = "pasangan", _("Suami/istri")
    CHILD = "anak", _("Anak")
    CHILD_IN_LAW = "menantu", _("Menantu")
    GRANDCHILD = "cucu", _("Cucu")
    PARENT = "orang_tua", _("Orang tua")
    PARENT_IN_LAW = "mertua", _("Mertua")
    OTHER_FAMILY = "famili", _("Famili lain")
    OTHER = "lainnya", _("Lainnya")


class MaritalStatus(models.TextChoices):
    SINGLE = "belum_kawin", _("Belum kawin")
    MARRIED = "kawin", _("Kawin")
    DIVORCED = "cerai_hidup", _("Cerai hidup")
    WIDOWED = "cerai_mati", _("Cerai mati")


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("Tidak/belum sekolah")
    PRIMARY = "sd", _("SD/sederajat")
    JUNIOR = "smp", _("SMP/sederajat")
    SENIOR = "sma", _("SMA/SMK/sederajat")
    DIPLOMA = "diploma", _("Diploma (D1-D3)")
    DEGREE = "sarjana", _("D4/S1 ke atas")


class Occupation(models.TextChoices):
    NONE = "tidak_bekerja", _("Tidak bekerja")
    STUDENT = "pelajar", _("Pelajar/mahasiswa")
    HOMEMAKER = "mengurus_rumah_tangga", _("Mengurus rumah tangga")
    FARMER = "petani", _("Petani/pekebun")
    FISHER = "nelayan", _("Nelayan")
    LABOURER = "buruh", _("Buruh harian lepas")
    TRADER = "pedagang", _("Pedagang")
    SELF_EMPLOYED = "wiraswasta", _("Wiraswasta")
    PRIVATE_EMPLOYEE = "karyawan_swasta", _("Karyawan swasta")
    CIVIL_SERVANT = "asn", _("ASN/PNS")
    SOLDIER = "tni", _("TNI")
    POLICE = "polri", _("Polri")
    RETIRED = "pensiunan", _("Pensiunan")
    OTHER = "lainnya", _("Lainnya")


#: Members in these occupations make a household ineligible for aid (the programmes'
#: ``excluded_occupation`` exclusion, docs/eligibility.md).
EXCLUDED_OCCUPATIONS = frozenset({Occupation.CIVIL_SERVANT, Occupation.SOLDIER, Occupation.POLICE})


class Disability(models.TextChoices):
    NONE = "tidak", _("Tidak ada")
    MILD = "ringan", _("Disabilitas ringan/sedang")
    SEVERE = "berat", _("Disabilitas berat")


class ProgrammeCode(models.TextChoices):
    """Programme codes a proposal may ask for; eligibility models their rules."""

    PKH = "PKH", _("PKH (Program Keluarga Harapan)")
    SEMBAKO = "BPNT", _("BPNT / Kartu Sembako")
    PBI_JK = "PBI_JK", _("PBI-JK (iuran JKN dibayar negara)")
    BLT = "BLT", _("BLT (bantuan langsung tunai)")
    KIP_KULIAH = "KIP_KULIAH", _("KIP-Kuliah")
