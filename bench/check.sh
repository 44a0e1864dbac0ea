#!/bin/sh
# bench/check.sh BASELINE RESULTS - the bench regression gate: fails (exit 1) when a case is
# missing, allocations per event pass a case's ceiling, or allocations or bytes per event grow
# more than 10% over the baseline; time deltas are printed as advisory. Rules and ceilings:
# bench/check.py and bench/README.md. Needs python3 (standard library only).
set -u
here=$(cd "$(dirname "$0")" && pwd)
py=${SYSTEM_PYTHON:-/usr/bin/python3}
if [ ! -x "$py" ]; then
    py=$(command -v python3) || { echo "bench/check.sh: python3 not found" >&2; exit 2; }
fi
exec "$py" "$here/check.py" "$@"
