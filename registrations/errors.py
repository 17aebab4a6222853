"""What registrations refuses, and why, in the user's words: one catalogue per area.

Services raise from here (``raise Conflict(PROPOSAL_ERRORS["kk_has_open_proposal"] %
{"number": n}, field="kk_number")``); the error types are in ``dtsen_portal.errors``.
The Indonesian sentences are the msgids ``locale/en`` translates: change one here and
its translation with it. The permission table's refusals stay in
``registrations.permissions.ACTIONS``.
"""

from django.utils.translation import gettext_lazy as _

#: Signing up as a resident and activating the account by e-mail.
SIGNUP_ERRORS = {
    "village_required": _("Pilih wilayah sampai tingkat desa/kelurahan."),
    "nik_registered": _("NIK ini sudah terdaftar. Silakan masuk atau gunakan fitur lupa kata sandi."),
    "email_taken": _("Alamat e-mail ini sudah dipakai akun lain."),
    "nik_or_email_registered": _("NIK atau e-mail ini sudah terdaftar."),
    "activation_expired": _("Tautan aktivasi sudah kedaluwarsa. Silakan daftar ulang atau hubungi operator desa."),
    "activation_invalid": _("Tautan aktivasi tidak sah."),
}

#: A resident's identity photos, and the village operator's review of them.
IDENTITY_ERRORS = {
    "already_confirmed": _("Identitas sudah dikonfirmasi; foto tidak perlu diganti."),
    "rejection_reason_required": _("Tuliskan alasan penolakan agar warga tahu apa yang harus diperbaiki."),
    "outside_village": _("Warga ini bukan dari desa/kelurahan Anda."),
    "already_reviewed": _("Identitas ini sudah diperiksa oleh petugas lain."),
}

#: Drafting a proposal (household, members, documents) and sending it.
PROPOSAL_ERRORS = {
    "not_editable_by_actor": _("Anda tidak dapat mengubah usulan ini."),
    "already_submitted": _("Usulan yang sudah dikirim tidak dapat diubah lagi."),
    "no_resident_profile": _("Akun ini belum memiliki profil warga."),
    "operator_outside_village": _("Operator hanya dapat mengentri usulan warga desa/kelurahannya sendiri."),
    "proposer_roles_only": _("Hanya warga dan operator desa/kelurahan yang dapat membuat usulan."),
    "update_reason_required": _("Pilih alasan perubahan data."),
    "kk_open_proposal": _("Sudah ada usulan yang masih berjalan untuk nomor KK ini."),
    "kk_has_open_proposal": _("Sudah ada usulan yang masih berjalan untuk nomor KK ini (%(number)s)."),
    "own_kk_only": _("Warga hanya dapat mengusulkan Kartu Keluarganya sendiri."),
    "village_not_domicile": _(
        "Desa/kelurahan harus sesuai domisili akun; pindah domisili diajukan sebagai perubahan data."
    ),
    "members_required": _("Isi minimal satu anggota keluarga."),
    "too_many_members": _("Paling banyak %(n)d anggota dalam satu KK."),
    "unknown_document_kind": _("Jenis dokumen tidak dikenal."),
    "too_many_documents": _("Paling banyak %(n)d dokumen per usulan."),
    "duplicate_document": _("Dokumen yang sama sudah diunggah."),
    "document_not_found": _("Dokumen tidak ditemukan."),
    "identity_unconfirmed": _("Usulan dapat dikirim setelah identitas Anda dikonfirmasi operator desa/kelurahan."),
}

#: Moving proposals through the workflow (``registrations.workflow``), one or a batch.
WORKFLOW_ERRORS = {
    "reason_required": _("Alasan wajib diisi untuk langkah ini."),
    "role_not_allowed": _("Peran Anda tidak berwenang melakukan langkah ini."),
    "not_proposer": _("Anda tidak dapat mengubah usulan ini."),
    "outside_region": _("Usulan ini di luar wilayah tugas Anda."),
    "numbered_outside_region": _("Usulan %(number)s di luar wilayah tugas Anda."),
    "wrong_status": _("Usulan sudah berstatus “%(status)s”; langkah ini tidak dapat dilakukan."),
    "numbered_wrong_status": _("Usulan %(number)s sudah berstatus “%(status)s”."),
    "role_separation": _(
        "Pemisahan peran: akun yang sama tidak boleh mencatat musyawarah dan memverifikasi/menyetujui usulan yang sama."
    ),
    "kk_other_open_proposal": _("Sudah ada usulan lain yang masih berjalan untuk nomor KK ini."),
    "none_selected": _("Pilih minimal satu usulan."),
    "some_not_found": _("Sebagian usulan tidak ditemukan."),
}
