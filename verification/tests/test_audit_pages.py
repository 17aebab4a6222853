"""The register audit's staff page: upload → progress → summary → drill-down → CSV/XLSX,
roles, region scope and job ownership."""

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse
from openpyxl import Workbook, load_workbook

from testing.audit_files import COLUMNS, KK_B, nik, population, row_of
from testing.logins import login
from testing.regions import VILLAGE_A, VILLAGE_B
from verification.audit import flags as F
from verification.audit import jobs

pytestmark = pytest.mark.django_db

urlpatterns = [
    path("staf/audit/", include("verification.audit.urls")),
    path("", include("dtsen_portal.urls")),
]
pages = pytest.mark.urls(__name__)


def csv_upload(rows, name="register.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def start(client, rows, capture, *, name="register.csv", upload=None):
    with capture(execute=True):
        response = client.post(reverse("audit-upload"), {"file": upload or csv_upload(rows, name), "id_column": "row"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


@pages
def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("audit-upload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pages
@pytest.mark.parametrize("who", ["regency_head", "provincial", "resident"])
def test_other_roles_get_403(client, personas, who):
    login(client, getattr(personas, who))
    assert client.get(reverse("audit-upload")).status_code == 403
    assert client.post(reverse("audit-upload"), {"file": csv_upload([])}).status_code == 403


@pages
def test_operator_audits_their_village_and_reads_the_report(client, personas, django_capture_on_commit_callbacks):
    clean = population(1, "Bambang Sutrisno")
    dead = population(2, "Sri Wahyuni", sex="P", status="deceased")
    other = population(3, "Joko Susilo", village_code=VILLAGE_B)
    rows = [
        row_of(clean, "r1", full_name="H. Bambang Sutrisno, S.Pd."),
        row_of(dead, "r2", kk_number=KK_B),
        row_of(other, "r3", household_id="RT-B"),  # another village: not this operator's
        row_of(clean, "r4", nik="12345", full_name="Ani", household_id="RT-2"),
    ]
    login(client, personas.operator_a)
    page = client.get(reverse("audit-upload"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert 'enctype="multipart/form-data"' in page.content.decode()
    job_id = start(client, rows, django_capture_on_commit_callbacks)

    job_url = reverse("audit-job", args=[job_id])
    response = client.get(job_url)
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert 'id="jumlah-baris">3<' in body and 'id="jumlah-bertanda">2<' in body
    assert 'id="di-luar-wilayah"' in body and "1 baris berada di luar wilayah Anda" in body
    assert 'data-tanda="deceased">1<' in body and 'data-tanda="kk_mismatch">1<' in body
    assert 'data-tanda="invalid_nik">1<' in body and 'data-tanda="name_mismatch">0<' in body
    assert VILLAGE_A in body and VILLAGE_B not in body  # per village: only the audited rows
    assert "every 1s" not in body  # finished: no more polling

    rows_url = reverse("audit-rows", args=[job_id])
    drill = client.get(rows_url, {"tanda": F.DECEASED})
    assert "no-store" in drill["Cache-Control"]
    text = drill.content.decode()
    assert text.count('class="card mb-3 baris-bertanda"') == 1
    assert dead.nik in text and "Sri Wahyuni" in text and "deceased" in text  # side by side, NIK for staff
    assert KK_B in text and dead.kk_number in text
    every = client.get(rows_url).content.decode()
    assert every.count('class="card mb-3 baris-bertanda"') == 2
    for page_text in (body, text, every):
        for href in re.findall(r'(?:href|hx-get)="([^"]*)"', page_text):
            assert not re.search(r"[0-9]{16}", href)  # NIKs never in URLs

    download = client.get(reverse("audit-download", args=[job_id, "csv"]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    lines = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert lines[0][:3] == ["row_id", "flag", "detail"]
    assert [(line[0], line[1]) for line in lines[1:]] == [
        ("r2", F.DECEASED),
        ("r2", F.KK_MISMATCH),
        ("r4", F.INVALID_NIK),
    ]
    assert not any(dead.nik in cell for line in lines for cell in line)

    xlsx = client.get(reverse("audit-download", args=[job_id, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    sheet_rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert sheet_rows[0][:3] == ("row_id", "flag", "detail") and len(sheet_rows) == 4
    summary = {r[0]: r[-1] for r in book.worksheets[0].iter_rows(values_only=True) if r}
    assert summary["deceased"] == 1 and summary["duplicate_nik"] == 0
    assert not list(jobs.audits_dir().glob(f"{job_id}-unggahan*"))  # the upload is not kept

    # Nobody else reaches the job or its files: same village, other region, national.
    for who in (personas.operator_b, personas.social_officer, personas.ministry):
        login(client, who)
        for url in (
            job_url,
            rows_url,
            reverse("audit-download", args=[job_id, "csv"]),
            reverse("audit-download", args=[job_id, "xlsx"]),
        ):
            assert client.get(url).status_code == 404


@pages
def test_social_officer_audits_an_excel_file(client, personas, django_capture_on_commit_callbacks):
    record = population(1, "Dewi Lestari", sex="P")
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    sheet.append(["a", "H1", record.kk_number, record.nik, "DEWI LESTARI", record.birth_date, "P", VILLAGE_A, ""])
    sheet.append(["b", "H2", record.kk_number, record.nik, "Dewi Lestari", record.birth_date, "P", VILLAGE_A, ""])
    sheet.append(["c", "H3", record.kk_number, nik(90), "Orang Baru", record.birth_date, "L", VILLAGE_B, ""])
    content = io.BytesIO()
    book.save(content)
    upload = SimpleUploadedFile("register.xlsx", content.getvalue())
    login(client, personas.social_officer)
    job_id = start(client, [], django_capture_on_commit_callbacks, upload=upload)
    job = jobs.job_get(job_id, personas.social_officer)
    assert job["status"] == jobs.JobStatus.DONE and job["rows"] == 3 and job["out_of_scope"] == 0
    assert job["counts"] == {F.DUPLICATE_NIK: 2, F.NIK_NOT_FOUND: 1}
    households = {h["household"]: h["flagged_rows"] for h in job["households"]}
    assert households == {"H1": 1, "H2": 1, "H3": 1}
    body = client.get(reverse("audit-job", args=[job_id])).content.decode()
    assert 'id="per-rumah-tangga"' in body and "H3" in body


@pages
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("register.csv", b"row,full_name\nr1,Ani\n", "Kolom wajib tidak ada"),
        ("register.pdf", b"%PDF-1.4", ".csv atau .xlsx"),
        ("register.xlsx", b"PK\x03\x04 not really a zip", "Excel tidak dapat dibaca"),
        ("register.csv", b"", "kosong"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(client, personas, name, content, message):
    login(client, personas.ministry)
    response = client.post(reverse("audit-upload"), {"file": SimpleUploadedFile(name, content), "id_column": ""})
    assert response.status_code == 200 and message in response.content.decode()
    assert not list(jobs.audits_dir().glob("*")) if jobs.audits_dir().exists() else True


@pages
def test_the_id_column_must_exist(client, personas):
    login(client, personas.ministry)
    upload = csv_upload([row_of(population(1), "r1")])
    response = client.post(reverse("audit-upload"), {"file": upload, "id_column": "tidak_ada"})
    assert response.status_code == 200 and "Kolom pengenal baris tidak_ada" in response.content.decode()


@pages
def test_the_progress_fragment_polls_while_running(client, personas):
    login(client, personas.admin)
    job_id = "a" * 32
    cache.set(
        f"register-audit:{job_id}",
        {
            "id": job_id,
            "owner": personas.admin.pk,
            "filename": "besar.csv",
            "size": 10,
            "status": jobs.JobStatus.RUNNING,
            "done": 30,
            "total": 120,
            "counts": {},
        },
    )
    url = reverse("audit-job", args=[job_id])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment and f'hx-get="{url}"' in fragment
    assert 'aria-valuenow="25"' in fragment
    assert client.get(reverse("audit-rows", args=[job_id])).status_code == 404  # not finished
    assert client.get(reverse("audit-download", args=[job_id, "csv"])).status_code == 404
    assert client.get(reverse("audit-job", args=["b" * 32])).status_code == 404


@pages
def test_a_job_whose_owner_lost_the_role_fails_with_a_message(client, personas):
    login(client, personas.operator_a)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobs.transaction, "on_commit", lambda callback: None)  # queue nothing yet
        response = client.post(reverse("audit-upload"), {"file": csv_upload([row_of(population(1), "r1")])})
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    personas.operator_a.role = "bupati"
    personas.operator_a.save()
    state = jobs.job_run(job_id)
    assert state["status"] == jobs.JobStatus.FAILED and "tidak berwenang" in state["error"]
    assert not list(jobs.audits_dir().glob(f"{job_id}*"))  # upload and reports removed
    assert jobs.job_run("0" * 32) is None  # unknown job: nothing to do


@pages
def test_odd_bytes_and_formulas_in_the_register_do_not_break_the_excel_report(
    client, personas, django_capture_on_commit_callbacks
):
    """A control character Excel refuses (a vertical tab pasted into a name) is dropped
    from the workbook instead of failing the finished audit; a formula is kept as text."""
    person = population(1, "Bambang Sutrisno")
    rows = [row_of(person, "=HYPERLINK(1)", full_name="Rahmat\x0bHidayat Wibowo")]  # not this person's name
    login(client, personas.operator_a)
    job_id = start(client, rows, django_capture_on_commit_callbacks)
    assert jobs.job_get(job_id, personas.operator_a)["status"] == "done"

    xlsx = client.get(reverse("audit-download", args=[job_id, "xlsx"]))
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    flagged = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    assert flagged and all(line[0] == "'=HYPERLINK(1)" for line in flagged)
    assert not any("\x0b" in str(cell) for line in flagged for cell in line)


@pages
def test_the_flagged_rows_come_a_page_at_a_time_with_and_without_a_filter(
    client, personas, django_capture_on_commit_callbacks
):
    person = population(1, "Bambang Sutrisno")
    rows = [row_of(person, f"r{i}", nik="12345", household_id=f"RT-{i}") for i in range(57)]
    login(client, personas.operator_a)
    job_id = start(client, rows, django_capture_on_commit_callbacks)
    rows_url = reverse("audit-rows", args=[job_id])
    for query in ({}, {"tanda": F.INVALID_NIK}, {"desa": VILLAGE_A}):
        first = client.get(rows_url, query).content.decode()
        second = client.get(rows_url, {**query, "halaman": 2}).content.decode()
        assert 'id="jumlah-hasil">57 baris<' in first and 'id="jumlah-hasil">57 baris<' in second, query
        assert first.count('class="card mb-3 baris-bertanda"') == 50
        assert second.count('class="card mb-3 baris-bertanda"') == 7
        assert "Halaman 2 dari 2" in second and ">r56<" in second and ">r56<" not in first
    assert client.get(rows_url, {"tanda": F.DECEASED}).content.decode().count("baris-bertanda") == 0
