"""The extension points a higher app fills (docs/architecture.md, "Extension points"),
checked in the full set-up: each test fails when an app forgets to register its part."""

import datetime
import os

import pytest
from django.utils import timezone

from registrations.models import FollowUp, ProposalStatus
from registrations.services.my_data import collect
from registrations.services.proposals import proposal_submit, proposal_withdraw
from testing.proposals import complete_draft
from testing.residents import confirmed_resident

pytestmark = pytest.mark.django_db


# --- follow-ups --------------------------------------------------------------------------


def test_a_submission_asks_for_matching_and_every_move_for_an_email(personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    submitted = proposal_submit(proposal=proposal, actor=resident)
    withdrawn = proposal_withdraw(proposal=proposal, actor=resident, reason="salah isi")
    kinds = {(f.event_id, f.kind) for f in FollowUp.objects.all()}
    assert kinds == {
        (submitted.pk, "notify_proposer"),
        (submitted.pk, "match_members"),
        (withdrawn.pk, "notify_proposer"),
    }


def test_a_kind_nobody_registered_is_refused_at_creation_and_kept_at_run_time(personas):
    from django.core.exceptions import ImproperlyConfigured

    from registrations.models import FollowUpState
    from registrations.services import followups

    resident = confirmed_resident()
    event = proposal_submit(proposal=complete_draft(resident), actor=resident)
    with pytest.raises(ImproperlyConfigured, match="tidak_ada"):
        followups.followups_create(events=[event], kinds=["tidak_ada"])
    orphan = FollowUp.objects.create(event=event, kind="tidak_ada")  # e.g. its app is not installed here
    assert followups.followup_run(orphan.pk) is False
    orphan.refresh_from_db()
    assert orphan.state == FollowUpState.PENDING and orphan.attempts == 1
    assert "no handler registered for follow-up kind 'tidak_ada'" in orphan.last_error


def test_every_registered_handler_and_work_folder_imports():
    """Dotted paths are imported only when used: a typo must fail here, not in a worker."""
    from django.utils.module_loading import import_string

    from registrations.services import followups, retention

    assert set(followups.KINDS) == {"notify_proposer", "match_members"}
    assert all(callable(import_string(kind.handler)) for kind in followups.KINDS.values())
    assert len(retention.WORK_FOLDERS) == 2
    assert all(callable(import_string(folder.path)) for folder in retention.WORK_FOLDERS)


# --- Data saya ---------------------------------------------------------------------------


@pytest.fixture
def full_history(personas, django_capture_on_commit_callbacks):
    """A resident with something in every app: a matched, deliberated and visited
    proposal, a registered household with a score and a programme result, an objection."""
    from lookup.services import objection_file
    from testing.results import give_desil, give_result
    from testing.scoring import household
    from testing.workflow import held_musdes, verified

    resident = confirmed_resident()
    proposal = complete_draft(resident)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=proposal, actor=resident)  # the matching runs in-process
    held_musdes(personas.operator_a, [proposal])
    verified(personas.social_officer, proposal)
    registered = household(resident.region_id, kk_number=resident.resident.kk_number)
    give_desil(registered, 2)
    give_result(registered, "PKH", included=True)
    objection_file(
        objector=resident,
        kind="layak_terlewat",
        reason="belum_terdata",
        statement="Janda lansia tinggal sendiri, rumah bilik bambu, belum pernah didata.",
        photos=[],
        person_name="Mak Icih",
        rt="003",
        rw="002",
    )
    return resident


def test_my_data_has_every_apps_section_in_its_place(full_history):
    data, _files = collect(full_history)
    assert list(data) == [
        "format",
        "dibuat",
        "akun",
        "profil",
        "dokumen_identitas",
        "rumah_tangga",
        "usulan",
        "skor_dan_desil",
        "hasil_program",
        "sanggah",
        "akses_dokumen_oleh_petugas",
    ]
    (proposal,) = data["usulan"]
    assert proposal["status"] == ProposalStatus.VERIFIED
    assert list(proposal)[-5:] == ["anggota", "dokumen", "riwayat", "kunjungan_lapangan", "musyawarah"]
    assert len(proposal["kunjungan_lapangan"]) == 1 and len(proposal["musyawarah"]) == 1
    assert "verifier" not in proposal["kunjungan_lapangan"][0]
    assert "recorded_by" not in proposal["musyawarah"][0]
    assert len(proposal["anggota"]) == 3
    for member in proposal["anggota"]:
        assert list(member)[-1] == "hasil_pencocokan"
        assert not {"candidates", "duplicates", "record", "member"} & set(member["hasil_pencocokan"])
    assert len(data["skor_dan_desil"]) == 1 and data["skor_dan_desil"][0]["desil_national"] == 2
    assert [r["program"] for r in data["hasil_program"]] == ["PKH (Program Keluarga Harapan)"]
    (objection,) = data["sanggah"]
    assert "objector" not in objection and [e["to_status"] for e in objection["riwayat"]] == ["diterima"]


# --- retention -----------------------------------------------------------------------------


def test_retention_deletes_old_work_files_of_the_population_import_and_the_audit(settings):
    from registrations.services.retention import apply_retention
    from verification.audit import jobs as audit_jobs
    from verification.population import jobs as import_jobs

    old_time = (timezone.now() - datetime.timedelta(days=settings.RETENTION_WORK_FILE_DAYS + 1)).timestamp()
    old = [import_jobs.report_path("a" * 32), audit_jobs.report_path("b" * 32, "xlsx")]
    recent = [import_jobs.upload_path("c" * 32), audit_jobs.report_path("c" * 32, "rows")]
    for path in old + recent:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("nik\n3204124109710022\n")
    for path in old:
        os.utime(path, (old_time, old_time))
    assert apply_retention().counts["berkas kerja impor/audit"] == 2
    assert [p.exists() for p in old + recent] == [False, False, True, True]


# --- demo steps ----------------------------------------------------------------------------


def test_every_apps_demo_steps_run_in_their_rounds_and_order():
    from registrations.demo.steps import demo_steps

    assert [f"{step.__module__}.{step.__name__}" for step in demo_steps()] == [
        "registrations.demo.households.step_regions",
        "registrations.demo.households.step_households",
        "registrations.demo.accounts.step_accounts",
        "registrations.demo.proposals.step_resident_profile",
        "registrations.demo.proposals.step_proposals",
        "verification.demo.step_workflow",
        "eligibility.demo.step_eligibility",  # enters the demo households in the register
        # last round: what reacts to the finished register
        "verification.demo.step_population_events",
        "lookup.demo.step_lookup",
    ]
