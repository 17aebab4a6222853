"""'Data saya': a resident sees and downloads what the portal holds about them (UU PDP).

Correction goes through the existing proposal wizard as a data-update proposal
(reason "Perbaikan data"), so it is verified like any other change.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registrations.models import ProposalKind, UpdateReason
from registrations.permissions import user_may
from registrations.services import my_data as my_data_service


def _resident_only(user) -> None:
    if not user_may(user, "resident"):
        raise PermissionDenied  # staff data is not "theirs"; a resident asks for their own only


@never_cache
@login_required
@require_GET
def my_data(request):
    _resident_only(request.user)
    data, files = my_data_service.collect(request.user)
    summary = {
        "households": len(data["rumah_tangga"]),
        "members": sum(len(h["anggota"]) for h in data["rumah_tangga"]),
        "proposals": len(data["usulan"]),
        "events": sum(len(p["riwayat"]) for p in data["usulan"]),
        "files": len(files),
        "scores": len(data.get("skor_dan_desil", [])),
        "results": len(data.get("hasil_program", [])),
        "objections": len(data.get("sanggah", [])),
        "accesses": len(data["akses_dokumen_oleh_petugas"]),
    }
    return render(
        request,
        "registrations/my_data.html",
        {
            "summary": summary,
            "accesses": data["akses_dokumen_oleh_petugas"][-20:],
            "update_kind": ProposalKind.UPDATE,
            "correction_reason": UpdateReason.CORRECTION,
        },
    )


@never_cache
@login_required
@require_GET
def my_data_download(request):
    _resident_only(request.user)
    # In memory up to 8 MB, then a temporary file: a household with many photos is fine.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    my_data_service.write_zip(request.user, spool)
    spool.seek(0)
    filename = f"data-saya-{timezone.localdate():%Y%m%d}.zip"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type="application/zip")
