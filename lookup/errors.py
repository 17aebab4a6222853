"""What usul sanggah refuses, and why, in the user's words: one catalogue per area.

Services raise from here with the types of ``dtsen_portal.errors``. The Indonesian
sentences are the msgids ``locale/en`` translates: change one here and its translation
with it.
"""

from django.utils.translation import gettext_lazy as _

#: Picking a person from a lookup result and filing an objection (``lookup.services``).
SANGGAH_ERRORS = {
    "pick_invalid": _("Pilihan orang tidak sah atau sudah kedaluwarsa. Cari kembali di Cek Bansos."),
    "pick_changed": _("Data orang tersebut sudah berubah. Cari kembali di Cek Bansos."),
    "resident_unconfirmed": _("Hanya warga dengan identitas terkonfirmasi yang dapat mengajukan sanggah."),
    "reason_not_for_kind": _("Pilih alasan yang sesuai dengan jenis sanggah."),
    "too_many_photos": _("Paling banyak %(n)d foto bukti."),
    "outside_own_village": _("Sanggah hanya untuk warga desa/kelurahan Anda sendiri."),
    "neighbour_name_required": _("Tulis nama tetangga yang diusulkan."),
    "daily_limit": _("Batas %(n)d sanggah per hari sudah tercapai. Silakan ajukan lagi besok."),
    "number_unavailable": _("Nomor sanggah tidak dapat dibuat. Coba lagi."),
}

#: Moving a filed case (``lookup.sanggah_workflow``).
SANGGAH_WORKFLOW_ERRORS = {
    "unknown_move": _("Langkah tidak dikenal."),
    "role_not_allowed": _("Peran Anda tidak dapat melakukan langkah ini."),
    "note_required": _("Tuliskan catatan untuk langkah ini."),
    "outside_region": _("Sanggah ini di luar wilayah tugas Anda."),
    "wrong_status": _("Sanggah %(number)s sudah berstatus %(status)s."),
}
