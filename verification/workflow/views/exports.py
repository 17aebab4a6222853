"""CSV and Excel exports of the staff queues (``?format=csv`` / ``?format=xlsx``).

The queue views call ``export_response`` with the same scoped, filtered queryset the
page lists, so an export holds exactly what the user may see with the filters applied.

Personal numbers never leave in bulk: the columns carry no NIK and no KK number (UU
PDP 27/2022; a spreadsheet is copied and mailed around in a way a page is not). Staff
who need a number open the proposal page, where the view is scoped and logged.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import Proposal
from verification.spreadsheet import csv_cell, xlsx_cell
from verification.workflow.selectors import days_since

EXPORT_FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_format(request) -> str | None:
    value = request.GET.get("format", "")
    return value if value in EXPORT_FORMATS else None


def header() -> list[str]:
    # Deliberately no NIK / KK column: see the module docstring.
    return [
        _("Nomor usulan"),
        _("Status"),
        _("Kode desa/kelurahan"),
        _("Desa/kelurahan"),
        _("Kecamatan"),
        _("Kabupaten/kota"),
        "RT/RW",
        _("Kepala keluarga"),
        _("Jumlah anggota"),
        _("Diajukan"),
        _("Lama menunggu (hari)"),
        _("Verifikator"),
        _("Jumlah tanda NIK ganda"),
        _("Jumlah anggota perlu cek data kependudukan"),
    ]


def _verifier_name(proposal: Proposal) -> str:
    assignment = getattr(proposal, "assignment", None)
    if assignment is None:
        return ""
    return assignment.verifier.get_full_name() or assignment.verifier.username


def row_values(proposal: Proposal, now) -> list:
    village = proposal.village
    district = village.parent
    regency = district.parent if district else None
    submitted = timezone.localtime(proposal.submitted_at) if proposal.submitted_at else None
    return [
        proposal.tracking_number,
        proposal.get_status_display(),
        village.code,
        village.display_name,
        district.display_name if district else "",
        regency.display_name if regency else "",
        f"{proposal.rt}/{proposal.rw}" if proposal.rt or proposal.rw else "",
        proposal.head_name or "",
        proposal.member_count,
        submitted,
        days_since(proposal.waiting_since, now),
        _verifier_name(proposal),
        proposal.flag_count,
        proposal.match_count,
    ]


def _rows(queryset) -> Iterator[list]:
    now = timezone.now()
    for proposal in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield row_values(proposal, now)


def safe_filename(stem: str, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "ekspor"
    return f"{stem[:80]}-{timezone.localdate():%Y%m%d}.{extension}"


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


# --- CSV -----------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def _csv_lines(columns: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 (Indonesian names with diacritics) correctly
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_table_response(columns: list[str], rows: Iterable[list], stem: str) -> StreamingHttpResponse:
    """Any table as a streamed CSV download (rows are produced while sending)."""
    response = StreamingHttpResponse(_csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(stem, "csv")}"'
    return _no_store(response)


def csv_response(queryset, stem: str) -> StreamingHttpResponse:
    return csv_table_response(header(), _rows(queryset), stem)


# --- Excel ---------------------------------------------------------------------------------------


def xlsx_response(queryset, stem: str, title: str) -> HttpResponse:
    return xlsx_table_response(header(), _rows(queryset), stem, title)


def xlsx_table_response(columns: list[str], rows: Iterable[list], stem: str, title: str) -> HttpResponse:
    """Any table as a write-only workbook (rows go straight to disk, not held in memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([xlsx_cell(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=safe_filename(stem, "xlsx"), content_type=XLSX_TYPE)
    return _no_store(response)


def export_response(request, queryset, *, stem: str, title: str):
    """The queue as a file in the requested format (the caller checked ``export_format``)."""
    if export_format(request) == "xlsx":
        return xlsx_response(queryset, stem, title)
    return csv_response(queryset, stem)
