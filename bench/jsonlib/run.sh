#!/usr/bin/env bash
# JSON-library benchmark for faultline's event readers (see docs/json-library.md).
#
#   bench/jsonlib/run.sh [--no-callgrind] [--no-scale]
#
# Builds bench_jsonlib (gcc -O2, pkg-config flags), generates the data into a
# temporary directory (removed on exit; never committed), runs every
# library/mode in its own process, checks every checksum against gen.py's
# reference, prints a markdown report and writes it to bench/jsonlib/results.md.
#
# Environment: SIZE_MB (main List size, default 50), BENCH_RUNS (runs per
# row, default 5), IR_SIZE_MB (data set for the callgrind instruction counts,
# default 10), KEEP_DATA=1 (keep the temp dir), RESULTS (output file).
# Needs: gcc, pkg-config, python3, libjsmn-dev libjansson-dev libjson-c-dev
# libcjson-dev libyajl-dev; valgrind is optional (instr/event column).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmdline="bench/jsonlib/run.sh${*:+ $*}"
callgrind=1
scale=1
for a in "$@"; do
  case "$a" in
    --no-callgrind) callgrind=0 ;;
    --no-scale) scale=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done
SIZE_MB="${SIZE_MB:-50}"
IR_SIZE_MB="${IR_SIZE_MB:-10}"
RESULTS="${RESULTS:-$here/results.md}"
export BENCH_RUNS="${BENCH_RUNS:-5}"

for pc in jansson json-c libcjson yajl; do
  pkg-config --exists "$pc" || { echo "missing $pc: apt-get install libjsmn-dev libjansson-dev libjson-c-dev libcjson-dev libyajl-dev" >&2; exit 1; }
done
[ -f /usr/include/jsmn.h ] || { echo "missing jsmn.h: apt-get install libjsmn-dev" >&2; exit 1; }
if [ "$callgrind" = 1 ] && ! command -v valgrind >/dev/null; then
  echo "valgrind not found: instr/event column skipped (apt-get install valgrind)" >&2
  callgrind=0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fl-jsonlib.XXXXXX")"
if [ "${KEEP_DATA:-0}" = 1 ]; then echo "data kept in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

# ---- build -----------------------------------------------------------------
CFLAGS=(-O2 -std=c11 -Wall -Wextra -Wshadow -Werror)
read -r -a PCFLAGS <<<"$(pkg-config --cflags jansson json-c libcjson yajl)"
read -r -a PCLIBS <<<"$(pkg-config --libs jansson json-c libcjson yajl)"
bin="$work/bench_jsonlib"
gcc "${CFLAGS[@]}" -DPFX=jp_ -DJSMN_PARENT_LINKS -c "$here/jsmn_reader.c" -o "$work/jsmn_parent.o"
gcc "${CFLAGS[@]}" -DPFX=jn_ -c "$here/jsmn_reader.c" -o "$work/jsmn_noparent.o"
gcc "${CFLAGS[@]}" "${PCFLAGS[@]}" -c "$here/lib_jansson.c" -o "$work/lib_jansson.o"
gcc "${CFLAGS[@]}" "${PCFLAGS[@]}" -c "$here/lib_jsonc.c" -o "$work/lib_jsonc.o"
gcc "${CFLAGS[@]}" "${PCFLAGS[@]}" -c "$here/bench_jsonlib.c" -o "$work/bench_jsonlib.o"
gcc -O2 -o "$bin" "$work"/bench_jsonlib.o "$work"/jsmn_parent.o "$work"/jsmn_noparent.o \
  "$work"/lib_jansson.o "$work"/lib_jsonc.o "${PCLIBS[@]}"

# ---- data ------------------------------------------------------------------
echo "generating data in $work ..." >&2
python3 "$here/gen.py" "$work/main" --size-mb "$SIZE_MB" >&2
if [ "$callgrind" = 1 ]; then python3 "$here/gen.py" "$work/ir" --size-mb "$IR_SIZE_MB" >&2; fi
if [ "$scale" = 1 ]; then
  for s in 4 8 16; do python3 "$here/gen.py" "$work/s$s" --size-mb "$s" >&2; done
