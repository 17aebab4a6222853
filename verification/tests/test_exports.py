"""CSV and Excel exports of the queues: the same rows and filters as the page, streamed,
never cached, and without personal numbers (NIK / KK)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from registrations.models import ProposalMember, ProposalStatus
from testing.proposals import queued
from testing.regions import OTHER_PROVINCE_VILLAGE, OTHER_REGENCY_VILLAGE, VILLAGE_B
from testing.workflow import through_regency
from verification.models import Assignment

pytestmark = pytest.mark.django_db

S = ProposalStatus
HEADER = [
    "Nomor usulan",
    "Status",
    "Kode desa/kelurahan",
    "Desa/kelurahan",
    "Kecamatan",
    "Kabupaten/kota",
    "RT/RW",
    "Kepala keluarga",
    "Jumlah anggota",
    "Diajukan",
    "Lama menunggu (hari)",
    "Verifikator",
    "Jumlah tanda NIK ganda",
    "Jumlah anggota perlu cek data kependudukan",
]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming, "CSV is streamed"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _personal_numbers(proposals) -> set[str]:
    numbers = {p.kk_number for p in proposals}
    numbers |= set(ProposalMember.objects.filter(proposal__in=proposals).values_list("nik", flat=True))
    return numbers


def _assert_no_personal_numbers(text: str, proposals):
    for number in _personal_numbers(proposals):
        assert number not in text


def _headers_ok(response, extension):
    assert "no-store" in [d.strip() for d in response["Cache-Control"].split(",")]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    filename = disposition.split("filename=", 1)[1].strip('"')
    assert filename.endswith(f".{extension}")
    assert all(c.isalnum() or c in "._-" for c in filename), filename


def test_verification_queue_csv_has_the_scoped_rows_and_no_personal_numbers(client, personas):
    mine = queued(3, status=S.MUSDES_APPROVED, entered_by=personas.operator_a, waiting_days=12)
    in_b = queued(1, status=S.MUSDES_APPROVED, entered_by=personas.operator_b, village=VILLAGE_B)
    other = queued(
        2, status=S.MUSDES_APPROVED, entered_by=personas.operator_other_regency, village=OTHER_REGENCY_VILLAGE
    )
    queued(1, status=S.VERIFIED, entered_by=personas.operator_a)  # another step
    Assignment.objects.create(proposal=mine[0], verifier=personas.social_officer, assigned_by=personas.social_officer)
    client.force_login(personas.social_officer)
    response = client.get(reverse("verification-queue"), {"format": "csv"})
    _headers_ok(response, "csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == HEADER
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {p.tracking_number for p in mine + in_b}
    first = by_number[mine[0].tracking_number]
    assert first[1] == "Disetujui musyawarah desa"
    assert first[2:6] == ["32.04.12.2002", "Desa Dayeuhkolot", "Kecamatan Dayeuhkolot", "Kabupaten Bandung"]
    assert first[6:9] == ["003/007", "Budi Santoso", "3"]
    assert first[10] == "12" and first[11] == "dinsos_bandung" and first[12:] == ["0", "0"]
    _assert_no_personal_numbers("\n".join(",".join(r) for r in rows), mine + in_b + other)
    # the same filters as the page
    rows = _csv(client.get(reverse("verification-queue"), {"format": "csv", "desa": VILLAGE_B}))
    assert [r[0] for r in rows[1:]] == [in_b[0].tracking_number]
    rows = _csv(client.get(reverse("verification-queue"), {"format": "csv", "penugasan": "saya"}))
    assert [r[0] for r in rows[1:]] == [mine[0].tracking_number]


def test_verification_queue_excel(client, personas):
    mine = queued(4, status=S.MUSDES_APPROVED, entered_by=personas.operator_a, waiting_days=3)
    client.force_login(personas.social_officer)
    response = client.get(reverse("verification-queue"), {"format": "xlsx"})
    _headers_ok(response, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _xlsx(response)
    assert rows[0] == HEADER
    assert {r[0] for r in rows[1:]} == {p.tracking_number for p in mine}
    assert all(r[8] == 3 and r[10] == 3 and r[9] is not None for r in rows[1:])
    _assert_no_personal_numbers(repr(rows), mine)


@pytest.mark.parametrize(
    ("name", "status", "persona", "inside", "outside"),
    [
        ("approval-queue", S.VERIFIED, "regency_head", "32.04.12.2002", OTHER_REGENCY_VILLAGE),
        ("forwarding-queue", S.REGENCY_APPROVED, "provincial", OTHER_REGENCY_VILLAGE, OTHER_PROVINCE_VILLAGE),
        ("determination-queue", S.FORWARDED, "ministry", OTHER_PROVINCE_VILLAGE, None),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_batch_queue_exports_its_rows(client, personas, name, status, persona, inside, outside, fmt):
    rows_in = queued(2, status=status, entered_by=personas.operator_a, village=inside)
    rows_out = queued(1, status=status, entered_by=personas.operator_a, village=outside) if outside else []
    client.force_login(getattr(personas, persona))
    response = client.get(reverse(name), {"format": fmt})
    _headers_ok(response, fmt)
    rows = _csv(response) if fmt == "csv" else _xlsx(response)
    assert {r[0] for r in rows[1:]} == {p.tracking_number for p in rows_in}
    _assert_no_personal_numbers(repr(rows), rows_in + rows_out)


def test_ministry_export_follows_the_province_filter(client, personas):
    jabar = queued(2, status=S.FORWARDED, entered_by=personas.operator_a)
    diy = queued(1, status=S.FORWARDED, entered_by=personas.operator_a, village=OTHER_PROVINCE_VILLAGE)
    client.force_login(personas.ministry)
    rows = _csv(client.get(reverse("determination-queue"), {"format": "csv", "provinsi": "34"}))
    assert [r[0] for r in rows[1:]] == [diy[0].tracking_number]
    rows = _csv(client.get(reverse("determination-queue"), {"format": "csv", "provinsi": "32", "wilayah": "32.04"}))
    assert {r[0] for r in rows[1:]} == {p.tracking_number for p in jabar}


def test_batch_detail_exports_the_decree(client, personas):
    rows_in = queued(3, status=S.VERIFIED, entered_by=personas.operator_a)
    batch = through_regency(personas.regency_head, [p.pk for p in rows_in], number="SK 12/2026")
    client.force_login(personas.regency_head)
    response = client.get(reverse("batch-detail", args=[batch.pk]), {"format": "csv"})
    _headers_ok(response, "csv")
    rows = _csv(response)
    assert {r[0] for r in rows[1:]} == {p.tracking_number for p in rows_in}
    assert {r[1] for r in rows[1:]} == {"Disetujui bupati/wali kota"}


def test_exports_are_role_and_region_checked(client, personas):
    queued(1, status=S.MUSDES_APPROVED, entered_by=personas.operator_a)
    for persona, expected in [("operator_a", 403), ("resident", 403), ("regency_head", 403)]:
        client.force_login(getattr(personas, persona))
        assert client.get(reverse("verification-queue"), {"format": "csv"}).status_code == expected
    client.logout()
    response = client.get(reverse("verification-queue"), {"format": "csv"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(personas.social_officer_other_regency)
    assert _csv(client.get(reverse("verification-queue"), {"format": "csv"})) == [HEADER]


def test_spreadsheet_formulas_in_names_are_neutralised(client, personas):
    queued(1, status=S.MUSDES_APPROVED, entered_by=personas.operator_a, head_name='=HYPERLINK("http://x","y")')
    client.force_login(personas.social_officer)
    rows = _csv(client.get(reverse("verification-queue"), {"format": "csv"}))
    assert rows[1][7] == '\'=HYPERLINK("http://x","y")'
    rows = _xlsx(client.get(reverse("verification-queue"), {"format": "xlsx"}))
    assert rows[1][7].startswith("'=")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_rows(client, personas, django_assert_max_num_queries, fmt):
    client.force_login(personas.social_officer)
    url = reverse("verification-queue")
    queued(3, status=S.MUSDES_APPROVED, entered_by=personas.operator_a)

    def run():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"format": fmt})
            rows = _csv(response) if fmt == "csv" else _xlsx(response)
        return len(ctx.captured_queries), len(rows)

    small, n = run()
    assert n == 4
    many = queued(60, status=S.MUSDES_APPROVED, entered_by=personas.operator_a)
    for p in many[:20]:
        Assignment.objects.create(proposal=p, verifier=personas.social_officer, assigned_by=personas.social_officer)
    with django_assert_max_num_queries(small):
        big, n = run()
    assert n == 64
    print(f"export {fmt}: {small} queries for 3 rows, {big} for 63 rows")
