#!/usr/bin/env bash
# A dump of the database of DATABASE_URL in pg_dump's custom format, in MAP,
# named after the moment (UTC), with the documents of the file-system store
# (DOCUMENTEN_ROOT) in a tar of the same name; only the newest BACKUP_KEEP
# backups are kept.
set -euo pipefail

gebruik() {
  cat >&2 <<'TEKST'
Gebruik: deploy/backup.sh MAP

Maakt een back-up (pg_dump -Fc) van de database in DATABASE_URL in MAP, als
MAP/steungezinnen-JJJJMMDDTUUMMSSZ.dump, met de documenten van de gezinnen
(de map DOCUMENTEN_ROOT, standaard documenten/ naast manage.py) ernaast als
MAP/steungezinnen-JJJJMMDDTUUMMSSZ.documenten.tar, en bewaart alleen de
nieuwste BACKUP_KEEP back-ups (standaard 14). Print het pad van de nieuwe
back-up. Met DOCUMENTEN_S3_BUCKET staan de documenten in S3 en niet in de
back-up: bewaar die met de versies of back-ups van de opslag zelf.

  DATABASE_URL=postgres://gebruiker:wachtwoord@localhost:5432/steungezinnen \
    deploy/backup.sh /var/backups/steungezinnen
TEKST
  exit 2
}

[ $# -eq 1 ] && [ "$1" != "-h" ] && [ "$1" != "--help" ] || gebruik
map="$1"
keep="${BACKUP_KEEP:-14}"
root="$(cd "$(dirname "$0")/.." && pwd)"
documenten="${DOCUMENTEN_ROOT:-$root/documenten}"

. "$(dirname "$0")/pg-env.sh"
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || fout "BACKUP_KEEP moet een heel getal van 1 of meer zijn, niet '$keep'."
[ -d "$map" ] || fout "de map $map bestaat niet."
pg_env

# A dump holds every family's personal data: readable by this user only.
umask 077
dump="$map/steungezinnen-$(date -u +%Y%m%dT%H%M%SZ).dump"
[ ! -e "$dump" ] || fout "$dump bestaat al."
tar="${dump%.dump}.documenten.tar"
# Written under another name and renamed when complete, so that a failed dump
# is never taken for a good one, nor pushes a good one out of the rotation.
deel="$dump.deel"
tardeel="$tar.deel"
trap 'rm -f "$deel" "$tardeel"' EXIT
pg_dump --no-password --format=custom --file="$deel" "$PG_URL"
pg_restore --list "$deel" >/dev/null  # the archive can be read back
# The documents after the database: a file is written before its row is
# committed and never changed after, so every document of the dump is in the
# tar, except one removed in the seconds between the two.
if [ -z "${DOCUMENTEN_S3_BUCKET:-}" ] && [ -d "$documenten" ]; then
  tar --create --file="$tardeel" --directory="$documenten" .
  tar --list --file="$tardeel" >/dev/null
  mv "$tardeel" "$tar"
fi
mv "$deel" "$dump"

shopt -s nullglob
dumps=("$map"/steungezinnen-*.dump)  # oldest first: the names sort by time
if [ ${#dumps[@]} -gt "$keep" ]; then
  for oud in "${dumps[@]:0:${#dumps[@]}-keep}"; do
    rm -f -- "$oud" "${oud%.dump}.documenten.tar"
  done
fi
echo "$dump"
