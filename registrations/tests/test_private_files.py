"""Private files leave only through ``registrations/private_files.py: serve_private_file``.

The helper alone (headers, access-log row), then every view that serves a private file,
pinned to the exact headers and access-log rows it answers with: identity and proposal
documents, field-visit photos, sanggah evidence, the berita acara (page and API), and the
reports of the population import and the register audit.
"""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from registrations.models import DocumentAccess, IdentityDocument
from registrations.private_files import Access, serve_private_file
from registrations.services.documents import process_or_refuse, store_processed_image
from registrations.storage import private_storage
from testing.proposals import complete_draft
from testing.residents import confirmed_resident
from testing.uploads import photo_upload

pytestmark = pytest.mark.django_db

NEVER_CACHE = "private, no-store, max-age=0, no-cache, must-revalidate"  # the view's own, then never_cache's


def _served(client, url_name: str, *args, starts: bytes = b"") -> dict:
    """The headers a private file went out with (the request must succeed; the file
    must start with ``starts``)."""
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200, response.status_code
    assert b"".join(response.streaming_content).startswith(starts)
    return {
        name: response.get(name)
        for name in ("Content-Type", "Content-Disposition", "Cache-Control", "X-Content-Type-Options")
    }


def _log() -> list[tuple]:
    return list(DocumentAccess.objects.order_by("pk").values_list("user", "document_type", "document_id", "variant"))


# --- the helper ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attachment", "log", "disposition", "rows"),
    [
        (False, None, 'inline; filename="catatan-7.txt"', []),
        (True, Access("usulan", 7, "thumb"), 'attachment; filename="catatan-7.txt"', [("usulan", 7, "thumb")]),
        (False, Access("berita_acara", 7), 'inline; filename="catatan-7.txt"', [("berita_acara", 7, "full")]),
    ],
)
def test_the_helper_sends_the_file_privately_and_logs_when_asked(personas, attachment, log, disposition, rows):
    name = private_storage().save("uji/catatan.txt", ContentFile(b"isi berkas"))
    request = RequestFactory().get("/")
    request.user = personas.operator_a
    response = serve_private_file(
        request, name, filename="catatan-7.txt", content_type="text/plain", attachment=attachment, log=log
    )
    assert b"".join(response.streaming_content) == b"isi berkas"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == disposition
    assert response["Cache-Control"] == "private, no-store"
    assert [row[1:] for row in _log()] == rows
    assert all(row[0] == personas.operator_a.pk for row in _log())


# --- every caller ----------------------------------------------------------------------------------------


def _jpeg(disposition: str) -> dict:
    return {
        "Content-Type": "image/jpeg",
        "Content-Disposition": f'inline; filename="{disposition}"',
        "Cache-Control": NEVER_CACHE,
        "X-Content-Type-Options": "nosniff",
    }


def test_documents_identity_and_proposal(client, personas):
    resident = confirmed_resident("warga_berkas")
    image, thumb = store_processed_image(process_or_refuse(photo_upload("ktp.jpg"), kind="ktp"), prefix="identitas")
    identity = IdentityDocument.objects.create(
        profile=resident.resident, kind="ktp", image=image, thumbnail=thumb, sha256="0" * 64, width=1, height=1
    )
    document = complete_draft(resident, kinds=("kk",)).documents.get()

    client.force_login(resident)  # the owner: served, not logged
    assert _served(client, "proposal-document", document.pk, "full") == _jpeg(f"usulan-{document.pk}-full.jpg")
    assert _log() == []

    client.force_login(personas.operator_a)
    assert _served(client, "identity-document", identity.pk, "thumb") == _jpeg(f"identitas-{identity.pk}-thumb.jpg")
    assert _served(client, "proposal-document", document.pk, "full") == _jpeg(f"usulan-{document.pk}-full.jpg")
    me = personas.operator_a.pk
    assert _log() == [(me, "identitas", identity.pk, "thumb"), (me, "usulan", document.pk, "full")]


