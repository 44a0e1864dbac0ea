#!/usr/bin/env bash
# Golden replay: every tests/golden/<detector>/<case>/ holds
#   inputs/        the bundle (any formats faultline reads)
#   args           optional: extra analyze arguments, one per line
#   exit           optional: expected exit status (default 0)
#   expected.json  the exact `faultline analyze --format json` output
#   README         one line: what the case proves
# `golden.sh check BIN` compares byte for byte; `golden.sh update BIN` rewrites expected.json
# (then say in the commit why the output changed).
set -euo pipefail
mode=${1:?usage: golden.sh check|update FAULTLINE}
bin=$(realpath "${2:?usage: golden.sh check|update FAULTLINE}")
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for case in $(find "$root/tests/golden" -mindepth 2 -maxdepth 2 -type d | sort); do
  name=${case#"$root/tests/golden/"}
  [ -f "$case/README" ] || { echo "golden $name: README missing (say what the case proves)"; fail=$((fail+1)); continue; }
  args=()
  [ -f "$case/args" ] && mapfile -t args < "$case/args"
  want_exit=0
  [ -f "$case/exit" ] && want_exit=$(cat "$case/exit")
  set +e
  (cd "$case" && NO_COLOR=1 "$bin" analyze --format json "${args[@]}" inputs) >"$tmp" 2>/dev/null
  got_exit=$?
  set -e
  if [ "$mode" = update ]; then
    cp "$tmp" "$case/expected.json"
    [ "$got_exit" = "$want_exit" ] || echo "$got_exit" > "$case/exit"
    echo "updated $name"
    continue
  fi
  if [ "$got_exit" != "$want_exit" ]; then
    echo "FAIL golden $name: exit $got_exit, expected $want_exit"; fail=$((fail+1)); continue
  fi
  if ! cmp -s "$tmp" "$case/expected.json"; then
    echo "FAIL golden $name: output differs from expected.json"
    diff -u "$case/expected.json" "$tmp" | head -40 || true
    fail=$((fail+1)); continue
  fi
  pass=$((pass+1))
done
[ "$mode" = update ] && exit 0
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
