"""Distribution of households per desil, per programme and per regency (charts,
numbers, CSV and Excel), within the user's region.

Aggregates only: no names, NIK or KK numbers leave in these files.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from registrations.models import Region
from registrations.permissions import may
from registrations.scoping import code_in_scope, region_scope

from ..selectors import Distribution, distribution, latest_period_with_results
from .common import chosen_period, periods_for_select

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(d: Distribution):
    """``(section, region code, region, category, number)`` for the files."""
    scope_name = _("Nasional") if not d.scope else d.scope
    for bar in d.per_desil:
        yield (_("Rumah tangga per desil"), d.scope, scope_name, bar.label, bar.value)
    for p in d.per_programme:
        name = p["programme"].code
        yield (_("Penerima per program"), d.scope, scope_name, f"{name} {_('memenuhi syarat')}", p["eligible"])
        yield (_("Penerima per program"), d.scope, scope_name, f"{name} {_('penerima')}", p["included"])
        yield (_("Penerima per program"), d.scope, scope_name, f"{name} {_('kuota')}", p["quota"] or 0)
        yield (_("Penerima per program"), d.scope, scope_name, f"{name} {_('perlu ditinjau')}", p["flagged"])
    for r in d.regencies:
        yield (_("Per kabupaten/kota"), r.code, r.name, _("rumah tangga"), r.households)
        for desil, n in enumerate(r.per_desil, start=1):
            yield (_("Per kabupaten/kota"), r.code, r.name, f"Desil {desil}", n)
        for code, n in r.included.items():
            yield (_("Per kabupaten/kota"), r.code, r.name, f"{code} {_('penerima')}", n)


HEADER = ("bagian", "kode_wilayah", "wilayah", "kategori", "jumlah")


def _filename(d: Distribution, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"sebaran-desil-{d.scope or 'nasional'}-{d.period or ''}").strip("-")
    return f"{stem}-{timezone.localdate():%Y%m%d}.{ext}"


def _csv(d: Distribution) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_rows(d))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(d, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


def _xlsx(d: Distribution) -> FileResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    desil = workbook.create_sheet("Desil")
    desil.append(["desil", "rumah_tangga", "persen"])
    for bar in d.per_desil:
        desil.append([int(bar.code), bar.value, bar.percent])
    programmes = workbook.create_sheet("Program")
    programmes.append(["program", "memenuhi_syarat", "penerima", "kuota", "perlu_ditinjau"])
    for p in d.per_programme:
        programmes.append([p["programme"].code, p["eligible"], p["included"], p["quota"], p["flagged"]])
    regencies = workbook.create_sheet("Kabupaten-Kota")
    codes = [p.code for p in d.programmes]
    regencies.append(
        [
            "kode",
            "kabupaten_kota",
            "rumah_tangga",
            *[f"desil_{i}" for i in range(1, 11)],
            *[f"penerima_{c}" for c in codes],
        ]
    )
    for r in d.regencies:
        regencies.append([r.code, r.name, r.households, *r.per_desil, *[r.included.get(c, 0) for c in codes]])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=_filename(d, "xlsx"), content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@may("eligibility.read")
def distribution_view(request):
    period = chosen_period(request, default=latest_period_with_results())
    regency = request.GET.get("wilayah", "").strip()
    # Only a regency inside the user's own region; anything else looks missing.
    if regency and (
        not re.fullmatch(r"\d{2}\.\d{2}", regency) or not code_in_scope(regency, region_scope(request.user))
    ):
        raise Http404
    d = distribution(request.user, period, regency or None)
    fmt = request.GET.get("format")
    if fmt == "csv":
        return _csv(d)
    if fmt == "xlsx":
        return _xlsx(d)
    scope_region = Region.objects.filter(code=d.scope).first() if d.scope else None
    regency_region = Region.objects.filter(code=regency).first() if regency else None
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "eligibility/distribution.html",
        {
            "d": d,
            "period": period,
            "periods": periods_for_select(),
            "scope_region": scope_region,
            "regency": regency_region,
            "export_query": query.urlencode(),
            "max_desil": max([b.value for b in d.per_desil] + [1]),
        },
    )
