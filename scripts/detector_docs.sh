#!/usr/bin/env bash
# docs/detectors.md, generated: the registry as `faultline detectors --format markdown` prints
# it (patterns and their meaning, events read, settings), then one sample verdict per detector
# taken from its golden case named in tests/golden/<detector>/SAMPLE (the first verdict of
# that case's expected.json, which ctest compares byte for byte with the binary's output).
#
#   scripts/detector_docs.sh FAULTLINE          print the document
#   scripts/detector_docs.sh FAULTLINE --write  rewrite docs/detectors.md
#   scripts/detector_docs.sh FAULTLINE --check  exit 1 when docs/detectors.md differs
set -euo pipefail
bin=${1:?usage: detector_docs.sh FAULTLINE [--write|--check]}
mode=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v jq >/dev/null || { echo "detector_docs.sh: jq is needed (apt-get install jq)" >&2; exit 2; }

gen() {
  "$bin" detectors --format markdown
  printf '\n## Sample verdicts\n'
  printf '\nOne verdict per detector, as `faultline analyze --format json` writes it, from the golden\n'
  printf 'case named in `tests/golden/<detector>/SAMPLE` (the test suite checks that output byte for byte).\n'
  "$bin" detectors | sed -n 's/^\([a-z_][a-z0-9_]*\): .*/\1/p' | while read -r det; do
    local sample="$root/tests/golden/$det/SAMPLE"
    [ -f "$sample" ] || continue
    local case; case=$(head -n1 "$sample")
    local exp="$root/tests/golden/$det/$case/expected.json"
    [ -f "$exp" ] || { echo "detector_docs.sh: $exp missing (named by $sample)" >&2; exit 2; }
    printf '\n### %s\n\nFrom `tests/golden/%s/%s` (%s):\n\n```json\n' "$det" "$det" "$case" \
      "$(head -n1 "$root/tests/golden/$det/$case/README")"
    jq '.verdicts[0]' "$exp"
    printf '```\n'
  done
}

case "$mode" in
  --write) gen > "$root/docs/detectors.md" ;;
  --check)
    if ! gen | cmp -s - "$root/docs/detectors.md"; then
      echo "docs/detectors.md is stale: regenerate with scripts/detector_docs.sh FAULTLINE --write (make docs)" >&2
      gen | diff -u "$root/docs/detectors.md" - | head -20 >&2 || true
      exit 1
    fi ;;
  "") gen ;;
  *) echo "usage: detector_docs.sh FAULTLINE [--write|--check]" >&2; exit 2 ;;
esac
