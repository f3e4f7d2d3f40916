#!/usr/bin/env bash
# bench.sh - runs every benchmark executable in $BUILD/bench (built by `make bench-build`)
# and prints their tables. Benchmarks that need PostgreSQL start their own.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
found=0
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  found=1
  echo "== $(basename "$b") =="
  "$b"
  echo
done
[ $found -eq 1 ] || { echo "bench: no benchmark built" >&2; exit 1; }
