"""Population events: each kind updates the record and raises the right flags; reruns
change nothing; bad rows are reported by line; flags are region-scoped; the upload page
takes events files.

Runs on SQLite and, with DATABASE_URL set, on PostgreSQL (the partial unique
constraints and ``INSERT ... ON CONFLICT DO NOTHING`` behave the same on both); two
imports of the same file in two threads at once need PostgreSQL.
"""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import include, path, reverse
from django.utils import timezone

from registrations.models import Proposal, ProposalStatus
from registrations.nik import build_nik
from registrations.services.proposals import proposal_submit
from testing.concurrency import at_once
from testing.factories import make_household_with_members
from testing.population_events import RECENT, TODAY, events_csv, record_for
from testing.proposals import complete_draft
from testing.regions import OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B
from testing.residents import confirmed_resident
from verification.models import FlagKind, LifeStatus, PopulationEvent, PopulationFlag, PopulationRecord
from verification.population import events, jobs
from verification.population.events import import_population_events
from verification.population.flags import resolve_flag
from verification.workflow.services.matching import proposal_match

pytestmark = pytest.mark.django_db

urlpatterns = [
    path("staf/kependudukan/", include("verification.population.urls")),
    path("", include("dtsen_portal.urls")),
]
pages = pytest.mark.urls(__name__)


def run_events(rows, **kwargs):
    bad = []
    result = import_population_events(events_csv(rows), on_bad_row=bad.append, **kwargs)
    return result, bad


def newborn_nik(village: str, serial: int = 9001, birth: datetime.date | None = None) -> str:
    return build_nik(
        district_code=village[:8], birth_date=birth or TODAY - datetime.timedelta(days=30), sex="P", serial=serial
    )


@pytest.fixture
def household(regions):
    return make_household_with_members(VILLAGE_A, size=3)


@pytest.fixture
def open_proposal(personas):
    proposal = complete_draft(confirmed_resident())
    proposal_submit(proposal=proposal, actor=proposal.applicant)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    return proposal


# --- each kind of event ---------------------------------------------------------------------


def test_death_of_registered_member_marks_record_and_flags_household(household):
    member = household.members.get(relation="kepala")
    record_for(member)
    result, bad = run_events([{"event_id": "D-1", "event_type": "death", "nik": member.nik, "event_date": RECENT}])
    assert bad == [] and result.inserted == 1 and result.records_updated == 1 and result.flags == 1
    record = PopulationRecord.objects.get(nik=member.nik)
    assert record.status == LifeStatus.DECEASED and record.status_date.isoformat() == RECENT
    flag = PopulationFlag.objects.get()
    assert (flag.kind, flag.household, flag.member, flag.village_id) == (
        FlagKind.DECEASED,
        household,
        member,
        VILLAGE_A,
    )
    assert flag.masked_nik == f"{member.nik[:6]}******{member.nik[-4:]}" and flag.proposal is None


def test_death_of_open_proposal_member_flags_the_proposal_but_not_a_draft(open_proposal, personas):
    member = open_proposal.members.get(relation="anak")
    draft = complete_draft(confirmed_resident("rina", village=VILLAGE_A))
    draft.members.filter(relation="anak").update(nik=member.nik)
    result, bad = run_events([{"event_type": "death", "nik": member.nik, "event_date": RECENT}])
    assert bad == [] and result.inserted == 1
    assert result.records_updated == 0  # no population record of that NIK: event kept, flags raised
    flag = PopulationFlag.objects.get()
    assert (flag.kind, flag.proposal, flag.proposal_member, flag.household) == (
        FlagKind.DECEASED,
        open_proposal,
        member,
        None,
    )
    assert PopulationEvent.objects.get().record is None


