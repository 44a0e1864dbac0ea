#!/usr/bin/env bash
# The bench regression gate (bench/check.sh) on crafted baseline/results pairs: an honest
# pair passes; a >10% allocation or byte regression, a ceiling breach, a missing case, a
# figure turned null and unreadable input fail, naming the case and the metric; time
# regressions and new cases are advisory. Never runs the bench itself (too slow for a test).
#   bash test_bench_gate.sh <faultline-binary> <source-dir>
set -uo pipefail
root=${2:?source dir}
gate="$root/bench/check.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# The six cases with figures shaped like a real run: name events ns allocs/event bytes/event.
std() {
  cat <<'EOF'
jsonl_parse 76146 3200 0.00059097 722.217
window_build 76146 1000 3.9398e-05 211.543
detector_xid_correlation 1024 1250 0.00292969 17.5479
analyze_e2e 82021 4500 0.00257251 980.643
arena_alloc 262144 2.4 0 0
jsonw_write 15408 560 0 0
EOF
}

# mkdoc FILE: a results document from "name events ns allocs bytes" lines on stdin.
mkdoc() {
  local sep="" n ev ns al by
  {
    printf '{\n  "schema": "faultline.bench/v1",\n  "mode": "full",\n  "runs": 7,\n  "cases": [\n'
    while read -r n ev ns al by; do
      printf '    %s{"case": "%s", "events": %s, "ns_per_event": %s, "ns_min": %s, "ns_max": %s, ' \
        "$sep" "$n" "$ev" "$ns" "$ns" "$ns"
      printf '"mb_per_s": null, "allocs_per_event": %s, "bytes_per_event": %s, "peak_rss_kb": null}\n' \
        "$al" "$by"
      sep=","
    done
    printf '  ]\n}\n'
  } >"$1"
}

# expect NAME WANT_EXIT PATTERN BASELINE RESULTS: exit status and a line of the output.
expect() {
  local name=$1 want=$2 pat=$3
  bash "$gate" "$4" "$5" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" != "$want" ]; then
    fail=$((fail+1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/  /' "$tmp/out" | tail -8
  elif [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/out"; then
    fail=$((fail+1)); echo "FAIL $name: output lacks '$pat'"; sed 's/^/  /' "$tmp/out" | tail -8
  else
    pass=$((pass+1))
  fi
}

std | mkdoc "$tmp/base.json"
cp "$tmp/base.json" "$tmp/same.json"
expect "honest pair passes" 0 "bench-check: ok" "$tmp/base.json" "$tmp/same.json"

# baseline allocations lowered: the (unchanged) results are now a 20% regression
std | sed 's/^jsonl_parse .*/jsonl_parse 76146 3200 0.00049 722.217/' | mkdoc "$tmp/b_alloc.json"
expect "allocs regression fails" 1 "FAIL jsonl_parse: allocs_per_event regressed" \
  "$tmp/b_alloc.json" "$tmp/same.json"

std | sed 's/^detector_xid_correlation .*/detector_xid_correlation 1024 1250 0.00292969 15.0/' \
  | mkdoc "$tmp/b_bytes.json"
expect "bytes regression fails" 1 "FAIL detector_xid_correlation: bytes_per_event regressed" \
  "$tmp/b_bytes.json" "$tmp/same.json"

# +5% is within the tolerance
std | sed 's/^window_build .*/window_build 76146 1000 4.1368e-05 222.12/' | mkdoc "$tmp/r_5pct.json"
expect "5% growth passes" 0 "bench-check: ok" "$tmp/base.json" "$tmp/r_5pct.json"

# a steady-state case allocating 0.02 per event breaches its ceiling even when the
# baseline agrees
std | sed 's/^detector_xid_correlation .*/detector_xid_correlation 1024 1250 0.02 17.5479/' \
  | mkdoc "$tmp/ceil.json"
expect "ceiling breach fails" 1 "FAIL detector_xid_correlation: allocs_per_event 0.02 exceeds the ceiling" \
  "$tmp/ceil.json" "$tmp/ceil.json"
std | sed 's/^jsonl_parse .*/jsonl_parse 76146 3200 0.003 722.217/' | mkdoc "$tmp/ceil2.json"
expect "ingest ceiling breach fails" 1 "FAIL jsonl_parse: allocs_per_event 0.003 exceeds the ceiling" \
  "$tmp/ceil2.json" "$tmp/ceil2.json"

std | grep -v '^window_build ' | mkdoc "$tmp/missing.json"
expect "missing case fails" 1 "FAIL window_build: missing from the results" \
  "$tmp/base.json" "$tmp/missing.json"

{ std; echo "detector_new_thing 1024 900 0 0"; } | mkdoc "$tmp/newcase.json"
expect "new case is a note" 0 "note: detector_new_thing: new case" "$tmp/base.json" "$tmp/newcase.json"

std | sed 's/^analyze_e2e 82021 4500/analyze_e2e 82021 9000/' | mkdoc "$tmp/slow.json"
expect "time regression is advisory" 0 "analyze_e2e.*ns_per_event.*+100.0%.*advisory" \
  "$tmp/base.json" "$tmp/slow.json"

std | sed 's/^arena_alloc .*/arena_alloc 262144 2.4 0.001 8/' | mkdoc "$tmp/fromzero.json"
expect "allocating where the baseline had none fails" 1 "FAIL arena_alloc: allocs_per_event regressed" \
  "$tmp/base.json" "$tmp/fromzero.json"

std | sed 's/^jsonw_write .*/jsonw_write 15408 560 null null/' | mkdoc "$tmp/null.json"
expect "figure turned null fails" 1 "FAIL jsonw_write: allocs_per_event is null" \
  "$tmp/base.json" "$tmp/null.json"

printf '{"cases": [' >"$tmp/bad.json"
expect "malformed results is an error" 2 "not valid JSON" "$tmp/base.json" "$tmp/bad.json"
expect "missing file is an error" 2 "cannot read" "$tmp/base.json" "$tmp/nope.json"
bash "$gate" >/dev/null 2>&1
if [ $? = 2 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL usage: no arguments should exit 2"; fi

# the committed baseline is honest: complete, under every ceiling
if [ -f "$root/bench/baselines.json" ]; then
  expect "committed baseline passes against itself" 0 "bench-check: ok" \
    "$root/bench/baselines.json" "$root/bench/baselines.json"
else
  fail=$((fail+1)); echo "FAIL bench/baselines.json is missing (make bench-baseline)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
