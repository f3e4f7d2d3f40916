#!/usr/bin/env bash
# test.sh [SUITE...] - runs the Criterion suites in $BUILD/tests (all, or those named),
# with the shared private PostgreSQL cluster that integration suites use
# (KAIROS_TEST_PGHOST / KAIROS_TEST_PGPORT / KAIROS_TEST_PGUSER; each suite creates
# its own databases in it). Prints every suite's summary and a closing total line.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
# Each run has its own state (and cluster: unix socket only, so the port never collides),
# so runs started side by side do not stop each other's PostgreSQL.
state=var/test/run-$$
rm -rf "$state"
mkdir -p "$state"
port=${KAIROS_TEST_PGPORT:-55432}

PG_EXTRA_OPTS="-c fsync=off -c synchronous_commit=off" bash scripts/pg.sh start "$state/pg" "$port" || exit 1
cleanup() { bash scripts/pg.sh stop "$state/pg" "$port" || true; rm -rf "$state/pg"; }
trap cleanup EXIT INT TERM

export KAIROS_TEST_PGHOST="$PWD/$state/pg" KAIROS_TEST_PGPORT="$port" KAIROS_TEST_PGUSER=kairos
export KAIROS_BUILD="$PWD/$BUILD" KAIROS_ROOT="$PWD"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ $# -gt 0 ]; then
  suites=()
  for s in "$@"; do suites+=("$BUILD/tests/$s"); done
else
  suites=("$BUILD"/tests/test_*)
fi

total=0 passed=0 failed=0 crashed=0 broken=()
for t in "${suites[@]}"; do
  name=$(basename "$t")
  if [ ! -x "$t" ]; then echo "$name: not built"; broken+=("$name"); continue; fi
  log="$state/$name.log"
  "$t" --jobs "${KAIROS_TEST_JOBS:-2}" >"$log" 2>&1
  rc=$?
  summary=$(grep -a 'Synthesis:' "$log" | tail -n 1)
  grep -a -E '\[(FAIL|----)\]|Assertion|ERROR|runtime error|AddressSanitizer' "$log" | head -n 40
  echo "$name: ${summary:-no summary (exit $rc)}"
  t_=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' <<<"$summary")
  p_=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$summary")
  f_=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' <<<"$summary")
  c_=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' <<<"$summary")
  total=$((total + ${t_:-0})); passed=$((passed + ${p_:-0}))
  failed=$((failed + ${f_:-0})); crashed=$((crashed + ${c_:-0}))
  # A sanitizer report in a forked test worker does not always fail the test: count it here.
  if [ $rc -ne 0 ] || [ -z "$summary" ] || grep -aqE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log"; then
    broken+=("$name")
  fi
done

echo
echo "[====] Synthesis: Tested: $total | Passing: $passed | Failing: $((failed)) | Crashing: $crashed"
if [ ${#broken[@]} -gt 0 ]; then
  echo "failing suites: ${broken[*]} (logs in $state/)"
fi
nfail=$((total - passed))
[ ${#broken[@]} -gt 0 ] && [ $nfail -eq 0 ] && nfail=${#broken[@]}
echo "tests: $passed passed, $nfail failed"
[ ${#broken[@]} -eq 0 ] && [ $total -gt 0 ]
