#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a PostgreSQL database.
#
#   scripts/restore.sh [--force] BACKUP.dump [DATABASE_URL]
#
# The target is DATABASE_URL (argument or environment) or libpq's PG* variables. It should be a
# new, empty database (createdb chainparty_restored); one that already holds tables is refused
# unless --force is given, which drops and recreates every object the backup contains. The restore
# runs in a single transaction: it either completes or leaves the target as it was.
# Uploaded files: tar -xzf chainparty-media-<stamp>.tar.gz -C <MEDIA_ROOT>.
set -Eeuo pipefail

force=0
if [ "${1:-}" = "--force" ]; then
    force=1
    shift
fi
dump="${1:?usage: scripts/restore.sh [--force] BACKUP.dump [DATABASE_URL]}"
database_url="${2:-${DATABASE_URL:-}}"
[ -f "$dump" ] || { echo "restore: no such backup: $dump" >&2; exit 2; }

target=()
[ -n "$database_url" ] && target=(--dbname="$database_url")

tables=$(psql "${target[@]}" -X -A -t -v ON_ERROR_STOP=1 \
    -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
options=(--no-owner --no-privileges --single-transaction --exit-on-error)
if [ "$tables" != "0" ]; then
    if [ "$force" != 1 ]; then
        echo "restore: the target database already has $tables tables; restore into a new database," >&2
        echo "         or give --force to replace what the backup contains" >&2
        exit 3
    fi
    options+=(--clean --if-exists)
fi
pg_restore "${options[@]}" "${target[@]}" "$dump"
echo "restore: $dump restored"
