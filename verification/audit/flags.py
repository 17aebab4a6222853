"""The audit's flags: the exact names of the contract and their Indonesian labels."""

from django.utils.translation import gettext_lazy as _

INVALID_NIK = "invalid_nik"
NIK_NOT_FOUND = "nik_not_found"
DECEASED = "deceased"
MOVED = "moved"
NAME_MISMATCH = "name_mismatch"
BIRTH_DATE_MISMATCH = "birth_date_mismatch"
SEX_MISMATCH = "sex_mismatch"
KK_MISMATCH = "kk_mismatch"
DUPLICATE_NIK = "duplicate_nik"
DUPLICATE_PERSON = "duplicate_person"

#: Every flag, in the order reports list them.
FLAGS = (
    INVALID_NIK,
    NIK_NOT_FOUND,
    DECEASED,
    MOVED,
    NAME_MISMATCH,
    BIRTH_DATE_MISMATCH,
    SEX_MISMATCH,
    KK_MISMATCH,
    DUPLICATE_NIK,
    DUPLICATE_PERSON,
)

LABELS = {
    INVALID_NIK: _("NIK tidak sah"),
    NIK_NOT_FOUND: _("NIK tidak ditemukan di data kependudukan"),
    DECEASED: _("Tercatat meninggal"),
    MOVED: _("Tercatat di desa/kelurahan lain"),
    NAME_MISMATCH: _("Nama berbeda"),
    BIRTH_DATE_MISMATCH: _("Tanggal lahir berbeda"),
    SEX_MISMATCH: _("Jenis kelamin berbeda"),
    KK_MISMATCH: _("Nomor KK berbeda"),
    DUPLICATE_NIK: _("NIK ganda di rumah tangga lain"),
    DUPLICATE_PERSON: _("Orang yang sama dengan NIK lain"),
}
