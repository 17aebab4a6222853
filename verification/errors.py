"""What verification refuses, and why, in the user's words: one catalogue per area.

Services raise from here with the types of ``dtsen_portal.errors``, or with the two
file errors below. The Indonesian sentences are the msgids ``locale/en`` translates:
change one here and its translation with it.
"""

from django.utils.translation import gettext_lazy as _

from dtsen_portal.errors import DomainError


class PopulationImportError(DomainError):
    """The file as a whole cannot be imported (missing columns, not CSV text)."""


class AuditInputError(DomainError):
    """The file as a whole cannot be audited (not CSV/Excel, no ``nik`` column, ...)."""


#: Village deliberations (musdes/muskel, or an SPTJM) and their minutes.
MUSDES_ERRORS = {
    "basis_required": _("Pilih dasar: musdes, muskel, atau SPTJM."),
    "already_open": _("Masih ada musyawarah yang terbuka di desa/kelurahan ini; tutup dulu yang itu."),
    "unknown_outcome": _("Hasil tidak dikenal."),
    "rejection_reason_required": _("Alasan penolakan wajib dicatat dalam berita acara."),
    "no_items": _("Belum ada usulan yang dibahas."),
    "outcomes_pending": _("Masih ada usulan yang belum dicatat hasilnya."),
    "signer_required": _("Catat peserta, minimal satu penanda tangan berita acara selain pimpinan."),
    "wrong_status": _("Musyawarah ini sudah berstatus “%(status)s”."),
    "proposal_twice": _("Satu usulan hanya boleh muncul sekali."),
    "not_discussed": _("Usulan berikut tidak dibahas dalam musyawarah ini: %(numbers)s."),
}

#: Dinas Sosial's review: assigning a verifier and recording the field visit.
REVIEW_ERRORS = {
    "verifier_invalid": _("Verifikator harus petugas Dinas Sosial aktif dari kabupaten/kota yang sama."),
    "result_required": _("Pilih hasil kunjungan."),
    "notes_required": _("Tuliskan catatan: alasan penolakan atau apa yang harus diperbaiki desa."),
    "too_many_photos": _("Paling banyak %(n)d foto per kunjungan."),
    "assigned_to_other": _("Usulan ini ditugaskan kepada %(name)s."),
}

#: Approval and determination decrees over many proposals (pages and the batch API).
BATCH_ERRORS = {
    "number_required": _("Nomor dokumen wajib diisi."),
    "number_taken": _("Nomor dokumen ini sudah dipakai."),
    "none_selected": _("Pilih minimal satu usulan."),
    "determine_and_reject": _("Satu usulan tidak dapat ditetapkan sekaligus ditolak."),
    "period_required": _("Periode penetapan wajib diisi, mis. 2026-Q4."),
    "numbers_not_found": _("Usulan berikut tidak ditemukan di wilayah Anda: %(numbers)s."),
}

#: Importing population records and events (``PopulationImportError``).
POPULATION_ERRORS = {
    "header_unreadable": _("Baris judul (header) CSV tidak dapat dibaca: %(e)s"),
    "column_twice": _("Kolom %(col)s muncul dua kali di baris judul."),
    "columns_missing": _("Kolom wajib tidak ada di baris judul: %(missing)s. Kolom yang diperlukan: %(required)s."),
    "empty_file": _("Berkas kosong: baris judul (header) tidak ada."),
    "not_text": _("Berkas bukan CSV teks (berisi byte nol)."),
    "broken_csv": _("CSV rusak sekitar baris %(line)s: %(e)s"),
    "database_unsupported": _("Impor data kependudukan hanya mendukung PostgreSQL dan SQLite."),
    "unknown_kind": _("Jenis berkas tidak dikenal."),
    "not_allowed": _("Anda tidak berwenang mengimpor data kependudukan."),
}

#: Auditing a register extract (``AuditInputError``).
AUDIT_ERRORS = {
    "not_allowed": _("Anda tidak berwenang mengaudit data register."),
    "wrong_extension": _("Berkas harus .csv atau .xlsx."),
    "old_xls": _("Berkas .xls lama tidak didukung; simpan sebagai .xlsx atau CSV UTF-8."),
    "pdf": _("Berkas ini PDF, bukan CSV atau Excel."),
    "columns_missing": _("Kolom wajib tidak ada di baris judul: %(missing)s. Kolom yang dibaca: %(columns)s."),
    "id_column_missing": _("Kolom pengenal baris %(col)s tidak ada di baris judul."),
    "excel_unreadable": _("Berkas Excel tidak dapat dibaca; simpan ulang sebagai .xlsx atau CSV."),
    "file_not_found": _("Berkas %(name)s tidak ditemukan."),
    "excel_empty": _("Lembar pertama berkas Excel kosong."),
    "empty_file": _("Berkas kosong atau baris judul (header) tidak ada."),
    "not_text": _("Berkas ini bukan teks CSV (berisi data biner)."),
}

#: Resolving the flags a population import raised.
FLAG_ERRORS = {
    "note_required": _("Tulis catatan penyelesaian."),
    "note_too_long": _("Catatan paling banyak 1000 karakter."),
    "outside_region": _("Tanda ini tidak ada di wilayah Anda."),
    "already_resolved": _("Tanda ini sudah diselesaikan."),
}
