#!/usr/bin/env bash
# Run every libFuzzer target for a bounded time: scripts/fuzz.sh BUILD_DIR SECONDS_PER_TARGET
# New coverage is added to a scratch copy of tests/fuzz/corpus/<name>/ (merge by hand if it is
# worth keeping); a crash leaves its input in tests/fuzz/artifacts/ and fails the run: copy
# it into tests/fuzz/regress/<name>/ so plain ctest replays it forever, then fix the bug.
set -euo pipefail
build=${1:?build dir}
secs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/tests/fuzz/artifacts"
status=0
for bin in "$build"/tests/fuzz_*; do
  [ -x "$bin" ] || continue
  case "$bin" in *_replay) continue ;; esac
  name=$(basename "$bin"); short=${name#fuzz_}
  work=$(mktemp -d)
  cp -r "$root/tests/fuzz/corpus/$short/." "$work/" 2>/dev/null || true
  echo "fuzz: $short for ${secs}s"
  dirs=("$work")
  [ -d "$root/tests/fuzz/regress/$short" ] && dirs+=("$root/tests/fuzz/regress/$short")
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$root/tests/fuzz/artifacts/$short-" "${dirs[@]}" 2>"$work.log"; then
    echo "fuzz: $short FOUND A CRASH (see $work.log, input in tests/fuzz/artifacts/)"; status=1
  else
    tail -1 "$work.log"
  fi
  rm -rf "$work"
done
exit $status
