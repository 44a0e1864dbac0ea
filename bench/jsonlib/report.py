#!/usr/bin/env python3
"""Turn the raw lines of bench/jsonlib/run.sh into markdown (stdout).

Usage: report.py RAW_FILE
RAW_FILE holds lines written by run.sh and bench_jsonlib:
  META key=value ...         machine, versions, command, expected checksums
  RESULT key=value ...       one library/mode on the main data set
  IR lib=L mode=M ir=N events=E      callgrind instruction count (run_once only)
  SCALE RESULT ...           jsmn with/without parent links on growing Lists
  ERR key=value ...          error report of one malformed sample
Exits 1 if a checksum differs from gen.py's reference.
"""
import shlex
import sys

LABEL = {
    "jsmn": "jsmn 1.1.0 + JSMN_PARENT_LINKS",
    "jsmn-split": "jsmn 1.1.0 + JSMN_PARENT_LINKS, items split first",
    "jsmn-noparent": "jsmn 1.1.0 stock (no parent links)",
    "yajl-sax": "yajl 2.1.0 callbacks, 64 KiB chunks",
    "yajl-tree": "yajl 2.1.0 yajl_tree_parse",
    "jansson": "jansson 2.14 json_loadb",
    "json-c": "json-c 0.16 json_tokener_parse_ex",
    "cjson": "cJSON 1.7.15 cJSON_ParseWithLength",
}


def kv(line):
    d = {}
    for tok in shlex.split(line)[1:]:
        if "=" in tok:
            k, v = tok.split("=", 1)
            d[k] = v
    return d


def mib(kb_or_b, kb=False):
    v = float(kb_or_b) * (1024 if kb else 1)
    return "%.1f" % (v / (1 << 20))


def human(n):
    n = float(n)
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= div:
            return "%.1f %s" % (n / div, unit)
    return "%d" % n


