#!/usr/bin/env bash
# docker-compose.yml's `backup` service: run scripts/backup.sh every day at BACKUP_TIME (HH:MM,
# the container's TZ). A failed backup is reported in the service's log and tried again the next day.
set -Euo pipefail

time_of_day="${BACKUP_TIME:-02:30}"
here="$(dirname "${BASH_SOURCE[0]}")"
while true; do
    now=$(date +%s)
    next=$(date -d "today $time_of_day" +%s)
    [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $time_of_day" +%s)
    echo "backup: next backup at $(date -d "@$next" '+%Y-%m-%d %H:%M %Z')"
    sleep $((next - now))
    "$here/backup.sh" || echo "backup: FAILED at $(date '+%Y-%m-%d %H:%M')" >&2
done
