#!/usr/bin/env bash
# Back up the portal's PostgreSQL database (pg_dump custom format) and, optionally, the
# private documents folder. See docs/deploy.md "Backups".
#
#   ops/backup.sh [-d DATABASE_URL] [-o BACKUP_DIR] [-m PRIVATE_MEDIA_ROOT] [-k KEEP_DAYS]
#
# Defaults come from the environment: DATABASE_URL, BACKUP_DIR (/var/backups/dtsen),
# PRIVATE_MEDIA_ROOT (skipped when unset), KEEP_DAYS (14). Prints the dump's path.
# A dump is written as *.partial and renamed only when pg_dump succeeded, with a
# SHA-256 file beside it, so a half-written file is never mistaken for a backup.
set -euo pipefail

db_url=${DATABASE_URL:-}
out_dir=${BACKUP_DIR:-/var/backups/dtsen}
media=${PRIVATE_MEDIA_ROOT:-}
keep_days=${KEEP_DAYS:-14}
while getopts "d:o:m:k:" opt; do
  case $opt in
    d) db_url=$OPTARG ;;
    o) out_dir=$OPTARG ;;
    m) media=$OPTARG ;;
    k) keep_days=$OPTARG ;;
    *) echo "usage: $0 [-d DATABASE_URL] [-o BACKUP_DIR] [-m PRIVATE_MEDIA_ROOT] [-k KEEP_DAYS]" >&2; exit 2 ;;
  esac
done
[ -n "$db_url" ] || { echo "backup: DATABASE_URL is not set (postgres://user@host:5432/db)" >&2; exit 2; }

mkdir -p "$out_dir"
umask 077  # dumps hold every resident's personal data: readable by the backup user only
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dump="$out_dir/dtsen-$stamp.dump"

# -Fc: compressed, restorable table by table with pg_restore -j; one consistent snapshot.
pg_dump --format=custom --no-owner --no-privileges --dbname="$db_url" --file="$dump.partial"
mv "$dump.partial" "$dump"
(cd "$out_dir" && sha256sum "$(basename "$dump")" > "$(basename "$dump").sha256")

if [ -n "$media" ] && [ -d "$media" ]; then
  tar -C "$media" -czf "$out_dir/dtsen-media-$stamp.tar.gz.partial" .
  mv "$out_dir/dtsen-media-$stamp.tar.gz.partial" "$out_dir/dtsen-media-$stamp.tar.gz"
fi

# Keep KEEP_DAYS days here; older copies live off-site (docs/deploy.md).
find "$out_dir" -maxdepth 1 -name 'dtsen-*' -type f -mtime "+$keep_days" -delete
echo "$dump"
