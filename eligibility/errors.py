"""What eligibility refuses, and why, in the staff's words: one catalogue per area.

``RunRefused`` is the area's error type; the runs raise it from ``RUN_ERRORS``. The
Indonesian sentences are the msgids ``locale/en`` translates: change one here and its
translation with it.
"""

from django.utils.translation import gettext_lazy as _

from dtsen_portal.errors import DomainError


class RunRefused(DomainError):
    """The run cannot start now; the message says why (shown to staff)."""


#: Starting a scoring or determination run (``eligibility.runs``).
RUN_ERRORS = {
    "activate_draft_only": _("Hanya model draf yang dapat diaktifkan."),
    "rerun_active_only": _("Hitung ulang hanya untuk model yang aktif."),
    "determination_running": _("Penetapan penerima sedang berjalan; hitung skor setelah selesai."),
    "scoring_running": _("Penghitungan skor lain sedang berjalan."),
    "no_active_model": _("Belum ada model skor yang aktif."),
    "scoring_running_wait": _("Penghitungan skor sedang berjalan; jalankan penetapan setelah selesai."),
    "determination_already_running": _("Penetapan program dan periode ini sedang berjalan."),
}