def main():
    meta, results, ir, scale, errs = {}, [], {}, [], []
    for line in open(sys.argv[1], encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("META "):
            k, _, v = line[5:].partition("=")
            meta[k] = v
        elif line.startswith("RESULT "):
            results.append(kv(line))
        elif line.startswith("IR "):
            d = kv(line)
            ir[(d["lib"], d["mode"])] = int(d["ir"]) / int(d["events"])
        elif line.startswith("SCALE "):
            scale.append(kv(line[6:]))
        elif line.startswith("ERR "):
            errs.append(kv(line))

    bad = []
    exp = {"list": meta.get("expected_main", ""), "jsonl": meta.get("expected_main", "")}
    for r in results:
        got = "events=%s sum=%s hash=%s" % (r["events"], r["sum"], r["hash"])
        if got != exp[r["mode"]]:
            bad.append("%s %s: %s (expected %s)" % (r["lib"], r["mode"], got, exp[r["mode"]]))

    out = []
    w = out.append
    w("## Parse + extract, %s" % meta.get("data_main", ""))
    w("")
    w("| library / API | input | wall ms: median (min–max) | MB/s | CPU ms | instr/event | "
      "allocs | allocs/event | bytes asked | via hook | peak heap MiB | RSS MiB: peak (+parse) |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ev = int(r["events"])
        rss_peak, rss0 = int(r["rss_peak_kb"]), int(r["rss_before_kb"])
        if r["mode"] == "list":
            inp = {"jsmn": "List: one token array for the whole document",
                   "jsmn-split": "List: items cut out by a byte scanner, one reused token array"}.get(r["lib"], "List")
        else:
            inp = "JSONL: one stream (allow_multiple_values)" if r["lib"] == "yajl-sax" else "JSONL: per line"
        i = ir.get((r["lib"], r["mode"]))
        hook = r["hook_allocs"]
        if r["lib"] in ("json-c",):
            hook = "no hook"
        elif r["lib"].startswith("jsmn"):
            hook = "n/a (caller's memory)"
        w("| %s | %s | %s (%s–%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s (+%s) |" % (
            LABEL.get(r["lib"], r["lib"]), inp, r["med_ms"], r["min_ms"], r["max_ms"], r["mbps"],
            r["cpu_ms"], human(i) if i else "–", human(r["allocs"]), "%.2f" % (int(r["allocs"]) / ev),
            human(r["alloc_bytes"]), hook, mib(r["peak_heap"]), mib(rss_peak, kb=True),
            mib(rss_peak - rss0, kb=True)))
    w("")
    if bad:
        w("**CHECKSUM MISMATCH:** " + "; ".join(bad))
    else:
        w("Checksum (reason, involvedObject.namespace/.name, lastTimestamp, decoded message, count) of "
          "every row = gen.py's reference: `%s`." % meta.get("expected_main", ""))
    w("")
    w("Columns: wall time of parse + extraction + free per run, %s runs in one process per row "
      "(CLOCK_MONOTONIC); MB/s = input bytes / median; CPU ms = median user+sys time of a run "
      "(getrusage); instr/event = instructions inside run_once counted by `valgrind --tool=callgrind` "
      "on a smaller data set (data_ir below; a load-independent figure, glibc malloc included); allocs = malloc + calloc "
      "+ realloc calls of one run, counted by interposing malloc/calloc/realloc/free in the executable "
      "(so shared libraries and glibc are counted too); bytes asked = sum of requested sizes (a realloc "
      "counts its new size); via hook = how many of those went through the library's own allocator "
      "hook; peak heap = highest live heap (malloc_usable_size) during a run; RSS = ru_maxrss of the "
      "process, (+parse) = above the RSS after the file was read into memory." % (
          results[0]["runs"] if results else "?"))
    w("")
    if scale:
        w("## jsmn without JSMN_PARENT_LINKS on a List (quadratic)")
        w("")
        w("| List size | events | stock jsmn (no parent links) wall ms median | jsmn + JSMN_PARENT_LINKS wall ms median |")
        w("|---:|---:|---:|---:|")
        by = {}
        for r in scale:
            by.setdefault(r["bytes"], {})[r["lib"]] = r
        for b in sorted(by, key=int):
            d = by[b]
            np_, p = d.get("jsmn-noparent", {}), d.get("jsmn", {})
            w("| %.1f MB | %s | %s | %s |" % (int(b) / 1e6, (np_ or p).get("events", "?"),
                                            np_.get("med_ms", "–"), p.get("med_ms", "–")))
        w("")
        w("Stock jsmn finds the parent of a closed item by scanning back over every token of every "
          "earlier item; with JSMN_PARENT_LINKS it follows a parent index.")
        w("")
    if errs:
        w("## Error reports on malformed input")
        w("")
        w("| sample (fault at byte) | " + " | ".join(sorted({e["lib"] for e in errs}, key=list(LABEL).index)) + " |")
        libs = sorted({e["lib"] for e in errs}, key=list(LABEL).index)
        w("|---|" + "---|" * len(libs))
        samples = []
        for e in errs:
            if e["sample"] not in samples:
                samples.append(e["sample"])
        for s in samples:
            cells = []
            for lib in libs:
                e = next(x for x in errs if x["lib"] == lib and x["sample"] == s)
                if e["rejected"] == "0":
                    cells.append("**accepted**")
                else:
                    pos = "" if e["offset"] == "-1" else "@%s: " % e["offset"]
                    msg = e["msg"]
                    if len(msg) > 90:
                        msg = msg[:87] + "..."
                    cells.append((pos + msg).replace("|", "/").replace("\\", "\\\\"))
            fault = next(x for x in errs if x["sample"] == s)["fault_at"]
            w("| %s (%s) | %s |" % (s.replace("\\", "\\\\"), fault, " | ".join(cells)))
        w("")
        w("@N = the byte offset the library reports (jansson: error.position; json-c: "
          "json_tokener_get_parse_end; cJSON: return_parse_end; yajl callbacks: "
          "yajl_get_bytes_consumed; jsmn: parser.pos, which is reset to the start of the "
          "string that failed). yajl_tree_parse reports no offset, only a text excerpt "
          "with a `(right here) ------^` marker.")
        w("")
    w("## Machine and command")
    w("")
    for k in ("date", "command", "nproc", "cpu", "kernel", "compiler", "packages", "loadavg_before",
              "loadavg_after", "data_main", "data_ir"):
        if k in meta:
            w("- %s: %s" % (k, meta[k]))
    w("")
    sys.stdout.write("\n".join(out))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
