#!/usr/bin/env bash
# Back up ChainParty's PostgreSQL database (and, when BACKUP_MEDIA_DIR is set, the uploaded files)
# into BACKUP_DIR, then delete backups older than BACKUP_KEEP_DAYS days.
#
#   scripts/backup.sh [DATABASE_URL]
#
# The database is DATABASE_URL (argument or environment), or else libpq's PGHOST/PGUSER/
# PGPASSWORD/PGDATABASE. The dump is pg_dump's custom format (compressed, restored table by table
# with scripts/restore.sh), written under a temporary name and renamed when complete, so a dump
# cut off half-way never looks like a backup. docker-compose.yml's `backup` service runs this daily.
set -Eeuo pipefail

database_url="${1:-${DATABASE_URL:-}}"
backup_dir="${BACKUP_DIR:-./backups}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
stamp="$(date +%Y%m%d-%H%M%S)"

if ! [[ "$keep_days" =~ ^[0-9]+$ ]] || [ "$keep_days" -lt 1 ]; then
    echo "backup: BACKUP_KEEP_DAYS must be a whole number of days, at least 1 (got '$keep_days')" >&2
    exit 2
fi
mkdir -p "$backup_dir"

dump="$backup_dir/chainparty-$stamp.dump"
if [ -n "$database_url" ]; then
    pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" --dbname="$database_url"
else
    pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial"
fi
mv "$dump.partial" "$dump"
echo "backup: database -> $dump ($(du -h "$dump" | cut -f1))"

if [ -n "${BACKUP_MEDIA_DIR:-}" ] && [ -d "$BACKUP_MEDIA_DIR" ]; then
    media="$backup_dir/chainparty-media-$stamp.tar.gz"
    tar -czf "$media.partial" -C "$BACKUP_MEDIA_DIR" .
    mv "$media.partial" "$media"
    echo "backup: uploaded files -> $media"
fi

# Keep BACKUP_KEEP_DAYS days: older backups (and partial files a crash left) go.
find "$backup_dir" -maxdepth 1 -type f \( -name 'chainparty-*.dump' -o -name 'chainparty-media-*.tar.gz' \
    -o -name 'chainparty-*.partial' \) -mtime +"$((keep_days - 1))" -print -delete | sed 's/^/backup: removed /'
