#!/usr/bin/env bash
# pg.sh start|stop|status DIR [PORT]
# A private PostgreSQL 15 cluster under DIR (data in DIR/data, unix socket in DIR,
# no TCP listener). Created with initdb on first start and reused afterwards, so
# data survives restarts. initdb refuses to run as root: as root the cluster
# belongs to the unprivileged `postgres` user of the Debian package.
# Superuser: kairos, local trust authentication (the socket directory is private).
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop|status DIR [PORT]}
dir=${2:?state directory}
port=${3:-5433}
bindir=/usr/lib/postgresql/15/bin
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
start)
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; chmod 0700 "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U kairos --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
      echo "pg.sh: initdb failed, see $dir/initdb.log" >&2; exit 1; }
  fi
  if as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    exit 0
  fi
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c max_connections=200${PG_EXTRA_OPTS:+ $PG_EXTRA_OPTS}" \
    start >/dev/null || { echo "pg.sh: PostgreSQL did not start, see $dir/server.log" >&2; exit 1; }
  ;;
stop)
  if [ -f "$dir/data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
  ;;
status)
  as_owner "$bindir/pg_ctl" -D "$dir/data" status
  ;;
*) echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
