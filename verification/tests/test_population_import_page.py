"""Population import: the upload page (who may open it, the job's progress and report,
what the form refuses) and the task that runs a stored job.

The page tests use this module as their URLconf, so they do not depend on where the root
URLconf mounts ``verification.urls`` (the contract: ``staf/kependudukan/``). The rows
are in ``testing/population_files.py``.
"""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse

from testing.population_files import csv_bytes, person
from testing.regions import OTHER_REGENCY_VILLAGE, VILLAGE_B
from verification.models import PopulationRecord
from verification.population import columns, jobs
from verification.uploads.jobs import JobStatus

pytestmark = pytest.mark.django_db

#: This module is the URLconf of the page tests (``@pytest.mark.urls(__name__)``).
urlpatterns = [
    path("staf/kependudukan/", include("verification.population.urls")),
    path("", include("dtsen_portal.urls")),
]
pages = pytest.mark.urls(__name__)


# --- The upload page ---------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pages
def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("population-import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pages
@pytest.mark.parametrize("who", ["operator_a", "regency_head", "provincial", "resident"])
def test_other_roles_get_403(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("population-import")).status_code == 403
    assert (
        client.post(reverse("population-import"), {"file": upload("a.csv", csv_bytes([person(1)]))}).status_code == 403
    )


@pages
def test_social_officer_imports_and_out_of_scope_rows_are_reported(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.social_officer)  # Dinas Sosial, Kabupaten Bandung
    page = client.get(reverse("population-import"))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    rows = [person(1), person(2, village=VILLAGE_B), person(3, village=OTHER_REGENCY_VILLAGE)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("population-import"), {"file": upload("penduduk.csv", csv_bytes(rows))})
    assert response.status_code == 302
    job_url = response["Location"]
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    assert set(PopulationRecord.objects.values_list("nik", flat=True)) == {rows[0]["nik"], rows[1]["nik"]}

    page = client.get(job_url).content.decode()
    assert "Selesai." in page and 'id="jumlah-baru">2<' in page and 'id="jumlah-salah">1<' in page
    assert 'aria-valuenow="100"' in page and "every 1s" not in page  # finished: no more polling
    report_url = reverse("population-import-report", args=[job_id])
    assert report_url in page

    fragment = client.get(job_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()

    download = client.get(report_url)
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Type"].startswith("text/csv")
    body = b"".join(download.streaming_content).decode()
    masked = columns.mask_nik(rows[2]["nik"])
    assert body.splitlines() == ["line,nik,reason", f"4,{masked},di luar wilayah Anda"]
    assert not jobs.upload_path(job_id).exists()  # the upload itself is not kept

    # Another importer cannot see the job or its report.
    client.force_login(personas.ministry)
    assert client.get(job_url).status_code == 404
    assert client.get(report_url).status_code == 404


@pages
def test_the_progress_fragment_polls_while_running(client, personas):
    client.force_login(personas.ministry)
    job_id = "0" * 32
    state = {
        "id": job_id,
        "owner": personas.ministry.pk,
        "filename": "besar.csv",
        "size": 1000,
        "status": JobStatus.RUNNING,
        "lines_total": 400,
        "lines_done": 100,
        "read": 99,
        "inserted": 99,
        "updated": 0,
        "unchanged": 0,
        "bad": 0,
        "has_report": False,
        "error": "",
        "created": "",
        "finished": "",
    }
    cache.set(f"population-import:{job_id}", state)
    url = reverse("population-import-job", args=[job_id])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and f'hx-get="{url}"' in fragment
    assert 'aria-valuenow="25"' in fragment and "100 dari 400 baris" in fragment
    assert client.get(reverse("population-import-report", args=[job_id])).status_code == 404
    assert client.get(reverse("population-import-job", args=["f" * 32])).status_code == 404


@pages
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.xlsx", b"PK\x03\x04rest-of-zip", "Berkas Excel tidak diterima"),
        ("data.csv", b"%PDF-1.7\n", "bukan CSV"),
        ("data.txt", b"nik,kk_number\n", "berakhiran .csv"),
        ("data.csv", b"\xff\xfen\x00i\x00k\x00", "bukan teks CSV"),
        ("data.csv", "nik,nama\nJos\xe9 Santoso\n".encode("latin-1"), "teks UTF-8"),
        ("data.csv", b"nik,kk_number,full_name\n1,2,3\n", "Kolom wajib tidak ada di baris judul: birth_place"),
    ],
)
def test_the_form_refuses_what_is_not_csv_text(client, personas, name, content, message):
    client.force_login(personas.admin)
    response = client.post(reverse("population-import"), {"file": upload(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()


@pages
def test_the_form_refuses_files_over_the_limit(client, personas, settings):
    settings.POPULATION_IMPORT_MAX_BYTES = 100
    client.force_login(personas.admin)
    response = client.post(reverse("population-import"), {"file": upload("a.csv", csv_bytes([person(1)]))})
    assert "Berkas terlalu besar" in response.content.decode()


def test_the_task_runs_a_stored_job(tmp_path, personas):
    state = jobs.job_start(user=personas.ministry, upload=upload("a.csv", csv_bytes([person(1), person(2, sex="")])))
    from verification.tasks.population import import_population_upload

    import_population_upload.delay(state["id"], str(jobs.upload_path(state["id"])))
    job = jobs.job_get(state["id"], personas.ministry)
    assert job["status"] == JobStatus.DONE and (job["inserted"], job["bad"]) == (1, 1)
    assert job["lines_total"] == job["lines_done"] == 3
    assert jobs.report_path(state["id"]).read_text(encoding="utf-8").count("\n") == 2
    assert jobs.job_get(state["id"], personas.admin) is None
    assert jobs.job_run(state["id"], "/etc/passwd") is None  # only the job's own upload is read
