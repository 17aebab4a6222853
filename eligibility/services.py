"""Writes for eligibility pages: model versions and weights, programmes, quotas,
official desil files. Batch runs live in ``eligibility.runs``."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from registrations.models import Household, Region, RegionLevel

from . import sql
from .models import (
    DesilSource,
    HouseholdScore,
    ModelStatus,
    OfficialDesil,
    OfficialDesilImport,
    Programme,
    Quota,
    ScoreModel,
    ScoreWeight,
)
from .periods import parse_period
from .variables import VARIABLE_CODES


class NotEditable(Exception):
    pass


def model_copy(*, source: ScoreModel, user, name: str = "") -> ScoreModel:
    """A new draft version with the same weights (national and per province)."""
    with transaction.atomic():
        version = (ScoreModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
        model = ScoreModel.objects.create(
            version=version,
            name=name or f"Salinan dari v{source.version}",
            notes="",
            based_on=source,
            created_by=user,
        )
        ScoreWeight.objects.bulk_create(
            ScoreWeight(model=model, variable=w.variable, province_code=w.province_code, weight=w.weight)
            for w in source.weights.all()
        )
    return model


def _require_draft(model: ScoreModel) -> None:
    if model.status != ModelStatus.DRAFT:
        raise NotEditable("Hanya model draf yang dapat diubah; salin model ini menjadi versi baru.")


def national_weights_save(*, model: ScoreModel, weights: dict[str, Decimal], name: str, notes: str) -> None:
    _require_draft(model)
    with transaction.atomic():
        ScoreModel.objects.filter(pk=model.pk).update(name=name, notes=notes)
        for variable, weight in weights.items():
            if variable not in VARIABLE_CODES:
                raise ValidationError(f"Variabel tidak dikenal: {variable}")
            ScoreWeight.objects.update_or_create(
                model=model, variable=variable, province_code="", defaults={"weight": weight}
            )


def override_save(*, model: ScoreModel, variable: str, province_code: str, weight: Decimal) -> ScoreWeight:
    _require_draft(model)
    if not Region.objects.filter(code=province_code, level=RegionLevel.PROVINCE).exists():
        raise ValidationError("Provinsi tidak dikenal.")
    weight_row, _created = ScoreWeight.objects.update_or_create(
        model=model, variable=variable, province_code=province_code, defaults={"weight": weight}
    )
    return weight_row


def override_delete(*, model: ScoreModel, weight_id: int) -> None:
    _require_draft(model)
    ScoreWeight.objects.filter(model=model, pk=weight_id).exclude(province_code="").delete()


def programme_update(*, programme: Programme, user, **fields) -> Programme:
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.updated_by = user
    programme.full_clean()
    programme.save()
    return programme


def quotas_save(*, programme: Programme, period: str, sizes: dict[str, int | None], user) -> int:
    """Set the quota of each regency (``None`` removes it). Returns rows changed."""
    parse_period(period)
    regencies = set(
        Region.objects.filter(code__in=list(sizes), level=RegionLevel.REGENCY).values_list("code", flat=True)
    )
    changed = 0
    with transaction.atomic():
        for code, size in sizes.items():
            if code not in regencies:
                raise ValidationError(f"Bukan kabupaten/kota: {code}")
            if size is None:
                changed += Quota.objects.filter(programme=programme, period=period, regency_id=code).delete()[0]
                continue
            quota, created = Quota.objects.get_or_create(
                programme=programme, period=period, regency_id=code, defaults={"size": size, "updated_by": user}
            )
            if not created and quota.size != size:
                quota.size = size
                quota.updated_by = user
                quota.save(update_fields=["size", "updated_by", "updated_at"])
                changed += 1
            changed += created
    return changed


# --- official desil file -------------------------------------------------------------------------

KK_COLUMNS = ("no_kk", "nomor_kk", "kk", "kk_number", "nokk")
DESIL_COLUMNS = ("desil", "desil_nasional")
MAX_ERRORS_KEPT = 50


@dataclass
class ImportReport:
    record: OfficialDesilImport
    errors: list[str] = field(default_factory=list)


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def official_import(*, data: bytes, file_name: str, period: str, user) -> ImportReport:
    """Read a CSV of ``no_kk`` and ``desil`` (comma or semicolon; header row required).

    Rows for the same KK and period replace earlier ones (the newest file wins); the
    scores of the active model take the official desil at once, and every later
    scoring run applies it again. A KK not (yet) in the register is kept for later.
    """
    parse_period(period)
    text = data.decode("utf-8-sig", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [_normal(c) for c in next(reader, [])]
    kk_col = next((header.index(c) for c in KK_COLUMNS if c in header), None)
    desil_col = next((header.index(c) for c in DESIL_COLUMNS if c in header), None)
    if kk_col is None or desil_col is None:
        raise ValidationError("Baris judul harus memuat kolom no_kk dan desil.")

    rows: dict[str, int] = {}
    errors: list[str] = []
    read = invalid = 0
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        read += 1
        kk = row[kk_col].strip().replace("'", "") if len(row) > kk_col else ""
        desil_text = row[desil_col].strip() if len(row) > desil_col else ""
        if not re.fullmatch(r"\d{16}", kk):
            invalid += 1
            errors.append(f"Baris {line_no}: nomor KK harus 16 digit.")
            continue
        if not re.fullmatch(r"(10|[1-9])", desil_text):
            invalid += 1
            errors.append(f"Baris {line_no}: desil harus angka 1-10.")
            continue
        rows[kk] = int(desil_text)

    with transaction.atomic():
        record = OfficialDesilImport.objects.create(
            period=period,
            file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest(),
            imported_by=user,
            rows_read=read,
            rows_invalid=invalid,
            errors=errors[:MAX_ERRORS_KEPT],
        )
        OfficialDesil.objects.bulk_create(
            [OfficialDesil(source=record, kk_number=kk, period=period, desil=d) for kk, d in rows.items()],
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["kk_number", "period"],
            update_fields=["desil", "source"],
        )
        matched = 0
        kks = list(rows)
        for start in range(0, len(kks), 5000):
            matched += Household.objects.filter(
                kk_number__in=kks[start : start + 5000], registered_at__isnull=False
            ).count()
        record.rows_saved = len(rows)
        record.rows_matched = matched
        record.save(update_fields=["rows_saved", "rows_matched"])
        official_apply()
    return ImportReport(record=record, errors=errors)


def official_apply() -> int:
    """Give the active model's scores the latest official desil of their KK (if any)."""
    model = ScoreModel.objects.active()
    if model is None:
        return 0
    score = sql.table(HouseholdScore)
    official = sql.table(OfficialDesil)
    household = sql.table(Household)
    statement = (
        f"UPDATE {score} SET desil_national = o.desil, source = %(official)s, official_period = o.period, "  # noqa: S608
        f"computed_at = %(now)s "
        f"FROM (SELECT h.id AS hid, o1.desil, o1.period FROM {official} o1 JOIN {household} h "
        f"ON h.kk_number = o1.kk_number "
        f"WHERE o1.period = (SELECT MAX(o2.period) FROM {official} o2 WHERE o2.kk_number = o1.kk_number)) o "
        f"WHERE {score}.model_id = %(model)s AND {score}.household_id = o.hid "
        f"AND ({score}.desil_national <> o.desil OR {score}.source <> %(official)s "
        f"OR {score}.official_period <> o.period)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            statement,
            {
                "official": DesilSource.OFFICIAL.value,
                "model": model.pk,
                "now": connection.ops.adapt_datetimefield_value(timezone.now()),
            },
        )
        return max(cursor.rowcount, 0)
