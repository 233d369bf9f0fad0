#!/usr/bin/env bash
# The test command of siplb: run `tools/test.sh` as root on a fresh Debian 12 machine (any cwd).
#
#  1. tools/install-deps.sh (Debian packages; does nothing when all are present)
#  2. release build in build/ with gcc, then its whole meson test suite
#  3. sanitizer build in build-asan/ with clang (ASan + UBSan, libFuzzer targets), then its whole
#     meson test suite, then tools/run-fuzzers.sh on its fuzz targets
#  4. the parse benchmark of build/ for a moment, as a smoke check that it still runs
#
# The last line printed is "N passed, N failed" (", N skipped" added when some were skipped),
# counting the meson tests of both builds, the fuzz runs and the benchmark smoke check; a step
# that cannot run (setup, build) counts as one failure. Exits 1 when anything failed.
#
# Environment: SIPLB_TESTDATA (test data folder, passed to meson as -Dtestdata_dir; default the
# meson default ../shared/testdata), SIPLB_FUZZ_SECONDS (per fuzz target, default 60).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# One run at a time per checkout: two runs would reconfigure and rebuild build/ and build-asan/
# under each other's tests. A second run waits for the first.
mkdir -p .cache
exec 9>.cache/test.lock
if ! flock -n 9; then
  echo "test.sh: another tools/test.sh is running in $repo; waiting for it to finish"
  flock 9
fi

jobs=2  # these machines have 2 cores
testdata_opt=${SIPLB_TESTDATA:-}
testdata=${SIPLB_TESTDATA:-$repo/../shared/testdata}  # what meson uses when the option is empty

passed=0
failed=0
skipped=0
failures=()

logs=$(mktemp -d "${TMPDIR:-/tmp}/siplb-test.XXXXXX")
trap 'rm -rf "$logs"' EXIT

say() { printf '\n==== %s\n' "$*"; }
fail_step() {  # a step that is not a test failed: one failure
  failed=$((failed + 1))
  failures+=("$1")
  echo "test.sh: FAILED: $1" >&2
}

# compiler_id DIR: the C++ compiler id (gcc, clang) a configured build folder uses.
compiler_id() {
  meson introspect "$1" --compilers 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["host"]["cpp"]["id"])' 2>/dev/null
}

# configure DIR CC CXX MESON_OPTIONS...: `meson setup` when DIR is not configured yet (or was
# configured with another compiler, or is half-made), `meson setup --reconfigure` otherwise.
configure() {
  local dir=$1 cc=$2 cxx=$3
  shift 3
  if [ -f "$dir/meson-private/coredata.dat" ] && [ "$(compiler_id "$dir")" = "$cc" ]; then
    meson setup --reconfigure "$dir" "$@"
  else
    rm -rf "$dir"
    CC=$cc CXX=$cxx meson setup "$dir" "$@"
  fi
}

# meson test writes its log under this name (meson-logs/test-sh.json), not testlog.json, so that
# a `meson test` someone runs by hand in the same folder meanwhile cannot mix into the count.
logbase=test-sh

# count_meson_tests DIR LABEL: prints "passed failed skipped" of the last `meson test` of this
# script in DIR.
count_meson_tests() {
  local dir=$1 label=$2
  if [ ! -f "$dir/meson-logs/$logbase.json" ]; then
    echo "0 0 0"
    return
  fi
  python3 - "$dir/meson-logs/$logbase.json" "$label" <<'EOF' || echo "0 1 0"  # unreadable log
import json, sys
ok = bad = skip = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace", newline="\n"):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r == "SKIP":
        skip += 1
    else:
        bad += 1
        print("test.sh: %s: %s %s" % (sys.argv[2], r, json.loads(line)["name"]), file=sys.stderr)
print(ok, bad, skip)
EOF
}