def test_move_out_of_the_village_flags_but_a_move_within_it_does_not(household):
    head, spouse = household.members.get(relation="kepala"), household.members.get(relation="pasangan")
    record_for(head)
    record_for(spouse)
    rows = [
        {"event_type": "move", "nik": head.nik, "event_date": RECENT, "moved_to_code": OTHER_REGENCY_VILLAGE},
        {"event_type": "move", "nik": spouse.nik, "event_date": RECENT, "moved_to_code": VILLAGE_A},
    ]
    result, bad = run_events(rows)
    assert bad == [] and result.inserted == 2 and result.records_updated == 2
    moved = PopulationRecord.objects.get(nik=head.nik)
    assert (moved.status, moved.moved_to_code) == (LifeStatus.MOVED, OTHER_REGENCY_VILLAGE)
    flag = PopulationFlag.objects.get()
    assert (flag.kind, flag.member, flag.household) == (FlagKind.MOVED_OUT, head, household)


def test_birth_creates_the_record_and_flags_household_and_open_proposal(household, open_proposal):
    born = (TODAY - datetime.timedelta(days=20)).isoformat()
    rows = [
        {
            "event_type": "birth",
            "nik": newborn_nik(VILLAGE_A, 9001),
            "event_date": born,
            "kk_number": household.kk_number,
            "full_name": "Siti Bayi",
            "sex": "P",
            "village_code": VILLAGE_A,
        },
        {
            "event_type": "lahir",
            "nik": newborn_nik(VILLAGE_A, 9002),
            "event_date": born,
            "kk_number": open_proposal.kk_number,
            "full_name": "Adik Baru",
            "sex": "L",
            "village_code": VILLAGE_A,
        },
    ]
    result, bad = run_events(rows)
    assert bad == [] and result.records_created == 2 and result.flags == 2
    record = PopulationRecord.objects.get(nik=rows[0]["nik"])
    assert (record.full_name, record.kk_number, record.birth_date.isoformat(), record.status) == (
        "Siti Bayi",
        household.kk_number,
        born,
        LifeStatus.ALIVE,
    )
    assert record.name_key == "siti bayi"
    kinds = {(f.kind, f.household_id, f.proposal_id, f.member_name) for f in PopulationFlag.objects.all()}
    assert kinds == {
        (FlagKind.BIRTH, household.pk, None, "Siti Bayi"),
        (FlagKind.BIRTH, None, open_proposal.pk, "Adik Baru"),
    }


def test_a_late_registered_birth_of_a_child_over_five_flags_nothing(household):
    birth = TODAY.replace(year=TODAY.year - 7, day=1)
    row = {
        "event_type": "birth",
        "nik": newborn_nik(VILLAGE_A, 9003, birth),
        "event_date": RECENT,
        "birth_date": birth.isoformat(),
        "kk_number": household.kk_number,
        "full_name": "Anak Besar",
        "sex": "P",
        "village_code": VILLAGE_A,
    }
    result, bad = run_events([row])
    assert bad == [] and result.records_created == 1 and result.flags == 0


def test_kk_change_sets_the_new_kk_and_flags_the_household(household):
    member = household.members.get(relation="anak")
    record_for(member)
    new_kk = household.kk_number[:-4] + ("0001" if household.kk_number[-4:] != "0001" else "0002")
    result, bad = run_events(
        [{"event_type": "kk_change", "nik": member.nik, "event_date": RECENT, "new_kk_number": new_kk}]
    )
    assert bad == [] and result.records_updated == 1
    assert PopulationRecord.objects.get(nik=member.nik).kk_number == new_kk
    event = PopulationEvent.objects.get()
    assert event.kk_number == household.kk_number  # the old KK, taken from the record
    flag = PopulationFlag.objects.get()
    assert (flag.kind, flag.household, flag.member) == (FlagKind.KK_CHANGE, household, member)


def test_a_move_dated_before_the_death_does_not_revive_the_record(household):
    member = household.members.get(relation="kepala")
    record_for(member, status=LifeStatus.DECEASED, status_date=TODAY - datetime.timedelta(days=10))
    result, bad = run_events(
        [{"event_type": "move", "nik": member.nik, "event_date": RECENT, "moved_to_code": OTHER_REGENCY_VILLAGE}]
    )
    assert bad == [] and result.inserted == 1 and result.records_updated == 0
    assert PopulationRecord.objects.get(nik=member.nik).status == LifeStatus.DECEASED


# --- idempotency and bad rows ---------------------------------------------------------------


