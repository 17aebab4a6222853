"""Operations (issue 8, item 7): the backup and the restore drill, run for real against a
scratch PostgreSQL database; the Procfile starts web, worker and beat."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from registrations.models import Household, User
from testing.processes import test_database_url

OPS = settings.BASE_DIR / "ops"


def _run(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_drill_into_a_scratch_database(personas, tmp_path):
    connection.close()  # let pg_dump and the drill see every committed row, and drop databases
    users = User.objects.count()
    assert users >= 11
    backup = _run(OPS / "backup.sh", "-d", test_database_url(), "-o", tmp_path / "backups", "-k", "30")
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and Path(f"{dump}.sha256").exists()
    assert oct(dump.stat().st_mode)[-3:] == "600"  # personal data: owner only

    drill = _run(
        OPS / "restore_drill.sh", dump, test_database_url(), DRILL_DB=f"{settings.DATABASES['default']['NAME']}_drill"
    )
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert f"ok registrations_user {users}" in drill.stdout
    assert "migrations ok" in drill.stdout and drill.stdout.rstrip().endswith("RESTORE DRILL OK")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_drill_fails_on_a_damaged_dump_and_on_missing_rows(personas, tmp_path):
    connection.close()
    backup = _run(OPS / "backup.sh", "-d", test_database_url(), "-o", tmp_path)
    dump = Path(backup.stdout.strip().splitlines()[-1])
    scratch = f"{settings.DATABASES['default']['NAME']}_drill"

    # Rows written after the dump: the copy no longer matches an exact drill.
    Household.objects.create(kk_number="3204120101090099", village_id="32.04.12.2002", address="x", rt="1", rw="1")
    connection.close()
    stale = _run(OPS / "restore_drill.sh", dump, test_database_url(), DRILL_DB=scratch)
    assert stale.returncode == 1 and "MISMATCH registrations_household restored=0 source=1" in stale.stderr

    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    broken = _run(OPS / "restore_drill.sh", damaged, test_database_url(), DRILL_DB=scratch)
    assert broken.returncode != 0 and "RESTORE DRILL OK" not in broken.stdout

    Path(f"{dump}.sha256").write_text(f"{'0' * 64}  {dump.name}\n")
    tampered = _run(OPS / "restore_drill.sh", dump, test_database_url(), DRILL_DB=scratch)
    assert tampered.returncode == 1 and "checksum mismatch" in tampered.stderr


def test_procfile_starts_web_worker_and_beat():
    lines = dict(
        line.split(":", 1) for line in (settings.BASE_DIR / "Procfile").read_text().splitlines() if ":" in line
    )
    assert set(lines) >= {"web", "worker", "beat"}
    assert "celery -A dtsen_portal worker" in lines["worker"] and "celery -A dtsen_portal beat" in lines["beat"]
    check = _run(settings.BASE_DIR / ".venv/bin/honcho", "check")
    assert check.returncode == 0, check.stderr


def test_backup_refuses_to_run_without_a_database():
    result = _run(OPS / "backup.sh", DATABASE_URL="")
    assert result.returncode == 2 and "DATABASE_URL is not set" in result.stderr
