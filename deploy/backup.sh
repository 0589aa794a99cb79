#!/usr/bin/env bash
# A dump of the database of DATABASE_URL in pg_dump's custom format, in MAP,
# named after the moment (UTC); only the newest BACKUP_KEEP dumps are kept.
set -euo pipefail

gebruik() {
  cat >&2 <<'TEKST'
Gebruik: deploy/backup.sh MAP

Maakt een back-up (pg_dump -Fc) van de database in DATABASE_URL in MAP, als
MAP/steungezinnen-JJJJMMDDTUUMMSSZ.dump, en bewaart alleen de nieuwste
BACKUP_KEEP back-ups (standaard 14). Print het pad van de nieuwe back-up.

  DATABASE_URL=postgres://gebruiker:wachtwoord@localhost:5432/steungezinnen \
    deploy/backup.sh /var/backups/steungezinnen
TEKST
  exit 2
}

[ $# -eq 1 ] && [ "$1" != "-h" ] && [ "$1" != "--help" ] || gebruik
map="$1"
keep="${BACKUP_KEEP:-14}"

. "$(dirname "$0")/pg-env.sh"
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || fout "BACKUP_KEEP moet een heel getal van 1 of meer zijn, niet '$keep'."
[ -d "$map" ] || fout "de map $map bestaat niet."
pg_env

# A dump holds every family's personal data: readable by this user only.
umask 077
dump="$map/steungezinnen-$(date -u +%Y%m%dT%H%M%SZ).dump"
[ ! -e "$dump" ] || fout "$dump bestaat al."
# Written under another name and renamed when complete, so that a failed dump
# is never taken for a good one, nor pushes a good one out of the rotation.
deel="$dump.deel"
trap 'rm -f "$deel"' EXIT
pg_dump --no-password --format=custom --file="$deel" "$PG_URL"
pg_restore --list "$deel" >/dev/null  # the archive can be read back
mv "$deel" "$dump"

shopt -s nullglob
dumps=("$map"/steungezinnen-*.dump)  # oldest first: the names sort by time
if [ ${#dumps[@]} -gt "$keep" ]; then
  rm -f -- "${dumps[@]:0:${#dumps[@]}-keep}"
fi
echo "$dump"