def test_rerunning_the_same_file_changes_nothing(household, open_proposal):
    head = household.members.get(relation="kepala")
    record_for(head)
    child = open_proposal.members.get(relation="anak")
    rows = [
        {"event_type": "death", "nik": head.nik, "event_date": RECENT},  # keyed by the row's hash
        {"event_id": "M-7", "event_type": "move", "nik": child.nik, "event_date": RECENT, "moved_to_code": "34"},
    ]
    first, _ = run_events(rows)
    assert (first.inserted, first.flags) == (2, 2)
    stamp = PopulationRecord.objects.get(nik=head.nik).updated_at
    second, bad = run_events(rows)
    assert bad == [] and (second.inserted, second.unchanged, second.flags, second.records_updated) == (0, 2, 0, 0)
    assert PopulationEvent.objects.count() == 2 and PopulationFlag.objects.count() == 2
    assert PopulationRecord.objects.get(nik=head.nik).updated_at == stamp
    # The same event_id with other content is refused, not applied.
    changed = [{**rows[1], "moved_to_code": "32"}]
    third, bad = run_events(changed)
    assert third.inserted == 0 and [b.line for b in bad] == [2] and "berbeda" in bad[0].reason


def test_a_flag_is_raised_once_per_event_and_target(household):
    member = household.members.get(relation="kepala")
    run_events([{"event_type": "death", "nik": member.nik, "event_date": RECENT}])
    flag = PopulationFlag.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationFlag.objects.create(
            kind=flag.kind, event=flag.event, household=household, masked_nik="x", village_id=VILLAGE_A
        )


def test_bad_rows_are_reported_by_line_and_good_rows_kept(household):
    member = household.members.get(relation="kepala")
    record_for(member)
    rows = [
        {"event_type": "death", "nik": member.nik, "event_date": RECENT},  # line 2: good
        {"event_type": "divorce", "nik": member.nik, "event_date": RECENT},  # line 3
        {"event_type": "death", "nik": "12345", "event_date": "2020-13-01"},  # line 4
        {"event_type": "move", "nik": member.nik, "event_date": RECENT},  # line 5: no destination
        {"event_type": "birth", "nik": newborn_nik(VILLAGE_A), "event_date": RECENT},  # line 6: no KK, name...
        {"event_type": "kk_change", "nik": member.nik, "event_date": "2999-01-01", "new_kk_number": "99"},  # 7
    ]
    result, bad = run_events(rows)
    assert (result.read, result.inserted, result.bad) == (6, 1, 5)
    reasons = {b.line: b.reason for b in bad}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "jenis peristiwa" in reasons[3]
    assert "NIK tidak sah" in reasons[4] and "bukan tanggal" in reasons[4]
    assert "moved_to_code" in reasons[5]
    assert "nomor KK" in reasons[6] and "nama" in reasons[6]
    assert "masa depan" in reasons[7] and "nomor KK baru" in reasons[7]
    assert PopulationRecord.objects.get(nik=member.nik).status == LifeStatus.DECEASED


def test_a_regional_importer_cannot_touch_another_regency(household):
    member = household.members.get(relation="kepala")
    record_for(member)
    result, bad = run_events([{"event_type": "death", "nik": member.nik, "event_date": RECENT}], scope="32.11")
    assert result.inserted == 0 and bad[0].reason == "di luar wilayah Anda"
    assert not PopulationEvent.objects.exists() and not PopulationFlag.objects.exists()
    assert PopulationRecord.objects.get(nik=member.nik).status == LifeStatus.ALIVE


def test_missing_columns_fail_the_command(tmp_path):
    target = tmp_path / "peristiwa.csv"
    target.write_text("nik,event_date\n", encoding="utf-8")
    with pytest.raises(CommandError, match="event_type"):
        call_command("import_population_events", str(target))


