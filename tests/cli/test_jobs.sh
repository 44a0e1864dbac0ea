#!/usr/bin/env bash
# analyze --jobs N: the output does not depend on the thread count (issue 8). Every golden
# bundle, then all of them at once (one run over many inputs of every format, so strings are
# shared across inputs and the intern ids a parallel parse hands out must be re-ordered), with
# --jobs 1 and 8 (the combined run also 2), compared byte for byte; events too (every field
# of every event).
set -uo pipefail
bin=${1:?faultline binary}
root=${2:?source dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

same() { # name, file a, file b
  if cmp -s "$2" "$3"; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL $1: $2 and $3 differ"; diff "$2" "$3" | head -10
  fi
}
run() { # out file, args... (the exit status is compared, not required to be 0)
  local out=$1; shift
  (NO_COLOR=1 "$bin" "$@" >"$out" 2>"$out.err"; echo "exit $?" >>"$out.err")
}

for case in $(find "$root/tests/golden" -mindepth 2 -maxdepth 2 -type d | sort); do
  name=${case#"$root/tests/golden/"}
  args=()
  [ -f "$case/args" ] && mapfile -t args < "$case/args"
  for j in 1 8; do # (2 is the golden check's on a 2-core machine, and the combined run's)
    (cd "$case" && run "$tmp/a$j" analyze --format json --jobs $j "${args[@]}" inputs)
  done
  same "$name --jobs 8" "$tmp/a1" "$tmp/a8"
  same "$name --jobs 8 stderr" "$tmp/a1.err" "$tmp/a8.err"
done

# Every golden input in one run: the bundle-directory nodes, k8s joins, ranks maps and Flight
# Recorder dumps of all cases meet.
all=()
for case in $(find "$root/tests/golden" -mindepth 2 -maxdepth 2 -type d | sort); do
  all+=("$case/inputs")
done
all+=("$root/examples")
for j in 1 2 8; do
  run "$tmp/all$j" analyze --format json --jobs $j "${all[@]}"
  run "$tmp/ev$j" events --format jsonl --jobs $j "${all[@]}"
  run "$tmp/tx$j" analyze --format text --jobs $j "${all[@]}"
done
for j in 2 8; do
  same "all --jobs $j" "$tmp/all1" "$tmp/all$j"
  same "all --jobs $j stderr" "$tmp/all1.err" "$tmp/all$j.err"
  same "events all --jobs $j" "$tmp/ev1" "$tmp/ev$j"
  same "events all --jobs $j stderr" "$tmp/ev1.err" "$tmp/ev$j.err"
  same "text all --jobs $j" "$tmp/tx1" "$tmp/tx$j"
done
[ "$(wc -l <"$tmp/ev1")" -gt 100 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: the combined run read too few events"; }

# --jobs is checked
for bad in 0 -1 x 2x 100000; do
  if NO_COLOR=1 "$bin" analyze --jobs "$bad" "$root/examples" >/dev/null 2>"$tmp/err"; then
    fail=$((fail+1)); echo "FAIL --jobs $bad accepted"
  elif grep -q -- "--jobs" "$tmp/err"; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL --jobs $bad: no message"; cat "$tmp/err"
  fi
done
"$bin" analyze --help >"$tmp/help"
grep -q -- "--jobs N" "$tmp/help" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL --help does not teach --jobs"; }

echo "test_jobs: $pass passed, $fail failed"
[ "$fail" = 0 ]
