#!/usr/bin/env bash
# Runs every libFuzzer target of a build for a bounded time, seeded with the shared test data
# (each RFC 4475 torture message, and each message of the corpus streams as its own file).
#
#   tools/run-fuzzers.sh [BUILD_DIR [TARGET...]]
#
# BUILD_DIR defaults to build-asan (configured with clang, -Dfuzz=true and sanitizers); TARGET
# defaults to every executable of that build whose name ends in _fuzz.
# Environment:
#   SIPLB_FUZZ_SECONDS   time per target, default 60
#   SIPLB_TESTDATA       test data folder; default: the build's testdata_dir option, else
#                        ../shared/testdata beside the repository (the meson default)
#   SIPLB_FUZZ_FINDINGS  where crashing inputs and logs are kept, default BUILD_DIR/fuzz-findings
# Prints "fuzz-result: PASS NAME" or "fuzz-result: FAIL NAME" per target, then
# "fuzz: N passed, N failed"; exits 1 when a target found anything (crash, leak, timeout, OOM)
# or could not run. Seeds and working corpora live in a temporary folder removed on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

build=${1:-build-asan}
[ $# -gt 0 ] && shift
seconds=${SIPLB_FUZZ_SECONDS:-60}
findings=${SIPLB_FUZZ_FINDINGS:-$build/fuzz-findings}

if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "run-fuzzers: SIPLB_FUZZ_SECONDS must be a positive whole number of seconds" >&2
  exit 2
fi
if [ ! -f "$build/meson-private/coredata.dat" ]; then
  echo "run-fuzzers: $build is not a configured meson build folder" >&2
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi

# The build's own view of its targets and test data folder (python3 comes with meson).
introspect() {
  meson introspect "$build" "--$1" | python3 -c "$2"
}
testdata=${SIPLB_TESTDATA:-}
if [ -z "$testdata" ]; then
  testdata=$(introspect buildoptions '
import json, sys
for o in json.load(sys.stdin):
    if o["name"] == "testdata_dir":
        print(o["value"])')
fi
[ -n "$testdata" ] || testdata=$repo/../shared/testdata

declare -A exe_of=()
while IFS=$'\t' read -r name file; do
  [ -n "$name" ] && exe_of[$name]=$file
done < <(introspect targets '
import json, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["name"].endswith("_fuzz"):
        print(t["name"] + "\t" + t["filename"][0])')

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(printf '%s\n' "${!exe_of[@]}" | sort)
  [ -n "${targets[0]:-}" ] || targets=()
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "run-fuzzers: no *_fuzz targets in $build (configure it with clang and -Dfuzz=true)" >&2
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/siplb-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Seeds: one file per message.
seeds=$tmp/seeds
mkdir -p "$seeds"
if [ -d "$testdata" ]; then
  if compgen -G "$testdata/rfc4475/*.dat" >/dev/null; then
    cp "$testdata"/rfc4475/*.dat "$seeds"/
  fi
  # Split the corpus streams as tests/support/testdata.hpp split_stream() does: the header section
  # ends at the first CRLF CRLF, the body is Content-Length (or "l") octets.
  python3 - "$seeds" "$testdata"/corpus/stream-*.txt <<'EOF'
import os, re, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    if not os.path.isfile(path):
        continue
    data = open(path, "rb").read()
    stem = os.path.splitext(os.path.basename(path))[0]
    pos, n = 0, 0
    while pos < len(data):
        while data.startswith(b"\r\n", pos):
            pos += 2
        if pos >= len(data):
            break
        hend = data.find(b"\r\n\r\n", pos)
        if hend < 0:
            break
        body = 0
        for line in data[pos:hend].split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if colon and name.rstrip(b" \t").lower() in (b"content-length", b"l"):
                m = re.match(rb"\s*(\d+)", value)
                body = int(m.group(1)) if m else 0
        end = min(len(data), hend + 4 + body)
        n += 1
        with open(os.path.join(out, "%s-%03d.sip" % (stem, n)), "wb") as f:
            f.write(data[pos:end])
        pos = end
EOF
else
  echo "run-fuzzers: warning: test data folder $testdata is absent; fuzzing without seeds" >&2
fi
echo "run-fuzzers: $(find "$seeds" -type f | wc -l) seeds from $testdata, ${seconds}s per target"

dict=()
[ -f tests/fuzz/sip.dict ] && dict=(-dict=tests/fuzz/sip.dict)

mkdir -p "$findings"
findings=$(cd "$findings" && pwd)
passed=0
failed=0
for name in "${targets[@]}"; do
  exe=${exe_of[$name]:-}
  if [ -z "$exe" ] || [ ! -x "$exe" ]; then
    echo "run-fuzzers: $name is not built in $build" >&2
    echo "fuzz-result: FAIL $name"
    failed=$((failed + 1))
    continue
  fi
  work=$tmp/corpus-$name
  log=$tmp/$name.log
  mkdir -p "$work"
  echo "run-fuzzers: $name for ${seconds}s"
  rc=0
  # -timeout: one input taking longer is a finding (a hang); the outer timeout guards the whole run.
  timeout --kill-after=30 $((seconds + 300)) \
    "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      "${dict[@]}" -artifact_prefix="$findings/$name-" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done [0-9]+ runs)' "$log" |
      sed "s/^/  $name: /" || true
    echo "fuzz-result: PASS $name"
    passed=$((passed + 1))
  else
    cp "$log" "$findings/$name.log"
    echo "run-fuzzers: $name exited with status $rc; last lines of its log ($findings/$name.log):" >&2
    tail -n 60 "$log" >&2
    while IFS= read -r artifact; do
      echo "run-fuzzers: input kept: $artifact (reproduce: $exe $artifact)" >&2
    done < <(find "$findings" -maxdepth 1 -type f -name "$name-*" -newer "$work" 2>/dev/null)
    echo "fuzz-result: FAIL $name"
    failed=$((failed + 1))
  fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
