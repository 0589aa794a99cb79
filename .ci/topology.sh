#!/usr/bin/env bash
# The production topology on one machine: PostgreSQL (DATABASE_URL, an
# existing, preferably empty database), its own Redis, two gunicorn servers on
# two ports and one task worker, all with production settings (DEBUG off).
# .ci/topology_check.py then proves that both servers share one truth:
# sessions, login lock-out, the public-form limit and the task queue.
# Everything started here is stopped again on every way out; the exit code is
# the check's.
#
#   DATABASE_URL=postgres://user:password@127.0.0.1:5432/db .ci/topology.sh
#
# Ports (all on 127.0.0.1, must be free): TOPO_PORT_A (8101), TOPO_PORT_B
# (8102), TOPO_REDIS_PORT (6390). TOPO_COLLECTSTATIC=0 skips collectstatic
# when staticfiles/ already has a manifest (local re-runs only).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?DATABASE_URL must point to an existing PostgreSQL database}"
PORT_A="${TOPO_PORT_A:-8101}"
PORT_B="${TOPO_PORT_B:-8102}"
REDIS_PORT="${TOPO_REDIS_PORT:-6390}"
PY=.venv/bin/python
GUNICORN=.venv/bin/gunicorn
[ -x "$PY" ] && [ -x "$GUNICORN" ] || { echo "topologie: .venv met gunicorn ontbreekt" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "topologie: redis-server ontbreekt (apt-get install redis-server)" >&2; exit 2; }

for port in "$PORT_A" "$PORT_B" "$REDIS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "topologie: poort $port op 127.0.0.1 is al in gebruik" >&2
    exit 2
  fi
done

tmp="$(mktemp -d -t sg-topology.XXXXXX)"
mkdir "$tmp/mail"
pids=()
names=()

stop_all() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$rc" -ne 0 ]; then
    for log in "$tmp"/*.log; do
      [ -f "$log" ] || continue
      echo "----- laatste regels van $(basename "$log") -----" >&2
      tail -n 25 "$log" >&2
    done
  fi
  local i
  for i in "${!pids[@]}"; do
    kill -TERM "${pids[$i]}" 2>/dev/null
  done
  # Bounded: at most 10 s for a clean stop, then the hard way.
  local tries alive
  for tries in $(seq 1 50); do
    alive=0
    for i in "${!pids[@]}"; do
      kill -0 "${pids[$i]}" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "topologie: ${names[$i]} (pid ${pids[$i]}) stopte niet; KILL" >&2
      kill -KILL "${pids[$i]}" 2>/dev/null
    fi
  done
  wait 2>/dev/null
  rm -rf "$tmp"
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() {  # start NAME COMMAND...: in the background, output to $tmp/NAME.log
  local name="$1"
  shift
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=("$!")
  names+=("$name")
}

# Production-like settings, the same for every process.
export DEBUG=0
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0 SECURE_HSTS_PRELOAD=0
export CACHE_URL="redis://127.0.0.1:${REDIS_PORT}/0"
# filemail:/// plus the absolute $tmp: django-environ drops one slash of the
# path, so it needs four to stay absolute.
export EMAIL_URL="filemail:///${tmp}/mail"
export SITE_URL="http://127.0.0.1:${PORT_A}"
export LOG_LEVEL=WARNING
unset TASKS_BACKEND SENTRY_DSN ADMINS

# What the check needs to know: a test organisation and two coordinators with
# a known password, unique per run so that a database used before still works.
run_id="$(date +%s)$$"
export TOPO_SLUG="topologie-${run_id}"
export TOPO_EMAIL_A="coordinator-a-${run_id}@topologie.example"
export TOPO_EMAIL_B="coordinator-b-${run_id}@topologie.example"
TOPO_PASSWORD="$("$PY" -c 'import secrets; print("Topo-" + secrets.token_urlsafe(16))')"
export TOPO_PASSWORD

start redis "$(command -v redis-server)" --bind 127.0.0.1 --port "$REDIS_PORT" \
  --save '' --appendonly no --daemonize no

"$PY" manage.py migrate --noinput -v 0
# Needed without DEBUG (WhiteNoise's manifest); slow because it compresses
# every file. TOPO_COLLECTSTATIC=0 reuses an existing manifest on re-runs.
if [ "${TOPO_COLLECTSTATIC:-1}" != 0 ] || [ ! -f staticfiles/staticfiles.json ]; then
  "$PY" manage.py collectstatic --noinput -v 0
fi
"$PY" manage.py shell -v 0 -c '
import os
from accounts.models import Organisatie, User
org = Organisatie.objects.create(naam="Topologietest " + os.environ["TOPO_SLUG"], slug=os.environ["TOPO_SLUG"])
for key, first in (("TOPO_EMAIL_A", "Anna"), ("TOPO_EMAIL_B", "Bram")):
    User.objects.create_user(
        os.environ[key], os.environ["TOPO_PASSWORD"], first_name=first, last_name="Topologie",
        organisatie=org, rol=User.Rol.COORDINATOR,
    )
'

for port in "$PORT_A" "$PORT_B"; do
  start "gunicorn-$port" "$GUNICORN" steungezinnen.wsgi -b "127.0.0.1:$port" --workers 2 \
    --graceful-timeout 5 --timeout 60 --no-control-socket
done
start worker "$PY" manage.py db_worker --interval 0.5 --no-reload

# Both servers answer /gezond/ with 200 (database, cache, migrations, tasks):
# at most 120 tries 0.5 s apart, and a process that died ends the wait at once.
healthy=0
for _ in $(seq 1 120); do
  for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "topologie: ${names[$i]} is gestopt" >&2; exit 1; }
  done
  if "$PY" - "$PORT_A" "$PORT_B" <<'PY'
import sys, urllib.request
for port in sys.argv[1:]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/gezond/", timeout=2) as r:
            if r.status != 200:
                sys.exit(1)
    except Exception:
        sys.exit(1)
PY
  then
    healthy=1
    break
  fi
  sleep 0.5
done
[ "$healthy" -eq 1 ] || { echo "topologie: /gezond/ gaf binnen 60 s geen 200" >&2; exit 1; }
echo "topologie: redis :$REDIS_PORT, gunicorn :$PORT_A en :$PORT_B (2 workers elk), 1 db_worker"

# In the background and waited for, so that INT/TERM stop everything at once.
"$PY" .ci/topology_check.py "http://127.0.0.1:${PORT_A}" "http://127.0.0.1:${PORT_B}" \
  "$tmp/mail" </dev/null &
pids+=("$!")
names+=(check)
rc=0
wait "$!" || rc=$?
echo "topologie: klaar in ${SECONDS} s (exitcode $rc)"
exit "$rc"
