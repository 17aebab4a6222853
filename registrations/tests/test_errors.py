"""The domain error base and the message catalogues: text fixed when raised, in the
language active then; the API maps every domain error to the same JSON."""

import json

import pytest
from django.utils import translation

from dtsen_portal.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from eligibility.errors import RUN_ERRORS, RunRefused
from lookup.errors import SANGGAH_ERRORS
from registrations.api.errors import exception_handler
from registrations.errors import PROPOSAL_ERRORS, WORKFLOW_ERRORS
from verification.errors import AUDIT_ERRORS, POPULATION_ERRORS, AuditInputError, PopulationImportError


def test_a_catalogued_message_becomes_text_in_the_language_active_when_raised():
    error = NotAllowed(WORKFLOW_ERRORS["outside_region"])
    assert type(error.message) is str
    assert error.message == "Usulan ini di luar wilayah tugas Anda."
    with translation.override("en"):
        error = NotAllowed(WORKFLOW_ERRORS["outside_region"])
    # Leaving the language does not change a message already made.
    assert error.message == "This proposal is outside your assigned region."
    assert str(error) == error.message
    assert json.dumps({"error": error.message})  # a job's state can store it


def test_formatting_a_catalogued_message_gives_the_sentence_with_its_values():
    error = Conflict(PROPOSAL_ERRORS["kk_has_open_proposal"] % {"number": "US-0001"}, field="kk_number")
    assert error.message == "Sudah ada usulan yang masih berjalan untuk nomor KK ini (US-0001)."
    assert error.field == "kk_number"
    with translation.override("en"):
        error = DomainError(SANGGAH_ERRORS["too_many_photos"] % {"n": 3}, field="photos")
    assert error.message == "At most 3 evidence photos."
    error = PopulationImportError(POPULATION_ERRORS["column_twice"] % {"col": "nik"})
    assert error.message == "Kolom nik muncul dua kali di baris judul."


def test_every_area_error_is_a_domain_error():
    assert issubclass(RunRefused, DomainError)
    assert issubclass(PopulationImportError, DomainError)
    assert issubclass(AuditInputError, DomainError)
    assert RunRefused(RUN_ERRORS["no_active_model"]).message == "Belum ada model skor yang aktif."
    assert str(AuditInputError(AUDIT_ERRORS["pdf"])) == "Berkas ini PDF, bukan CSV atau Excel."


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (DomainError("Pilih alasan.", field="reason"), 400, {"detail": "Pilih alasan.", "field": "reason"}),
        (NotAllowed(WORKFLOW_ERRORS["outside_region"]), 403, {"detail": "Usulan ini di luar wilayah tugas Anda."}),
        (InvalidTransition("Sudah berubah."), 409, {"detail": "Sudah berubah."}),
        (Conflict("Sudah ada.", field="kk_number"), 409, {"detail": "Sudah ada.", "field": "kk_number"}),
        (RunRefused(RUN_ERRORS["scoring_running"]), 400, {"detail": "Penghitungan skor lain sedang berjalan."}),
    ],
)
def test_the_api_maps_a_domain_error_to_its_status_and_json(error, status, body):
    response = exception_handler(error, {})
    assert response.status_code == status
    assert response.data == body
