"""Personal data (issue 8, item 3): NIK/KK masking in logs and error reports, no NIK in
URLs or e-mail templates, staff document views recorded, subject access (Data saya),
and the retention rule."""

import datetime
import io
import json
import logging
import re
import zipfile

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dtsen_portal.logging import MaskPersonalNumbers, mask_personal_numbers
from registrations.models import (
    DocumentAccess,
    IdentityDocument,
    IdentityStatus,
    Proposal,
    ProposalDocument,
    ProposalStatus,
    ResidentProfile,
    User,
)
from registrations.services.retention import apply_retention
from registrations.workflow import proposal_transition
from testing.proposals import complete_draft
from testing.residents import confirmed_resident
from testing.uploads import photo_upload

NIK = "3204121204850001"
KK = "3204120101090007"


# --- the logging filter --------------------------------------------------------------------------------


def _record(msg, args=(), exc_info=None):
    return logging.LogRecord("uji", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_mask_keeps_four_digits_and_leaves_other_numbers():
    assert mask_personal_numbers(f"nik={NIK}") == "nik=3204************"
    assert mask_personal_numbers("3204 1212 0485 0001") == "3204************"
    assert mask_personal_numbers("telepon 081234567890, 17 digit 32041212048500011") == (
        "telepon 081234567890, 17 digit 32041212048500011"
    )


def test_filter_masks_message_args_and_exception_text():
    try:
        raise ValueError(f"NIK {NIK} tidak cocok dengan KK {KK}")
    except ValueError:
        import sys

        record = _record("gagal untuk %s (%s)", (NIK, {"kk": KK}), sys.exc_info())
    assert MaskPersonalNumbers().filter(record) is True
    formatted = logging.Formatter("%(message)s").format(record)
    assert NIK not in formatted and KK not in formatted
    assert "3204************" in formatted and "ValueError" in formatted


def _configured_handlers():
    """The handlers settings.LOGGING made (pytest adds its own capture handlers too)."""
    from django.utils.log import AdminEmailHandler

    loggers = [logging.getLogger(), logging.getLogger("django"), logging.getLogger("django.server")]
    return [h for lg in loggers for h in lg.handlers if type(h) in (logging.StreamHandler, AdminEmailHandler)]


def test_every_configured_handler_carries_the_mask():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask_personal_numbers" in handler.get("filters", []), name
    handlers = _configured_handlers()
    assert len(handlers) >= 3
    for handler in handlers:
        assert any(isinstance(f, MaskPersonalNumbers) for f in handler.filters), handler


def test_log_line_written_through_the_console_handler_is_masked():
    console = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        logging.getLogger("registrations.uji").warning("warga %s mengajukan", NIK)
    finally:
        console.setStream(previous)
    assert NIK not in stream.getvalue() and "3204************ mengajukan" in stream.getvalue()


@pytest.mark.django_db
@pytest.mark.urls("testing.urls")
def test_error_report_email_of_a_request_with_a_nik_is_masked(client, settings):
    settings.ADMINS = [("Admin", "admin@contoh.go.id")]
    client.raise_request_exception = False
    response = client.post(f"/boom/?kk={KK}", {"nik": NIK, "nama": "Siti"})
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    text = report.subject + report.body + "".join(str(a[1]) for a in report.alternatives)
    assert NIK not in text and KK not in text
    assert "3204************" in text  # the values are there, masked


# --- URLs and e-mails -----------------------------------------------------------------------------------


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def test_no_url_carries_a_nik_or_kk():
    routes = list(_patterns(get_resolver()))
    assert len(routes) > 50
    offenders = [r for r in routes if re.search(r"<(?:\w+:)?(?:nik|kk|kk_number|no_kk)>", r, re.IGNORECASE)]
    assert offenders == []


def test_email_templates_print_no_nik_or_kk():
    templates = [p for p in settings.BASE_DIR.glob("*/templates/**/email/*") if p.is_file()]
    assert templates
    for template in templates:
        text = template.read_text()
        assert not re.search(r"\.(nik|kk_number|kk)\b", text), template


# --- document access log -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_views_of_documents_are_recorded_and_the_owners_are_not(client, personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident, kinds=("kk",))
    document = proposal.documents.get()
    client.force_login(resident)
    assert client.get(reverse("proposal-document", args=[document.pk, "full"])).status_code == 200
    assert DocumentAccess.objects.count() == 0
    client.force_login(personas.operator_a)
    assert client.get(reverse("proposal-document", args=[document.pk, "thumb"])).status_code == 200
    access = DocumentAccess.objects.get()
    assert (access.user, access.document_type, access.document_id, access.variant) == (
        personas.operator_a,
        "usulan",
        document.pk,
        "thumb",
    )
    client.force_login(personas.operator_b)  # another village: not found, nothing recorded
    assert client.get(reverse("proposal-document", args=[document.pk, "full"])).status_code == 404
    assert DocumentAccess.objects.count() == 1


# --- subject access: Data saya ---------------------------------------------------------------------------


@pytest.fixture
def resident(personas):
    return confirmed_resident("warga_data")


@pytest.fixture
def resident_with_history(personas, resident):
    proposal = complete_draft(resident, kinds=("kk", "rumah"))
    from registrations.services.documents import process_or_refuse, store_processed_image

    image, thumb = store_processed_image(process_or_refuse(photo_upload("ktp.jpg"), kind="ktp"), prefix="identitas")
    IdentityDocument.objects.create(
        profile=resident.resident, kind="ktp", image=image, thumbnail=thumb, sha256="0" * 64, width=1, height=1
    )
    DocumentAccess.objects.create(
        user=personas.operator_a, document_type="usulan", document_id=proposal.documents.first().pk
    )
    return proposal


@pytest.mark.django_db
def test_my_data_zip_holds_household_history_files_and_access_log(client, resident, resident_with_history):
    other = complete_draft(confirmed_resident("orang_lain"))
    proposal_transition(proposal_id=resident_with_history.pk, name="submit", actor=resident)
    client.force_login(resident)
    page = client.get(reverse("my-data"))
    assert page.status_code == 200 and "Unduh semua data saya" in page.content.decode()
    assert 'name="update_reason" value="koreksi"' in page.content.decode()
    response = client.get(reverse("my-data-download"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["profil"]["nik"] == resident.resident.nik
    assert [p["tracking_number"] for p in data["usulan"]] == [resident_with_history.tracking_number]
    assert other.tracking_number not in archive.read("data.json").decode()
    proposal = data["usulan"][0]
    assert len(proposal["anggota"]) == 3 and len(proposal["dokumen"]) == 2
    assert [e["to_status"] for e in proposal["riwayat"]] == [ProposalStatus.SUBMITTED]
    assert "actor" not in proposal["riwayat"][0]
    files = [n for n in archive.namelist() if n.startswith("dokumen/")]
    assert len(files) == 3  # two proposal photos, one KTP
    assert all(archive.read(n)[:2] == b"\xff\xd8" for n in files)  # JPEGs
    access = data["akses_dokumen_oleh_petugas"]
    assert len(access) == 1 and access[0]["peran"] == "Operator desa/kelurahan"
    assert "operator_a" not in json.dumps(access)  # staff appear by role and region only


@pytest.mark.django_db
def test_staff_view_of_an_identity_photo_is_recorded(client, personas, resident, resident_with_history):
    document = IdentityDocument.objects.get(profile=resident.resident)
    before = DocumentAccess.objects.count()
    client.force_login(personas.operator_a)
    assert client.get(reverse("identity-document", args=[document.pk, "full"])).status_code == 200
    access = DocumentAccess.objects.latest("accessed_at")
    assert DocumentAccess.objects.count() == before + 1
    assert (access.user, access.document_type, access.document_id) == (personas.operator_a, "identitas", document.pk)


@pytest.mark.django_db
def test_my_data_is_for_residents_only(client, personas):
    client.force_login(personas.operator_a)
    assert client.get(reverse("my-data")).status_code == 403
    assert client.get(reverse("my-data-download")).status_code == 403
    client.logout()
    assert client.get(reverse("my-data-download")).status_code == 302


@pytest.mark.django_db
def test_correction_button_opens_a_data_update_proposal(client, resident):
    client.force_login(resident)
    response = client.post(reverse("proposal-start"), {"kind": "perubahan", "update_reason": "koreksi"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(applicant=resident)
    assert (proposal.kind, proposal.update_reason) == ("perubahan", "koreksi")


# --- retention ---------------------------------------------------------------------------------------


def _ended(proposal, status, days_ago):
    Proposal.objects.filter(pk=proposal.pk).update(
        status=status, status_changed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


@pytest.mark.django_db
def test_retention_deletes_photos_of_ended_proposals_after_the_appeal_window(
    personas, django_capture_on_commit_callbacks
):
    old = complete_draft(confirmed_resident("lama"))
    recent = complete_draft(confirmed_resident("baru"))
    determined = complete_draft(confirmed_resident("ditetapkan"))
    window = settings.RETENTION_APPEAL_WINDOW_DAYS + settings.RETENTION_REJECTED_PROPOSAL_DAYS
    _ended(old, ProposalStatus.VERIFICATION_REJECTED, window + 1)
    _ended(recent, ProposalStatus.VERIFICATION_REJECTED, window - 1)
    _ended(determined, ProposalStatus.DETERMINED, window + 100)
    old_file = old.documents.get().image
    storage = old_file.storage
    assert storage.exists(old_file.name)

    dry = apply_retention(dry_run=True)
    assert dry.counts["dokumen usulan ditolak/ditarik"] == 1
    assert ProposalDocument.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention()
    assert report.counts["dokumen usulan ditolak/ditarik"] == 1
    assert not ProposalDocument.objects.filter(proposal=old).exists()
    assert not storage.exists(old_file.name)
    assert ProposalDocument.objects.filter(proposal__in=[recent, determined]).count() == 2
    assert Proposal.objects.filter(pk=old.pk).exists()  # the record of the decision stays


@pytest.mark.django_db
def test_retention_of_signups_rejected_identities_and_logs(personas):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    stale = confirmed_resident("tidak_aktif")
    ResidentProfile.objects.filter(user=stale).update(activated_at=None, created_at=long_ago)
    rejected = confirmed_resident("ditolak")
    ResidentProfile.objects.filter(user=rejected).update(
        identity_status=IdentityStatus.REJECTED, identity_reason="buram", identity_reviewed_at=long_ago
    )
    IdentityDocument.objects.create(
        profile=rejected.resident, kind="ktp", image="x.jpg", thumbnail="x-t.jpg", sha256="0" * 64, width=1, height=1
    )
    IdentityDocument.objects.filter(profile=rejected.resident).update(uploaded_at=long_ago)
    DocumentAccess.objects.create(user=personas.operator_a, document_type="usulan", document_id=1)
    DocumentAccess.objects.update(accessed_at=timezone.now() - datetime.timedelta(days=365 * 6))
    DocumentAccess.objects.create(user=personas.operator_a, document_type="usulan", document_id=2)

    from django.contrib.sessions.models import Session

    from registrations.models import UserSession

    Session.objects.create(session_key="lama" * 8, session_data="", expire_date=long_ago)
    Session.objects.create(
        session_key="baru" * 8, session_data="", expire_date=timezone.now() + datetime.timedelta(hours=1)
    )
    UserSession.objects.create(user=personas.operator_a, session_key="lama" * 8)
    UserSession.objects.create(user=personas.operator_a, session_key="baru" * 8)

    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "uji coba" in out.getvalue() and User.objects.filter(username="tidak_aktif").exists()
    call_command("apply_retention", stdout=io.StringIO())
    assert not User.objects.filter(username="tidak_aktif").exists()
    assert User.objects.filter(username="ditolak").exists()
    assert not IdentityDocument.objects.filter(profile__user=rejected).exists()
    assert list(DocumentAccess.objects.values_list("document_id", flat=True)) == [2]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["baru" * 8]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["baru" * 8]


@pytest.mark.django_db
def test_retention_deletes_old_import_and_audit_files_only(settings):
    """Uploaded lists hold whole villages' NIKs: gone a week after their job, not before."""
    import os
    from pathlib import Path

    old_time = (timezone.now() - datetime.timedelta(days=settings.RETENTION_WORK_FILE_DAYS + 1)).timestamp()
    files = {}
    for folder in ("imports", "audits"):
        path = Path(settings.MEDIA_ROOT) / folder
        path.mkdir(parents=True, exist_ok=True)
        files[folder, "old"] = path / "lama.csv"
        files[folder, "new"] = path / "baru.csv"
        for f in (files[folder, "old"], files[folder, "new"]):
            f.write_text("nik\n3204124109710022\n")
        os.utime(files[folder, "old"], (old_time, old_time))
    assert apply_retention(dry_run=True).counts["berkas kerja impor/audit"] == 2
    assert all(f.exists() for f in files.values())
    assert apply_retention().counts["berkas kerja impor/audit"] == 2
    assert {key for key, f in files.items() if f.exists()} == {("imports", "new"), ("audits", "new")}


@pytest.mark.django_db
def test_my_data_export_reads_the_same_number_of_queries_for_more_proposals(resident, resident_with_history):
    """Rows of members, documents, matches, visits and musdes items come per kind, not
    per proposal or member: "Data saya" stays cheap however long a resident's history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registrations.services.my_data import collect

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            collect(User.objects.get(pk=resident.pk))
        return len(captured)

    one = queries()
    proposal_transition(proposal_id=resident_with_history.pk, name="withdraw", actor=resident, reason="salah isi")
    complete_draft(resident)
    assert Proposal.objects.filter(applicant=resident).count() == 2
    assert queries() == one
