# Sourced by backup.sh and restore.sh: turns DATABASE_URL (the application's
# own setting, see README.md) into a connection for pg_dump, pg_restore and psql.
# The password goes into PGPASSWORD, not onto the command line, where any user
# of the machine could read it in the process list.

fout() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Sets PG_URL (postgresql://user@host:port/name?…, without the password) and
# exports PGPASSWORD when DATABASE_URL has one.
pg_env() {
  local url="${DATABASE_URL:-}"
  [ -n "$url" ] || fout "DATABASE_URL ontbreekt (bijvoorbeeld postgres://gebruiker:wachtwoord@localhost:5432/steungezinnen)."
  case "$url" in
    postgres://* | postgresql://* | pgsql://* | psql://*) ;;
    *) fout "DATABASE_URL is geen PostgreSQL-database: ${url%%://*}://…" ;;
  esac
  local rest="${url#*://}"
  local authority="${rest%%/*}"
  local path="${rest:${#authority}}"
  if [[ "$authority" == *@* ]]; then
    local userinfo="${authority%@*}" host="${authority##*@}"
    if [[ "$userinfo" == *:* ]]; then
      local password="${userinfo#*:}"
      userinfo="${userinfo%%:*}"
      # Percent-decoding: backslashes are doubled first so that only the %XX
      # escapes are interpreted by printf.
      password="${password//\\/\\\\}"
      printf -v PGPASSWORD '%b' "${password//%/\\x}"
      export PGPASSWORD
    fi
    authority="$userinfo@$host"
  fi
  PG_URL="postgresql://$authority$path"
}