def test_command_prints_counts_and_reports_bad_rows(tmp_path, household):
    member = household.members.get(relation="kepala")
    target = tmp_path / "peristiwa.csv"
    target.write_bytes(
        events_csv(
            [
                {"event_type": "death", "nik": member.nik, "event_date": RECENT},
                {"event_type": "death", "nik": "", "event_date": RECENT},
            ]
        ).getvalue()
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_population_events", str(target), stdout=stdout, stderr=stderr)
    assert "inserted=1" in stdout.getvalue() and "bad=1" in stdout.getvalue() and "flags=1" in stdout.getvalue()
    assert "3,,NIK kosong" in stderr.getvalue()
    stdout = io.StringIO()
    call_command("import_population_events", str(target), stdout=stdout, stderr=io.StringIO())
    assert "inserted=0 unchanged=1" in stdout.getvalue()


# --- two imports of the same file at once -------------------------------------------------------


def _same_file_rows(households) -> tuple[list[dict], dict[str, int]]:
    """Per household: a death (the head; a record for every other one), a birth into its KK,
    a KK change and a move out of the regency (records held). Returns the rows and what
    one import of them must report."""
    rows = []
    for i, h in enumerate(households):
        head = h.members.get(relation="kepala")
        spouse, child = h.members.get(relation="pasangan"), h.members.get(relation="anak")
        if i % 2 == 0:
            record_for(head)
        record_for(spouse)
        record_for(child)
        rows += [
            {"event_type": "death", "nik": head.nik, "event_date": RECENT},  # keyed by the row's hash
            {
                "event_id": f"LHR-{i}",
                "event_type": "birth",
                "nik": newborn_nik(VILLAGE_A, 9100 + i),
                "event_date": RECENT,
                "kk_number": h.kk_number,
                "full_name": f"Bayi Baru {i}",
                "sex": "P",
                "village_code": VILLAGE_A,
            },
            {
                "event_id": f"KK-{i}",
                "event_type": "kk_change",
                "nik": spouse.nik,
                "event_date": RECENT,
                "new_kk_number": f"{h.kk_number[:-4]}99{i:02d}",
            },
            {
                "event_id": f"PDH-{i}",
                "event_type": "move",
                "nik": child.nik,
                "event_date": RECENT,
                "moved_to_code": OTHER_REGENCY_VILLAGE,
            },
        ]
    n = len(households)
    expected = {
        "events": 4 * n,
        "records_created": n,
        "records_updated": (n + 1) // 2 + 2 * n,
        "flags": 4 * n,
        "deceased": (n + 1) // 2,
        "moved": n,
    }
    return rows, expected


def _assert_stored_once(results, expected) -> None:
    assert [bad for _result, bad in results] == [[], []]
    for result, _bad in results:
        assert result.read == expected["events"] and result.inserted + result.unchanged == expected["events"]
    for name in ("records_created", "records_updated", "flags"):
        assert sum(getattr(result, name) for result, _bad in results) == expected[name], name
    assert sum(result.inserted for result, _bad in results) == expected["events"]
    assert PopulationEvent.objects.count() == expected["events"]
    assert PopulationFlag.objects.count() == expected["flags"]
    assert PopulationRecord.objects.filter(status=LifeStatus.DECEASED).count() == expected["deceased"]
    assert PopulationRecord.objects.filter(status=LifeStatus.MOVED).count() == expected["moved"]


def test_rows_another_import_stored_meanwhile_count_as_unchanged(household, monkeypatch):
    """The import that loses the race: its first read of the stored keys came before the
    other import committed, so its claim finds them taken. It applies nothing, raises no
    flag and counts them as a rerun would (runs on SQLite too; the real race is below)."""
    head, child = household.members.get(relation="kepala"), household.members.get(relation="anak")
    record_for(head)
    rows = [
        {"event_id": "D-9", "event_type": "death", "nik": head.nik, "event_date": RECENT},
        {"event_type": "move", "nik": child.nik, "event_date": RECENT, "moved_to_code": OTHER_REGENCY_VILLAGE},
    ]
    first, bad = run_events(rows)
    assert bad == [] and (first.inserted, first.records_updated, first.flags) == (2, 1, 2)
    event = PopulationEvent.objects.get(event_key="id:D-9")
    assert event.record.nik == head.nik and event.kk_number == household.kk_number  # completed after the claim
    assert abs(timezone.now() - event.imported_at) < datetime.timedelta(minutes=5)
    real = events._stored_hashes
    reads = []

    def read_before_the_other_committed(keys):
        reads.append(keys)
        return {} if len(reads) == 1 else real(keys)

    monkeypatch.setattr(events, "_stored_hashes", read_before_the_other_committed)
    second, bad = run_events(rows)
    assert len(reads) == 2  # the claim found both taken and read them again
    assert bad == [] and (second.inserted, second.unchanged, second.records_updated, second.flags) == (0, 2, 0, 0)
    assert PopulationEvent.objects.count() == 2 and PopulationFlag.objects.count() == 2
    reads.clear()
    older = (TODAY - datetime.timedelta(days=40)).isoformat()
    third, bad = run_events([{**rows[0], "event_date": older}])  # same event_id, other content
    assert third.inserted == 0 and [b.line for b in bad] == [2] and "berbeda" in bad[0].reason
    assert PopulationRecord.objects.get(nik=head.nik).status_date.isoformat() == RECENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_store_and_flag_each_event_once(regions):
    """Two workers (or two staff members) import the same events file at the same moment:
    neither fails, every event is stored and applied once and raises its flags once."""
    households = [make_household_with_members(VILLAGE_A, size=3) for _ in range(12)]
    rows, expected = _same_file_rows(households)
    body = events_csv(rows).getvalue()

    def run():
        bad = []
        return import_population_events(io.BytesIO(body), on_bad_row=bad.append, chunk_size=8), bad

    results = at_once(run)
    assert [r for r in results if isinstance(r, Exception)] == []
    _assert_stored_once(results, expected)


# --- flags in the staff pages: scoped by region -----------------------------------------------


@pytest.fixture
def flags_ab(regions):
    """One open death flag in village A and one in village B."""
    a = make_household_with_members(VILLAGE_A, size=1)
    b = make_household_with_members(VILLAGE_B, size=1)
    run_events([{"event_type": "death", "nik": h.members.get().nik, "event_date": RECENT} for h in (a, b)])
    return PopulationFlag.objects.get(village_id=VILLAGE_A), PopulationFlag.objects.get(village_id=VILLAGE_B)


@pages
def test_operator_sees_only_their_village_and_cannot_resolve_another(client, personas, flags_ab):
    flag_a, flag_b = flags_ab
    client.force_login(personas.operator_b)
    page = client.get(reverse("population-flags"))
    assert page.status_code == 200
    assert f'data-flag="{flag_b.pk}"' in page.text and f'data-flag="{flag_a.pk}"' not in page.text
    response = client.post(reverse("population-flag-resolve", args=[flag_a.pk]), {"note": "dicek"})
    assert response.status_code == 404
    flag_a.refresh_from_db()
    assert flag_a.resolved_at is None


@pages
def test_operator_resolves_with_a_note(client, personas, flags_ab):
    flag_a, _ = flags_ab
    client.force_login(personas.operator_a)
    response = client.post(reverse("population-flag-resolve", args=[flag_a.pk]), {"note": ""})
    assert response.status_code == 302
    flag_a.refresh_from_db()
    assert flag_a.resolved_at is None  # a note is required
    client.post(reverse("population-flag-resolve", args=[flag_a.pk]), {"note": "Akta kematian sudah dicek"})
    flag_a.refresh_from_db()
    assert flag_a.resolved_by == personas.operator_a and flag_a.resolution_note == "Akta kematian sudah dicek"
    open_page = client.get(reverse("population-flags"))
    assert f'data-flag="{flag_a.pk}"' not in open_page.text
    done_page = client.get(reverse("population-flags"), {"status": "selesai", "jenis": FlagKind.DECEASED})
    assert f'data-flag="{flag_a.pk}"' in done_page.text and "Akta kematian sudah dicek" in done_page.text
    other_kind = client.get(reverse("population-flags"), {"status": "semua", "jenis": FlagKind.BIRTH})
    assert f'data-flag="{flag_a.pk}"' not in other_kind.text


@pages
def test_social_officer_sees_the_regency_and_not_another(client, personas, flags_ab):
    flag_a, flag_b = flags_ab
    client.force_login(personas.social_officer)
    page = client.get(reverse("population-flags"))
    assert f'data-flag="{flag_a.pk}"' in page.text and f'data-flag="{flag_b.pk}"' in page.text
    dashboard = client.get(reverse("staff-dashboard"))
    assert 'data-population-flag-count="2"' in dashboard.text
    client.force_login(personas.social_officer_other_regency)
    page = client.get(reverse("population-flags"))
    assert 'data-flag="' not in page.text
    assert client.post(reverse("population-flag-resolve", args=[flag_a.pk]), {"note": "x"}).status_code == 404


@pages
def test_residents_and_other_roles_never_see_flags(client, personas, flags_ab):
    for user in (personas.resident, personas.regency_head, personas.provincial):
        client.force_login(user)
        assert client.get(reverse("population-flags")).status_code == 403
        assert client.post(reverse("population-flag-resolve", args=[flags_ab[0].pk]), {"note": "x"}).status_code == 403
    client.logout()
    assert client.get(reverse("population-flags")).status_code == 302  # to the login page


def test_resolving_twice_keeps_the_first_note(personas, flags_ab):
    from dtsen_portal.errors import InvalidTransition

    flag_a, _ = flags_ab
    resolve_flag(flag_id=flag_a.pk, user=personas.operator_a, note="pertama")
    with pytest.raises(InvalidTransition):
        resolve_flag(flag_id=flag_a.pk, user=personas.social_officer, note="kedua")
    flag_a.refresh_from_db()
    assert flag_a.resolution_note == "pertama"


@pages
def test_proposal_staff_view_shows_its_flags(client, personas, open_proposal):
    child = open_proposal.members.get(relation="anak")
    run_events([{"event_type": "death", "nik": child.nik, "event_date": RECENT}])
    Proposal.objects.filter(pk=open_proposal.pk).update(status=ProposalStatus.MUSDES_APPROVED)
    proposal_match(proposal_id=open_proposal.pk)
    client.force_login(personas.social_officer)
    page = client.get(reverse("verification-detail", args=[open_proposal.tracking_number]))
    assert page.status_code == 200
    flag = PopulationFlag.objects.get()
    assert "data-population-flags" in page.text and f'data-flag="{flag.pk}"' in page.text
    assert 'data-match="' in page.text  # next to the member match results


# --- the upload page ------------------------------------------------------------------------


@pages
def test_upload_page_imports_an_events_file(client, personas, household, django_capture_on_commit_callbacks):
    cache.clear()
    member = household.members.get(relation="kepala")
    record_for(member)
    body = events_csv(
        [
            {"event_type": "death", "nik": member.nik, "event_date": RECENT},
            {"event_type": "death", "nik": "1", "event_date": RECENT},
        ]
    ).getvalue()
    client.force_login(personas.social_officer)
    form = client.get(reverse("population-import"))
    assert 'value="events"' in form.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("population-import"),
            {"kind": "events", "file": SimpleUploadedFile("peristiwa.csv", body, content_type="text/csv")},
        )
    assert response.status_code == 302, response.content
    job_id = response.url.rstrip("/").rsplit("/", 1)[-1]
    job = jobs.job_get(job_id, personas.social_officer)
    assert job["status"] == "done" and job["kind"] == "events"
    assert (job["inserted"], job["bad"], job["flags"], job["records_updated"]) == (1, 1, 1, 1)
    page = client.get(response.url)
    assert "Tanda baru" in page.text
    report = client.get(reverse("population-import-report", args=[job_id]))
    assert b"3,*,NIK tidak sah" in b"".join(report.streaming_content)
    assert PopulationRecord.objects.get(nik=member.nik).status == LifeStatus.DECEASED


@pages
def test_upload_page_checks_the_events_header(client, personas):
    client.force_login(personas.ministry)
    body = b"nik,tanggal\n3204120101900001,2024-01-01\n"
    response = client.post(
        reverse("population-import"),
        {"kind": "events", "file": SimpleUploadedFile("peristiwa.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 200 and "event_type" in response.text
    # A records file uploaded as records still works on the same form.
    response = client.post(
        reverse("population-import"),
        {"kind": "records", "file": SimpleUploadedFile("peristiwa.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 200 and "kk_number" in response.text
