#!/usr/bin/env bash
# The binary driven as a user would: exit codes, stdin, unreadable inputs, --fail-on,
# --output, --config errors, determinism across input order, schema validity.
set -uo pipefail
bin=${1:?faultline binary}
root=${2:?source dir}
py=${SYSTEM_PYTHON:-/usr/bin/python3}
ex="$root/examples/incident-xid79"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # name, expected exit, command...
  local name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" = "$want" ]; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/  stderr: /' "$tmp/err" | head -5
  fi
}
grep_out() { # name, file, pattern
  if grep -q -- "$3" "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1: '$3' not in $2"; head -5 "$2"; fi
}

check "version" 0 "$bin" --version
grep_out "version text" "$tmp/out" '^faultline [0-9]'
check "help" 0 "$bin" --help
grep_out "help teaches examples" "$tmp/out" 'Examples:'
check "analyze --help" 0 "$bin" analyze --help
check "no args" 2 "$bin"
check "unknown command" 2 "$bin" frobnicate
check "analyze without paths" 2 "$bin" analyze
check "bad option" 2 "$bin" analyze --bogus "$ex"
check "bad format" 2 "$bin" analyze --format xml "$ex"
check "bad fail-on" 2 "$bin" analyze --fail-on loud "$ex"
check "bad since" 2 "$bin" analyze --since yesterday "$ex"
check "bad input format" 2 "$bin" analyze --input-format nope "$ex"

check "analyze example" 0 "$bin" analyze --format json "$ex"
cp "$tmp/out" "$tmp/a.json"
grep_out "envelope schema" "$tmp/a.json" '"schema": "faultline.verdicts/v1"'
if [ -x "$py" ] && "$py" -c 'import jsonschema' 2>/dev/null; then
  check "schema-valid output" 0 "$py" "$root/tests/schema/validate.py" verdicts "$tmp/a.json"
else
  echo "FAIL python3-jsonschema missing: run scripts/bootstrap.sh"; fail=$((fail+1))
fi

# the same inputs given in another order, and as single files: byte-identical output
check "analyze reversed" 0 "$bin" analyze --format json "$ex/k8s-events.jsonl" "$ex/gpu-node-12" "$ex/gpu-node-07"
check "analyze forward" 0 "$bin" analyze --format json "$ex/gpu-node-07" "$ex/gpu-node-12" "$ex/k8s-events.jsonl"
cp "$tmp/out" "$tmp/fwd.json"
"$bin" analyze --format json "$ex/k8s-events.jsonl" "$ex/gpu-node-12" "$ex/gpu-node-07" >"$tmp/rev.json"
if cmp -s "$tmp/fwd.json" "$tmp/rev.json"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL input order changes output"; fi

check "fail-on critical trips" 1 "$bin" analyze --format json --fail-on critical "$ex"
check "fail-on info trips" 1 "$bin" analyze --format json --fail-on info "$ex"
check "fail-on with no verdicts" 0 "$bin" analyze --format json --fail-on info "$ex/k8s-events.jsonl"
check "unknown detector" 2 "$bin" analyze --detectors xid_correlation,nope "$ex"
grep_out "unknown detector named" "$tmp/err" "no detector named 'nope'"
check "only xid_correlation" 0 "$bin" analyze --format json --detectors ' xid_correlation ' "$ex"
grep_out "only xid_correlation runs" "$tmp/out" '"pattern_id": "xid_correlation'
if grep -q '"pattern_id": "' "$tmp/out" && ! grep '"pattern_id": "' "$tmp/out" | grep -vq '"xid_correlation\.'; then
  pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL --detectors: another detector's verdict"; fi

check "unreadable input" 3 "$bin" analyze --format json "$ex" "$tmp/does-not-exist.log"
grep_out "error names path and errno" "$tmp/err" "does-not-exist.log': No such file or directory"
grep_out "other inputs still read" "$tmp/out" '"pattern_id": "xid_correlation'

check "stdin" 0 sh -c "cat '$ex/gpu-node-07/kernel.jsonl' | '$bin' analyze --format json --node n7 -"
grep_out "stdin path" "$tmp/out" '"path": "-"'
grep_out "stdin --node rule" "$tmp/out" '"rule": "--node"'

check "empty input" 0 "$bin" analyze --format json /dev/null
grep_out "empty envelope" "$tmp/out" '"verdicts": \[\]'

check "output file" 0 "$bin" analyze -o "$tmp/o.json" "$ex"
grep_out "output file is json" "$tmp/o.json" '"schema": "faultline.verdicts/v1"'

check "text report" 0 env NO_COLOR=1 "$bin" analyze --format text "$ex"
grep_out "text groups by severity" "$tmp/out" '^CRITICAL ('
if grep -q $'\033' "$tmp/out"; then fail=$((fail+1)); echo "FAIL colour written to a pipe"; else pass=$((pass+1)); fi

