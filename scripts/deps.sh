#!/usr/bin/env bash
# Installs every Debian package that building, testing and running Kairos needs,
# and only those that are missing. Safe to run often: it is a no-op on a ready machine.
set -euo pipefail

PKGS=(
  build-essential pkg-config clang llvm libclang-rt-14-dev
  libmicrohttpd-dev libjansson-dev libraptor2-dev raptor2-utils libpq-dev
  libvirt-dev libvirt-clients libvirt-daemon
  libcriterion-dev
  postgresql-15 postgresql-client-15
  openvswitch-switch openvswitch-common
  iproute2 curl procps
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Services from these packages must not start system-wide instances: Kairos runs its own.
policy_created=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  policy_created=1
fi
cleanup() { if [ $policy_created -eq 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
