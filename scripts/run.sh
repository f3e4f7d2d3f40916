#!/usr/bin/env bash
# run.sh - `make run`: starts the embedded substrate and kairosd in the foreground.
#   var/pg   a private PostgreSQL 15 cluster (unix socket only), reused across runs
#   var/ovs  a private ovsdb-server + ovs-vswitchd (userspace datapath)
#   kairosd  on 127.0.0.1:$KAIROS_PORT (8080), hosts from etc/inventory.json (libvirt test driver)
# Ctrl-C (or SIGTERM) stops kairosd, then everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
STATE=${KAIROS_STATE_DIR:-var}
PG_PORT=${KAIROS_PG_PORT:-5433}
PORT=${KAIROS_PORT:-8080}
mkdir -p "$STATE"

kairosd_pid=""
stopping=0
stop_all() {
  [ $stopping -eq 1 ] && return
  stopping=1
  trap '' INT TERM
  if [ -n "$kairosd_pid" ] && kill -0 "$kairosd_pid" 2>/dev/null; then
    kill -TERM "$kairosd_pid" 2>/dev/null || true
    wait "$kairosd_pid" 2>/dev/null || true
  fi
  bash scripts/ovs.sh stop "$STATE/ovs" || true
  bash scripts/pg.sh stop "$STATE/pg" "$PG_PORT" || true
  echo "kairos: stopped"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
  echo "run.sh: something already answers on 127.0.0.1:$PORT; stop it or set KAIROS_PORT" >&2
  exit 1
fi

echo "kairos: starting PostgreSQL ($STATE/pg)"
bash scripts/pg.sh start "$STATE/pg" "$PG_PORT"
pgsock=$(cd "$STATE/pg" && pwd)
if ! psql -h "$pgsock" -p "$PG_PORT" -U kairos -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'kairos'" | grep -q 1; then
  createdb -h "$pgsock" -p "$PG_PORT" -U kairos kairos
fi
echo "kairos: starting Open vSwitch ($STATE/ovs)"
bash scripts/ovs.sh start "$STATE/ovs" --vswitchd

echo "kairos: starting kairosd"
KAIROS_PG_HOST="$pgsock" KAIROS_PG_PORT="$PG_PORT" KAIROS_PORT="$PORT" \
  KAIROS_OVSDB_REMOTE="unix:$(cd "$STATE/ovs" && pwd)/db.sock" \
  KAIROS_ADMIN_TOKEN_FILE="$STATE/admin.token" KAIROS_STATE_DIR="$STATE" \
  "$BUILD/kairosd" --config etc/kairos.conf &
kairosd_pid=$!

for _ in $(seq 1 100); do
  if ! kill -0 "$kairosd_pid" 2>/dev/null; then
    wait "$kairosd_pid" || true
    kairosd_pid=""
    echo "run.sh: kairosd exited during start-up (see the messages above)" >&2
    exit 1
  fi
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; then break; fi
  sleep 0.1
done

echo
echo "Kairos is running."
echo "  API:    http://127.0.0.1:$PORT/v1   (health: http://127.0.0.1:$PORT/healthz)"
echo "  portal: http://127.0.0.1:$PORT/   (the admin portal is not built yet)"
echo "  admin token: $(cat "$STATE/admin.token")"
echo "  (also in $STATE/admin.token; Ctrl-C stops everything)"
echo
wait "$kairosd_pid" || true
kairosd_pid=""