printf 'detectors:\n  xid_correlation:\n    window: 1s\n' > "$tmp/c.yaml"
check "config ok" 0 "$bin" analyze --format json -c "$tmp/c.yaml" "$ex"
printf 'detectors:\n  xid_correlation:\n    windw: 1s\n' > "$tmp/c.yaml"
check "config unknown key" 2 "$bin" analyze -c "$tmp/c.yaml" "$ex"
grep_out "config error names file:line" "$tmp/err" 'c.yaml:3: detector .xid_correlation. has no setting .windw.'
printf 'detectors:\n  xid_correlation:\n    window: 100h\n' > "$tmp/c.yaml"
check "config out of range" 2 "$bin" analyze -c "$tmp/c.yaml" "$ex"
grep_out "config range message" "$tmp/err" 'out of range'
printf 'detectors: [\n' > "$tmp/c.yaml"
check "config bad yaml" 2 "$bin" analyze -c "$tmp/c.yaml" "$ex"
check "config missing" 2 "$bin" analyze -c "$tmp/nope.yaml" "$ex"

check "events jsonl" 0 "$bin" events "$ex"
cp "$tmp/out" "$tmp/ev.jsonl"
check "events round trip" 0 "$bin" events "$tmp/ev.jsonl"
if cmp -s "$tmp/ev.jsonl" "$tmp/out"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL events round trip differs"; diff "$tmp/ev.jsonl" "$tmp/out" | head; fi
if [ -x "$py" ]; then check "events schema-valid" 0 "$py" "$root/tests/schema/validate.py" events "$tmp/ev.jsonl"; fi
check "events text" 0 "$bin" events --format text "$ex"
grep_out "events table header" "$tmp/out" '^TS'

printf '{"kind":"xid"}\nnot json\n' > "$tmp/bad.jsonl"
check "bad lines still exit 0" 0 "$bin" analyze --format json --input-format faultline-jsonl "$tmp/bad.jsonl"
grep_out "skipped names line" "$tmp/out" 'bad.jsonl:1'
grep_out "skipped total" "$tmp/out" '"skipped_total": 2'

# a cluster-wide dump in a bundle directory: the directory is not the node of its records
mkdir -p "$tmp/cs/k8s"
printf '%s\n' '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Event","count":1,"firstTimestamp":"2026-11-24T18:41:09Z","lastTimestamp":"2026-11-24T18:41:09Z","involvedObject":{"kind":"Pod","name":"w-1","namespace":"ml"},"message":"0/64 nodes are available: 64 Insufficient nvidia.com/gpu.","metadata":{"name":"w-1.1","namespace":"ml"},"reason":"FailedScheduling","source":{"component":"default-scheduler"},"type":"Warning"}]}' > "$tmp/cs/k8s/events.json"
check "cluster-scope events" 0 "$bin" events --format jsonl "$tmp/cs"
if grep -q '"reason":"FailedScheduling"' "$tmp/out" && ! grep -q '"node":"k8s"' "$tmp/out"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL a kubectl dump took its directory as node"; head -c 300 "$tmp/out"; fi
check "cluster-scope --node" 0 "$bin" events --format jsonl --node gpu-node-1 "$tmp/cs/k8s/events.json"
if ! grep -q '"node":"gpu-node-1"' "$tmp/out"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL --node named a kubectl dump's records"; fi

# the demo bundle (real formats): one finding per node-level detector
check "demo bundle" 0 "$bin" analyze --format json "$root/examples/incident"
for pat in pcie_aer.fatal_xid79 xid_correlation.pod_disrupted hbm_ecc.uncorrectable thermal_throttle.gpu pod_evicted.node_pressure; do
  grep_out "demo shows $pat" "$tmp/out" "\"pattern_id\": \"$pat\""
done
grep_out "demo reads every file" "$tmp/out" '"skipped_total": 0'
# the chain: the XID 79 verdict names the fatal AER verdict as its cause
if python3 - "$tmp/out" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["verdicts"]
aer = [x["uid"] for x in v if x["pattern_id"] == "pcie_aer.fatal_xid79"]
xid = [x for x in v if x["pattern_id"] == "xid_correlation.pod_disrupted"]
sys.exit(0 if aer and xid and xid[0]["caused_by"] == aer else 1)
PY
then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL demo: the XID 79 verdict's caused_by is not the AER verdict"; fi

check "detectors list" 0 "$bin" detectors
grep_out "detectors lists settings" "$tmp/out" 'xid_correlation.window'
check "detectors markdown" 0 "$bin" detectors --format markdown
grep_out "markdown lists pattern meanings" "$tmp/out" '| `xid_correlation.pod_disrupted` | '
if bash "$root/scripts/detector_docs.sh" "$bin" --check; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL docs/detectors.md is stale: make docs"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