# build_and_test DIR LABEL TIMEOUT_MULTIPLIER [ENV...]: builds DIR, runs its meson tests (with
# ENV) and counts them. Returns 1 when the build failed (so nothing was tested), else 0.
build_and_test() {
  local dir=$1 label=$2 multiplier=$3
  shift 3
  say "$label: build"
  if ! ninja -C "$dir" -j "$jobs"; then
    fail_step "$label: build"
    return 1
  fi
  say "$label: meson test"
  rm -f "$dir/meson-logs/$logbase".*
  local rc=0
  env "$@" meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier "$multiplier" --logbase "$logbase" || rc=$?
  local ok=0 bad=0 skip=0
  read -r ok bad skip < <(count_meson_tests "$dir" "$label") || true
  ok=${ok:-0} bad=${bad:-0} skip=${skip:-0}
  passed=$((passed + ok))
  failed=$((failed + bad))
  skipped=$((skipped + skip))
  if [ "$bad" -gt 0 ]; then failures+=("$label: $bad meson test(s)"); fi
  if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
    fail_step "$label: meson test exited with status $rc"
  fi
  echo "test.sh: $label: $ok passed, $bad failed, $skip skipped"
  return 0
}

# 1. Dependencies
say "install-deps"
if ! tools/install-deps.sh; then
  fail_step "install-deps"
  echo
  echo "$passed passed, $failed failed"
  exit 1
fi

# 2. Release build (gcc)
say "release: configure build/ (gcc)"
release_built=0
if configure build gcc g++ -Dbuildtype=release -Dtestdata_dir="$testdata_opt"; then
  if build_and_test build release 1; then release_built=1; fi
else
  fail_step "release: meson setup"
fi

# 3. Sanitizer build (clang, ASan + UBSan, fuzz targets)
say "asan: configure build-asan/ (clang, address+undefined, fuzz)"
if configure build-asan clang clang++ -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true -Dtestdata_dir="$testdata_opt"; then
  if build_and_test build-asan asan 3 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1; then
    say "asan: fuzzers (${SIPLB_FUZZ_SECONDS:-60}s each)"
    rc=0
    SIPLB_TESTDATA=$testdata UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      tools/run-fuzzers.sh build-asan 2>&1 | tee "$logs/fuzz.log" || rc=$?
    fuzz_ok=$(grep -c '^fuzz-result: PASS ' "$logs/fuzz.log" || true)
    fuzz_bad=$(grep -c '^fuzz-result: FAIL ' "$logs/fuzz.log" || true)
    passed=$((passed + fuzz_ok))
    failed=$((failed + fuzz_bad))
    if [ "$fuzz_bad" -gt 0 ]; then failures+=("asan: $fuzz_bad fuzz target(s)"); fi
    if [ "$rc" -ne 0 ] && [ "$fuzz_bad" -eq 0 ]; then
      fail_step "asan: run-fuzzers exited with status $rc"
    fi
  fi
else
  fail_step "asan: meson setup"
fi

# 4. Benchmark smoke check (release build)
say "release: sip_parse_bench smoke check"
if [ "$release_built" -ne 1 ]; then
  echo "test.sh: release build failed; benchmark not run"
elif [ ! -d "$testdata" ]; then
  echo "test.sh: test data folder $testdata absent; benchmark smoke check skipped"
  skipped=$((skipped + 1))
else
  rc=0
  SIPLB_TESTDATA=$testdata build/sip_parse_bench --benchmark_min_time=0.05 \
    --benchmark_out="$logs/bench.json" --benchmark_out_format=json || rc=$?
  if [ "$rc" -eq 0 ] && python3 - "$logs/bench.json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
errors = [b["name"] + ": " + b.get("error_message", "") for b in runs if b.get("error_occurred")]
for e in errors:
    print("test.sh: benchmark error: " + e, file=sys.stderr)
sys.exit(1 if errors or not runs else 0)
EOF
  then
    passed=$((passed + 1))
  else
    fail_step "release: sip_parse_bench smoke check"
  fi
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'test.sh: failed: %s\n' "${failures[@]}"
fi
summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then summary+=", $skipped skipped"; fi
echo "$summary"
[ "$failed" -eq 0 ]
