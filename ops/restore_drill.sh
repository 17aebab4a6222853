#!/usr/bin/env bash
# Restore drill: restore a backup into a scratch database and check that it is whole.
#
#   ops/restore_drill.sh DUMP_FILE [SOURCE_DATABASE_URL]
#
# Environment: DRILL_ADMIN_URL (a database on the same server to run CREATE/DROP
# DATABASE from; default: SOURCE's server, database "postgres"), DRILL_DB (scratch
# name, default dtsen_restore_drill), DRILL_TOLERANCE_PCT (how far a table's restored
# row count may differ from the source's *current* count; default 0 = exact, for a
# quiet database; use e.g. 1 against a live one), DRILL_KEEP=1 keeps the scratch DB.
#
# Checks, in order, and exits non-zero at the first that fails:
#   1. the checksum beside the dump (if any) matches;
#   2. pg_restore into a fresh scratch database succeeds with no error;
#   3. Django's migration table in the copy is at the code's migrations (migrate --check);
#   4. every key table exists, and its row count matches the source (within tolerance).
# Prints one line per table and "RESTORE DRILL OK" at the end.
set -euo pipefail

dump=${1:?usage: $0 DUMP_FILE [SOURCE_DATABASE_URL]}
source_url=${2:-${DATABASE_URL:-}}
scratch=${DRILL_DB:-dtsen_restore_drill}
tolerance=${DRILL_TOLERANCE_PCT:-0}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}

[ -f "$dump" ] || { echo "drill: no such dump: $dump" >&2; exit 2; }
[ -n "$source_url" ] || { echo "drill: give SOURCE_DATABASE_URL (or set DATABASE_URL)" >&2; exit 2; }
case "$scratch" in *[!a-z0-9_]*) echo "drill: DRILL_DB must be [a-z0-9_]" >&2; exit 2 ;; esac

server_url=${source_url%/*}
admin_url=${DRILL_ADMIN_URL:-$server_url/postgres}
scratch_url=$server_url/$scratch

if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") \
    || { echo "drill: checksum mismatch for $dump" >&2; exit 1; }
  echo "checksum ok"
fi

cleanup() {
  if [ "${DRILL_KEEP:-0}" != 1 ]; then
    psql "$admin_url" -qAt -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

psql "$admin_url" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" >/dev/null
psql "$admin_url" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $scratch" >/dev/null
pg_restore --exit-on-error --no-owner --no-privileges --jobs="${DRILL_JOBS:-2}" --dbname="$scratch_url" "$dump"
echo "restored into $scratch"

(cd "$here" && DATABASE_URL=$scratch_url REDIS_URL='' "$python" manage.py migrate --check --noinput >/dev/null) \
  || { echo "drill: the restored schema is not at the code's migrations" >&2; exit 1; }
echo "migrations ok"

tables=${DRILL_TABLES:-"django_migrations registrations_region registrations_user registrations_household registrations_member registrations_residentprofile registrations_proposal registrations_proposalmember registrations_proposalevent registrations_documentaccess"}
failed=0
for table in $tables; do
  restored=$(psql "$scratch_url" -qAt -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM $table") \
    || { echo "drill: table $table missing in the copy" >&2; failed=1; continue; }
  source=$(psql "$source_url" -qAt -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM $table")
  diff=$(( restored > source ? restored - source : source - restored ))
  if [ "$diff" -gt $(( source * tolerance / 100 )) ]; then
    echo "MISMATCH $table restored=$restored source=$source" >&2
    failed=1
  else
    echo "ok $table $restored"
  fi
done
[ "$failed" = 0 ] || { echo "RESTORE DRILL FAILED" >&2; exit 1; }
echo "RESTORE DRILL OK"
