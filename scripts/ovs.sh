#!/usr/bin/env bash
# ovs.sh start|stop|status DIR [--vswitchd]
# A private Open vSwitch under DIR: an ovsdb-server listening on punix:DIR/db.sock
# (database DIR/conf.db, created from the vswitch schema on first start and reused
# afterwards, root row initialised like `ovs-vsctl --no-wait init`) and, with
# --vswitchd, an ovs-vswitchd (userspace datapath only on these machines, see
# SUBSTRATE.md) connected to it. Pid, log and control files live in DIR and
# OVS_RUNDIR/OVS_LOGDIR/OVS_DBDIR point to DIR, so nothing touches /var/run.
#
# Only one userspace datapath can exist per network namespace (its tap device
# "ovs-netdev" is exclusive): with OVS_NETNS=NAME in the environment, ovs-vswitchd
# runs in network namespace NAME (created if missing, recorded in DIR/netns and
# deleted again by stop), so that tests do not collide with `make run`.
#
# start is idempotent (a daemon whose pidfile names a live process is left alone);
# stop stops exactly the daemons whose pidfiles are in DIR (vswitchd first) and
# waits until they are gone; status prints one line per daemon and exits 0 only
# if ovsdb-server runs (and ovs-vswitchd too when --vswitchd is given).
set -euo pipefail
usage="usage: ovs.sh start|stop|status DIR [--vswitchd]"
cmd=${1:?$usage}
dir=${2:?$usage}
want_vswitchd=0
[ "${3:-}" = "--vswitchd" ] && want_vswitchd=1
schema=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export OVS_RUNDIR="$dir" OVS_LOGDIR="$dir" OVS_DBDIR="$dir" OVS_SYSCONFDIR="$dir"

# alive PID: true while PID exists and is not a zombie (a detached daemon's parent is
# pid 1, which may reap it late; a zombie has released everything it held).
alive() {
  local st
  st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$st" ] && [ "$st" != Z ]
}

# pid_of NAME: prints the pid recorded in DIR/NAME.pid if that process is alive and
# is really NAME (pids are reused); prints nothing otherwise.
pid_of() {
  local f="$dir/$1.pid" pid comm
  [ -f "$f" ] || return 0
  pid=$(tr -dc 0-9 <"$f")
  [ -n "$pid" ] || return 0
  comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  # /proc/PID/comm is truncated to 15 characters ("ovs-vswitchd", "ovsdb-server" fit).
  [ "$comm" = "$1" ] && alive "$pid" && echo "$pid"
  return 0
}

# stop_daemon NAME: TERM, wait up to 5 s, then KILL; removes the pidfile.
# ovs-vswitchd is first asked to `exit --cleanup`: killed, it would leave its tap
# devices (ovs-netdev and one per bridge/internal port) behind in the namespace.
stop_daemon() {
  local pid i
  pid=$(pid_of "$1")
  if [ -n "$pid" ] && [ "$1" = ovs-vswitchd ] && [ -S "$dir/ovs-vswitchd.ctl" ]; then
    ovs-appctl -t "$dir/ovs-vswitchd.ctl" --timeout=5 exit --cleanup >/dev/null 2>&1 || true
    for i in $(seq 1 50); do
      alive "$pid" || break
      sleep 0.1
    done
  fi
  if [ -n "$pid" ] && alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 20); do
        alive "$pid" || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$dir/$1.pid"
}

start_ovsdb() {
  [ -n "$(pid_of ovsdb-server)" ] && return 0
  rm -f "$dir/ovsdb-server.pid" "$dir/db.sock" "$dir/ovsdb-server.ctl"
  if [ ! -s "$dir/conf.db" ]; then
    ovsdb-tool create "$dir/conf.db" "$schema" >>"$dir/ovs.log" 2>&1 || {
      echo "ovs.sh: ovsdb-tool create failed, see $dir/ovs.log" >&2; exit 1; }
  fi
  # --detach returns once the server listens on the socket.
  ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" \
    --pidfile="$dir/ovsdb-server.pid" --unixctl="$dir/ovsdb-server.ctl" \
    --log-file="$dir/ovsdb-server.log" --detach --no-chdir -vconsole:off \
    >>"$dir/ovs.log" 2>&1 || {
    echo "ovs.sh: ovsdb-server did not start, see $dir/ovsdb-server.log" >&2; exit 1; }
  # Creates the Open_vSwitch root row if missing (no-op afterwards).
  ovs-vsctl --db="unix:$dir/db.sock" --no-wait --timeout=10 init >>"$dir/ovs.log" 2>&1 || {
    echo "ovs.sh: ovs-vsctl init failed, see $dir/ovs.log" >&2; exit 1; }
}

start_vswitchd() {
  [ -n "$(pid_of ovs-vswitchd)" ] && return 0
  rm -f "$dir/ovs-vswitchd.pid" "$dir/ovs-vswitchd.ctl"
  local prefix=()
  if [ -n "${OVS_NETNS:-}" ]; then
    if ! ip netns list | grep -qw -- "$OVS_NETNS"; then
      ip netns add "$OVS_NETNS"
      echo "$OVS_NETNS" >"$dir/netns"
    fi
    ip netns exec "$OVS_NETNS" ip link set lo up
    prefix=(ip netns exec "$OVS_NETNS")
  fi
  "${prefix[@]}" ovs-vswitchd "unix:$dir/db.sock" \
    --pidfile="$dir/ovs-vswitchd.pid" --unixctl="$dir/ovs-vswitchd.ctl" \
    --log-file="$dir/ovs-vswitchd.log" --detach --no-chdir -vconsole:off \
    >>"$dir/ovs.log" 2>&1 || {
    echo "ovs.sh: ovs-vswitchd did not start, see $dir/ovs-vswitchd.log" >&2; exit 1; }
}

case "$cmd" in
start)
  start_ovsdb
  [ $want_vswitchd -eq 1 ] && start_vswitchd
  exit 0
  ;;
stop)
  stop_daemon ovs-vswitchd
  stop_daemon ovsdb-server
  rm -f "$dir/db.sock" "$dir/ovsdb-server.ctl" "$dir/ovs-vswitchd.ctl"
  if [ -s "$dir/netns" ]; then
    ip netns delete "$(cat "$dir/netns")" 2>/dev/null || true
    rm -f "$dir/netns"
  fi
  ;;
status)
  rc=0
  p=$(pid_of ovsdb-server)
  if [ -n "$p" ]; then echo "ovsdb-server running pid=$p socket=$dir/db.sock"; else echo "ovsdb-server stopped"; rc=1; fi
  p=$(pid_of ovs-vswitchd)
  if [ -n "$p" ]; then echo "ovs-vswitchd running pid=$p"; else
    echo "ovs-vswitchd stopped"; [ $want_vswitchd -eq 1 ] && rc=1; fi
  exit $rc
  ;;
*) echo "ovs.sh: unknown command $cmd ($usage)" >&2; exit 2 ;;
esac
