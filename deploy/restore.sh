#!/usr/bin/env bash
# Restores a dump of backup.sh into the EMPTY database of DATABASE_URL, and
# the documents of the tar beside it into the EMPTY folder DOCUMENTEN_ROOT,
# and checks that the code's migrations match it.
set -euo pipefail

gebruik() {
  cat >&2 <<'TEKST'
Gebruik: deploy/restore.sh BACK-UP

Zet een back-up van deploy/backup.sh terug in de database in DATABASE_URL. Die
database moet bestaan en leeg zijn (geen tabellen); daarna controleert
`manage.py migrate --check` dat de migraties van de code erbij passen. Staat
de tar met documenten ernaast (BACK-UP zonder .dump, plus .documenten.tar),
dan komen de documenten in DOCUMENTEN_ROOT (standaard documenten/ naast
manage.py); die map moet leeg zijn of nog niet bestaan.

  createdb -O steungezinnen steungezinnen_herstel
  DATABASE_URL=postgres://gebruiker:wachtwoord@localhost:5432/steungezinnen_herstel \
    deploy/restore.sh /var/backups/steungezinnen/steungezinnen-20260101T023000Z.dump

Python: PYTHON, standaard .venv/bin/python naast manage.py.
TEKST
  exit 2
}

[ $# -eq 1 ] && [ "$1" != "-h" ] && [ "$1" != "--help" ] || gebruik
dump="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"

. "$root/deploy/pg-env.sh"
[ -f "$dump" ] && [ -r "$dump" ] || fout "de back-up $dump bestaat niet of is niet leesbaar."
tar="${dump%.dump}.documenten.tar"
documenten="${DOCUMENTEN_ROOT:-$root/documenten}"
if [ -e "$tar" ]; then
  [ -r "$tar" ] || fout "de documenten $tar zijn niet leesbaar."
  # Restoring over other documents would mix two installations: refuse
  # before anything is restored.
  if [ -d "$documenten" ] && [ -n "$(ls -A "$documenten")" ]; then
    fout "de documentenmap $documenten is niet leeg; kies een lege map (DOCUMENTEN_ROOT)."
  fi
fi
pg_env

# Restoring over existing tables would mix two databases: refuse.
tabellen=$(psql "$PG_URL" --no-password --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 -c "
  SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%'")
[ "$tabellen" -eq 0 ] || fout "de database is niet leeg ($tabellen tabellen en dergelijke); kies een nieuwe, lege database."

# One transaction: a restore that fails halfway leaves the database empty.
pg_restore --no-password --no-owner --exit-on-error --single-transaction --dbname="$PG_URL" "$dump"
if [ -e "$tar" ]; then
  (umask 077 && mkdir -p "$documenten")
  tar --extract --no-same-owner --file="$tar" --directory="$documenten"
  echo "Documenten teruggezet in $documenten"
fi
cd "$root"
"$python" manage.py migrate --check ||
  fout "teruggezet, maar deze code heeft migraties die de back-up nog niet heeft: draai 'manage.py migrate'."
echo "Teruggezet: $dump"