fi

raw="$work/raw.txt"
{
  echo "META date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "META command=$cmdline"
  echo "META nproc=$(nproc)"
  echo "META cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "META kernel=$(uname -r)"
  echo "META compiler=$(gcc --version | head -1), -O2"
  echo "META packages=$(dpkg-query -W -f '${Package} ${Version}, ' libjsmn-dev libjansson4 libjson-c5 libcjson1 libyajl2 2>/dev/null | sed 's/, $//')"
  echo "META loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg) (shared machine: other jobs may run)"
  echo "META expected_main=$(cat "$work/main/expected.txt")"
  echo "META data_main=kubectl-style List $(stat -c %s "$work/main/events-list.json") bytes (4-space indent) and the same $(sed 's/events=\([0-9]*\).*/\1/' "$work/main/expected.txt") events as JSONL $(stat -c %s "$work/main/events.jsonl") bytes (gen.py, seed 20240514)"
  if [ "$callgrind" = 1 ]; then echo "META data_ir=${IR_SIZE_MB} MB List / JSONL from the same generator"; fi
} >"$raw"

# ---- runs ------------------------------------------------------------------
rows=(
  "jsmn list" "jsmn-split list" "yajl-sax list" "yajl-tree list" "jansson list" "json-c list" "cjson list"
  "jsmn jsonl" "jsmn-noparent jsonl" "yajl-sax jsonl" "yajl-tree jsonl" "jansson jsonl" "json-c jsonl" "cjson jsonl"
)
file_for() { if [ "$2" = list ]; then echo "$1/events-list.json"; else echo "$1/events.jsonl"; fi; }

for row in "${rows[@]}"; do
  read -r lib mode <<<"$row"
  echo "  $lib $mode" >&2
  "$bin" "$lib" "$mode" "$(file_for "$work/main" "$mode")" >>"$raw"
done

if [ "$callgrind" = 1 ]; then
  ir_events="$(sed 's/events=\([0-9]*\).*/\1/' "$work/ir/expected.txt")"
  for row in "${rows[@]}"; do
    read -r lib mode <<<"$row"
    echo "  callgrind $lib $mode" >&2
    n="$(BENCH_RUNS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect=run_once \
          "$bin" "$lib" "$mode" "$(file_for "$work/ir" "$mode")" 2>&1 >/dev/null |
         sed -n 's/.*Collected : \([0-9]*\).*/\1/p')"
    echo "IR lib=$lib mode=$mode ir=$n events=$ir_events" >>"$raw"
  done
fi

if [ "$scale" = 1 ]; then
  for s in 4 8 16; do
    for lib in jsmn-noparent jsmn; do
      echo "  scale $lib list ${s} MB" >&2
      line="$("$bin" "$lib" list "$work/s$s/events-list.json")"
      exp="$(cat "$work/s$s/expected.txt")"
      got="$(echo "$line" | grep -o 'events=[0-9]* sum=[0-9]* hash=[0-9a-f]*')"
      [ "$got" = "$exp" ] || { echo "checksum mismatch: $lib ${s} MB: $got != $exp" >&2; exit 1; }
      echo "SCALE $line" >>"$raw"
    done
  done
fi

for lib in jsmn yajl-sax yajl-tree jansson json-c cjson; do
  "$bin" "$lib" err >>"$raw"
done
echo "META loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"

status=0
python3 "$here/report.py" "$raw" >"$work/report.md" || status=$?
cat "$work/report.md"
{
  echo "# JSON library benchmark: results"
  echo
  echo "Written by \`bench/jsonlib/run.sh\`; the reasoning and the choice are in docs/json-library.md."
  echo
  cat "$work/report.md"
} >"$RESULTS"
echo "wrote $RESULTS" >&2
exit "$status"
