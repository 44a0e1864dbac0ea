#!/usr/bin/python3
"""bench/check.py BASELINE RESULTS - the bench regression gate (run through bench/check.sh).

Gated (a failure exits 1 and names the case and the metric):
  1. a case of the baseline missing from the results;
  2. allocs_per_event above the case's absolute ceiling (CEILINGS below), whatever the
     baseline says;
  3. allocs_per_event or bytes_per_event more than 10% above the baseline (a baseline of 0
     allows nothing), or a figure the baseline has turned null.
Advisory only (printed, never fails): time deltas, a case not in the baseline (it has no
baseline yet), a case without a ceiling, figures that improved by more than 10% (refresh the
baseline on purpose: make bench-baseline), a different event count.
Exit 0 pass, 1 gate failure, 2 usage or unreadable input. Python 3 standard library only.
"""
import json
import sys

TOLERANCE = 0.10
EPSILON = 1e-12  # absorbs the last digit of the %.6g the bench prints

# Absolute ceilings on allocs_per_event, and why each is what it is (bench/README.md).
CEILINGS = {
    # Steady state: arena and sink warm and reused; allocations per event should be ~0.
    # xid_correlation mallocs 3 scratch arrays per run() (3/1024 = 0.0029 per event).
    "detector_xid_correlation": (0.01, "steady state"),
    "arena_alloc": (0.01, "steady state"),
    "jsonw_write": (0.01, "steady state"),
    # A fresh engine per run (new, add_buffer, ingest, free) on the 20 MiB, 76k-event stream.
    # Measured: 53 allocations = 6 (engine, config, input copy) + 18 (intern table growth,
    # token array, skip lists) + 1 intern arena chunk + 28 window-arena chunks (44 MB
    # reserved, 578 B per event: an event is 248 B in its 512-event block and 248 B again in
    # the sorted window, plus index pointers and decoded strings; chunks double from 64 KiB to
    # 1 MiB, and a large array gets a chunk of its own) = 0.0007 per event.
    # Ceiling 0.0015: about 2x; one more allocation per 512-event block (+0.002) breaks it.
    "jsonl_parse": (0.0015, "fresh engine: fixed cost + one arena chunk per MiB"),
    # The window step alone: at most one chunk for the window's pointer array, one per index
    # array (3 per kind, 12 kinds), one for the Flight Recorder index and the one scratch
    # buffer (run merge or key sort, id-sort counters, FR sort): 39 / 76k = 0.0005.
    # Measured: 3.
    "window_build": (0.0005, "one arena chunk per window array at most"),
    # A fresh process on a 17-file bundle: jsonl_parse's costs, plus per input file (path,
    # data buffer, directory entries), detector scratch arrays, sink and report growth.
    # Measured: 220 allocations / 82k events = 0.0027. Ceiling about 2x.
    "analyze_e2e": (0.005, "fresh engine and process: per-input and per-run fixed costs"),
    # The same bundle with a parse thread per online core: analyze_e2e's allocations plus, per
    # input, the task's arena chunks (its first block among them) and its own intern table
    # (slots, ids and hashes growing to the input's strings, an arena chunk), then the pool
    # (tasks, order, workers) and each worker's block memory. Measured: 420 allocations / 82k
    # events = 0.0051 (analyze_e2e 197: 13 more per input). Ceiling about 2x.
    "analyze_e2e_jobs": (0.01, "analyze_e2e plus a task arena and intern table per input"),
    # The 256-dump pickle directory analyzed end to end by a fresh process (cases_fr.c):
    # fr_pickle's per-file costs, the detectors' scratch and the report. Measured: 5,518 /
    # 512k = 0.0108; with a parse thread per core each task's arena and intern table besides:
    # 12,418 / 512k = 0.0242. Ceilings about 2-3x: one per record would be 1.0.
    "fr_analyze": (0.03, "fresh process on 256 dumps: per-file costs, nothing per record"),
    "fr_analyze_jobs": (0.06, "fr_analyze plus a task arena and intern table per dump"),
    # Every detector over its committed window (bench/windows/): scratch from the sink's arena,
    # so a warm run allocates nothing (measured 0 for all five).
    "detector_pod_evicted": (0.01, "steady state"),
    "detector_hbm_ecc": (0.01, "steady state"),
    "detector_thermal_throttle": (0.01, "steady state"),
    "detector_pcie_aer": (0.01, "steady state"),
    "detector_nccl_hang": (0.01, "steady state"),
    # Ingest of one large file by a fresh engine (bench/cases_ingest.c): fixed costs and one
    # arena chunk per MiB of kept events; nothing per line. Measured: kernel 0.000017 per line
    # (0.1% of lines are kept), Kubernetes 0.0007-0.0009 per event, dcgm 0.0003-0.0005 per
    # sample. Ceilings about 2-3x: one allocation per record would be 1.0.
    "kernel_log_scan": (0.0001, "fixed costs only: nothing per line"),
    "k8s_events_list": (0.002, "fresh engine: fixed cost + arena chunks"),
    "dcgm_scrape": (0.0015, "fresh engine: fixed cost + arena chunks"),
    # Flight Recorder dumps, one file per rank (bench/cases_fr.c): per-file scratch and arena
    # chunks, nothing per record. Measured 0.013-0.014 per record (about 27 per 2,000-entry file).
    "fr_pickle": (0.03, "per-file fixed costs, nothing per record"),
    "fr_json": (0.03, "per-file fixed costs, nothing per record"),
    # The remaining parsers (bench/cases_more.c): a fresh engine over a file or a directory.
    # py-spy: 512 files of about 7 threads each. Measured 4,235 allocations = 8.3 per file:
    # the engine's path, read buffer and directory entry, and the reader's stream array, hash
    # slots and the thread's line list, which doubles from 16 entries to the longest thread
    # (up to 256 lines on a --locals dump) and is reused for the file's other threads:
    # 8.3 / 7.06 threads = 1.17 per thread. Ceiling 1.6: one allocation per thread (+1.0)
    # breaks it.
    "pyspy_dumps": (1.6, "per-file fixed costs, nothing per thread"),
    # One 23 MiB query_range document, 1.01 M points in 2,816 series. Measured 103
    # allocations (engine, token array for the `metric` objects, event blocks and window
    # arrays) = 0.0001 per point. Ceiling 0.0005: one allocation per series (+0.0028) breaks it.
    "prom_api_range": (0.0005, "fixed costs: nothing per series or point"),
    # pods.json (12,024 pods) and nodes.json (2,000 nodes), 26,051 events. Measured 88
    # allocations = 0.0034 per event. Ceiling 0.007 (about 2x): one allocation per node
    # (+0.077) or per pod (+0.46) breaks it.
    "k8s_pods_nodes": (0.007, "fresh engine: fixed cost + arena chunks"),
    # 256 bundle files of 8 GPUs (120 events each). Measured 1,584 allocations = 6.2 per file
    # (path, read buffer, node directory and its entries, node name) = 0.052 per event.
    # Ceiling 0.1: one allocation per GPU (+0.067 per event) breaks it.
    "nvsmi_q": (0.1, "per-file fixed costs, nothing per GPU"),
    # 256 bundle files of one GPU (10 events each). Measured 1,837 allocations = 7.2 per file
    # = 0.72 per event. Ceiling 1.0: one more allocation per event breaks it. libxml2's own
    # allocations (its DOM: about 1,390 malloc calls per 21 KB capture, counted with valgrind)
    # do not go through the allocation hook and are not in this figure.
    "nvsmi_xml": (1.0, "per-file fixed costs; libxml2's DOM not counted"),
    # journalctl -o export of 212k kernel records (156 GPU events). Measured 26 allocations:
    # fixed costs only. Ceiling 0.0005: one allocation per GPU event (+0.0007) breaks it.
    "journal_export": (0.0005, "fixed costs only: nothing per entry"),
    # A 6 MiB gzip of a 32 MiB dmesg (283k lines, 222 GPU events), inflated into one arena
    # buffer. Measured 28 allocations. Ceiling 0.0005: one per GPU event (+0.0008) breaks it.
    "kernel_log_gz": (0.0005, "fixed costs only: nothing per line"),
}