def test_field_visit_photo(client, personas):
    from testing.workflow import TODAY, held_musdes, submitted_proposal
    from verification.workflow.services import review

    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    visit = review.field_visit_record(
        proposal_id=proposal.pk,
        actor=personas.social_officer,
        visited_on=TODAY,
        result="layak",
        conditions={"no_fixed_income": True, "floor_area_m2": 20, "monthly_income": 900000},
        photos=[photo_upload("depan.jpg", seed=71)],
    )
    photo = visit.photos.get()
    DocumentAccess.objects.all().delete()
    client.force_login(personas.social_officer)
    assert _served(client, "visit-photo", photo.pk, "full") == _jpeg(f"kunjungan-{photo.pk}-full.jpg")
    assert _log() == [(personas.social_officer.pk, "kunjungan", photo.pk, "full")]


def test_sanggah_evidence(client, personas):
    from lookup.indexing import lookup_index_village
    from lookup.models import LookupEntry
    from lookup.services import objection_file, pick_token
    from testing.households import household_headed_by
    from testing.regions import VILLAGE_A

    household_headed_by("Bambang Wiryawan")
    lookup_index_village(VILLAGE_A)
    target = LookupEntry.objects.get(village_code=VILLAGE_A, name_key="bambang wiryawan")
    objector = confirmed_resident("pelapor")
    objection = objection_file(
        objector=objector,
        kind="tidak_layak",
        reason="mampu",
        statement="Rumahnya besar dan punya dua mobil, tidak layak menerima.",
        photos=[photo_upload("rumah.jpg")],
        pick=pick_token(target),
    )
    evidence = objection.evidence.get()
    client.force_login(objector)
    assert _served(client, "sanggah-evidence", evidence.pk, "thumb") == _jpeg(f"sanggah-{evidence.pk}-thumb.jpg")
    assert _log() == []
    client.force_login(personas.operator_a)
    assert _served(client, "sanggah-evidence", evidence.pk, "full") == _jpeg(f"sanggah-{evidence.pk}-full.jpg")
    assert _log() == [(personas.operator_a.pk, "sanggah", evidence.pk, "full")]


def test_berita_acara_page_and_api(client, personas):
    from testing.api import api_client
    from testing.workflow import held_musdes, submitted_proposal

    d = held_musdes(personas.operator_a, [submitted_proposal()])
    expected = {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="berita-acara-{d.village_id}-{d.held_on:%Y%m%d}.pdf"',
        "Cache-Control": NEVER_CACHE,
        "X-Content-Type-Options": "nosniff",
    }
    client.force_login(personas.operator_a)
    assert _served(client, "musdes-minutes", d.pk, starts=b"%PDF-") == expected
    assert _served(api_client(personas.regency_head), "api-workflow-musdes-minutes", d.pk, starts=b"%PDF-") == expected
    assert _log() == [
        (personas.operator_a.pk, "berita_acara", d.pk, "full"),
        (personas.regency_head.pk, "berita_acara", d.pk, "full"),
    ]


def test_upload_job_reports(client, personas):
    from verification.audit import jobs as audit_jobs
    from verification.population import jobs as population_jobs
    from verification.uploads.jobs import JobStatus

    job_id = "a" * 32
    cache.set(
        f"population-import:{job_id}",
        {"id": job_id, "owner": personas.ministry.pk, "status": JobStatus.DONE, "has_report": True},
    )
    cache.set(f"register-audit:{job_id}", {"id": job_id, "owner": personas.ministry.pk, "status": JobStatus.DONE})
    for path in (
        population_jobs.report_path(job_id),
        audit_jobs.report_path(job_id, "csv"),
        audit_jobs.report_path(job_id, "xlsx"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"line,nik,reason\n")
    client.force_login(personas.ministry)
    attachment = {"Cache-Control": NEVER_CACHE, "X-Content-Type-Options": "nosniff"}

    assert _served(client, "population-import-report", job_id, starts=b"line,nik") == {
        **attachment,
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="baris-salah-aaaaaaaa.csv"',
    }
    assert _served(client, "audit-download", job_id, "csv", starts=b"line,nik") == {
        **attachment,
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="audit-register-aaaaaaaa.csv"',
    }
    assert _served(client, "audit-download", job_id, "xlsx", starts=b"line,nik") == {
        **attachment,
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": 'attachment; filename="audit-register-aaaaaaaa.xlsx"',
    }
    assert _log() == []