GATED = ("allocs_per_event", "bytes_per_event")


class BadInput(Exception):
    pass


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise BadInput("cannot read '%s': %s" % (path, e.strerror))
    except ValueError as e:
        raise BadInput("'%s' is not valid JSON: %s" % (path, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise BadInput("'%s' has no \"cases\" list" % path)
    cases = {}
    order = []
    for i, c in enumerate(doc["cases"]):
        if not isinstance(c, dict) or not isinstance(c.get("case"), str):
            raise BadInput("'%s': cases[%d] has no \"case\" name" % (path, i))
        name = c["case"]
        if name in cases:
            raise BadInput("'%s': case '%s' appears twice" % (path, name))
        for k in GATED + ("ns_per_event",):
            v = c.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise BadInput("'%s': %s.%s is not a number or null" % (path, name, k))
        cases[name] = c
        order.append(name)
    return doc, cases, order


def pct(new, old):
    if old == 0:
        return "+inf%" if new > 0 else "0%"
    return "%+.1f%%" % ((new - old) / old * 100.0)


def main(argv):
    if len(argv) != 3:
        print("usage: bench/check.sh BASELINE RESULTS", file=sys.stderr)
        return 2
    try:
        bdoc, base, border = load(argv[1])
        rdoc, res, rorder = load(argv[2])
    except BadInput as e:
        print("bench-check: error: %s" % e, file=sys.stderr)
        return 2

    fails, notes = [], []
    if bdoc.get("mode") != rdoc.get("mode"):
        notes.append("baseline is a %s run, results a %s run: inputs are the same, only the "
                     "number of timed runs differs" % (bdoc.get("mode"), rdoc.get("mode")))

    for name in border:
        if name not in res:
            fails.append("%s: missing from the results (it is in the baseline)" % name)

    print("%-26s %-17s %14s %14s %9s" % ("case", "metric", "baseline", "results", "delta"))
    for name in rorder:
        r = res[name]
        b = base.get(name)
        ceiling = CEILINGS.get(name)
        a = r.get("allocs_per_event")
        if ceiling is None:
            notes.append("%s: no allocation ceiling set (add one to bench/check.py)" % name)
        elif a is None:
            fails.append("%s: allocs_per_event is null but the case has a ceiling" % name)
        elif a > ceiling[0] + EPSILON:
            fails.append("%s: allocs_per_event %.6g exceeds the ceiling %.6g (%s)"
                         % (name, a, ceiling[0], ceiling[1]))
        if b is None:
            notes.append("%s: new case, not in the baseline (not compared)" % name)
            continue
        if b.get("events") != r.get("events"):
            notes.append("%s: events %s in the baseline, %s now: per-event figures compare "
                         "different inputs" % (name, b.get("events"), r.get("events")))
        for metric in GATED:
            old, new = b.get(metric), r.get(metric)
            if old is None:
                continue
            if new is None:
                fails.append("%s: %s is null, baseline %.6g" % (name, metric, old))
                continue
            print("%-26s %-17s %14.6g %14.6g %9s" % (name, metric, old, new, pct(new, old)))
            if new > old * (1 + TOLERANCE) + EPSILON:
                fails.append("%s: %s regressed %s: %.6g, baseline %.6g (limit +%d%%)"
                             % (name, metric, pct(new, old), new, old, TOLERANCE * 100))
            elif new < old * (1 - TOLERANCE) - EPSILON:
                notes.append("%s: %s improved %s: refresh the baseline on purpose "
                             "(make bench-baseline)" % (name, metric, pct(new, old)))
        old, new = b.get("ns_per_event"), r.get("ns_per_event")
        if old is not None and new is not None:
            print("%-26s %-17s %14.6g %14.6g %9s  (advisory)"
                  % (name, "ns_per_event", old, new, pct(new, old)))

    print()
    for n in notes:
        print("note: %s" % n)
    for f in fails:
        print("FAIL %s" % f)
    if fails:
        print("bench-check: FAILED (%d problem%s)" % (len(fails), "" if len(fails) == 1 else "s"))
        return 1
    print("bench-check: ok (%d cases; allocations within ceilings and within %d%% of the "
          "baseline)" % (len(rorder), TOLERANCE * 100))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
