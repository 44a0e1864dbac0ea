#!/usr/bin/python3
"""Schema drift battery: the published schemas must accept the hand-written valid examples
and reject each listed kind of drift, and their enums must match the C headers.

usage: drift.py            (run with /usr/bin/python3; needs python3-jsonschema >= 4)

Prints one line per failure and "N passed, M failed"; exits 1 when anything failed.
"""
import copy
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import validate  # noqa: E402  (same directory)

passed = 0
failed = 0


def record(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s%s" % (name, (": " + detail) if detail else ""))


def accept(validator, name, doc):
    if isinstance(doc, Broken):
        return record(False, "accept " + name, doc.why)
    errs = validate.errors_of(validator, doc)
    record(not errs, "accept " + name, "; ".join(errs))


def reject(validator, name, doc):
    if isinstance(doc, Broken):
        return record(False, "reject " + name, doc.why)
    record(bool(validate.errors_of(validator, doc)), "reject " + name, "schema accepted it")


class Broken:
    """A case whose document could not be built (the example file lost what it mutates)."""

    def __init__(self, why):
        self.why = why


def mutated(doc, fn):
    """Deep copy of doc with fn applied; fn must change something (no vacuous cases)."""
    d = copy.deepcopy(doc)
    try:
        fn(d)
    except (KeyError, IndexError, TypeError) as e:
        return Broken("cannot build the case: %s %s" % (type(e).__name__, e))
    if d == doc:
        return Broken("mutation changed nothing")
    return d


def delete(path):
    def fn(d):
        for k in path[:-1]:
            d = d[k]
        del d[path[-1]]
    return fn


def setv(path, value):
    def fn(d):
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return fn


def header_names(header, macro):
    """Second (JSON name) argument of each X(...) row of an X-macro table in a C header."""
    with open(os.path.join(ROOT, "include", "faultline", header), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"#define %s\(X\)(.*?)\n\s*\n" % macro, text, re.S)
    if not m:
        return None
    return re.findall(r'X\(\s*\w+\s*,\s*"([^"]+)"\s*\)', m.group(1))


def verdict_cases():
    v = validate.load_validator("verdicts")
    with open(os.path.join(HERE, "valid-envelope.json"), encoding="utf-8") as f:
        good = validate.parse_json(f.read())

    accept(v, "valid-envelope.json", good)
    empty = {
        "schema": "faultline.verdicts/v1",
        "generator": {"name": "faultline", "version": "0.1.0"},
        "window": None,
        "inputs": [],
        "verdicts": [],
        "skipped": [],
        "skipped_total": 0,
    }
    accept(v, "empty envelope (no verdicts, window null)", empty)
    accept(v, "scope with no keys", mutated(good, setv(["verdicts", 0, "scope"], {})))
    # a verdict judged on a node's boot clock (a plain dmesg, no boot time) has no wall time
    accept(v, "verdict ts null (boot-relative evidence)",
           mutated(good, setv(["verdicts", 0, "ts"], None)))

    ni = next((i for i, x in enumerate(good["inputs"]) if "node" in x), 0)
    for key in v.schema["required"]:
        reject(v, "envelope without '%s'" % key, mutated(good, delete([key])))
    bad = [
        ("unknown severity", setv(["verdicts", 0, "severity"], "fatal")),
        ("extra top-level key", setv(["extra"], 1)),
        ("bad uid (upper case)", setv(["verdicts", 0, "uid"], "3F9A0C4E5B6D7A81")),
        ("bad uid (15 digits)", setv(["verdicts", 0, "uid"], "3f9a0c4e5b6d7a8")),
        ("bad gpu pattern (upper-case hex)", setv(["verdicts", 0, "scope", "gpu"], "0000:3B:00.0")),
        ("bad gpu pattern (8-digit domain)", setv(["verdicts", 0, "scope", "gpu"], "00000000:3b:00.0")),
        ("bad gpu pattern (no function)", setv(["verdicts", 0, "scope", "gpu"], "0000:3b:00")),
        ("verdict missing evidence", delete(["verdicts", 0, "evidence"])),
        ("verdict missing caused_by", delete(["verdicts", 1, "caused_by"])),
        ("wrong schema id", setv(["schema"], "faultline.verdicts/v2")),
        ("generator without version", delete(["generator", "version"])),
        ("window with null endpoints", setv(["window"], {"start": None, "end": None})),
        ("window without end", delete(["window", "end"])),
        ("pattern_id not detector.pattern", setv(["verdicts", 0, "pattern_id"], "xid79")),
        ("window start not RFC 3339", setv(["window", "start"], "2026-11-24 18:30:02")),
        ("verdict ts without zone", setv(["verdicts", 0, "ts"], "2026-11-24T18:32:51")),
        ("extra key in verdict", setv(["verdicts", 0, "confidence"], 0.9)),
        ("extra key in scope", setv(["verdicts", 0, "scope", "rack"], "r1")),
        ("extra key in evidence", setv(["verdicts", 0, "evidence", 0, "raw"], "x")),
        ("extra key in inputs item", setv(["inputs", ni, "bytes"], 10)),
        ("extra key in skipped item", setv(["skipped", 0, "line"], 17)),
        ("evidence unknown kind", setv(["verdicts", 0, "evidence", 0, "kind"], "dmesg")),
        ("evidence source empty", setv(["verdicts", 0, "evidence", 0, "source"], "")),
        ("caused_by not a uid", setv(["verdicts", 1, "caused_by"], ["xid79"])),
        ("pod without namespace", setv(["verdicts", 0, "scope", "pod"], "llm-7b-worker-3")),
        ("negative gpu_index", setv(["verdicts", 0, "scope", "gpu_index"], -1)),
        ("negative rank", setv(["verdicts", 1, "scope", "ranks"], [-1])),
        ("pg without id", delete(["verdicts", 1, "scope", "pg", "id"])),
        ("negative records", setv(["inputs", ni, "records"], -1)),
        ("skipped_total not an integer", setv(["skipped_total"], 2.5)),
        ("input node without rule", delete(["inputs", ni, "node", "rule"])),
    ]
    for name, fn in bad:
        reject(v, name, mutated(good, fn))

    sev = header_names("verdict.h", "FL_SEVERITY_MAP")
    record(sev is not None and sev == v.schema["$defs"]["verdict"]["properties"]["severity"]["enum"],
           "severity enum matches FL_SEVERITY_MAP in verdict.h", "header has %r" % (sev,))
    return v


def event_cases(verdicts_validator):
    v = validate.load_validator("events")
    kinds = v.schema["properties"]["kind"]["enum"]
    lines = []
    with open(os.path.join(HERE, "valid-events.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                lines.append(validate.parse_json(line))
                accept(v, "valid-events.jsonl:%d (%s)" % (n, lines[-1].get("kind")), lines[-1])
    by_kind = {e["kind"]: e for e in lines}
    record(sorted(by_kind) == sorted(kinds), "valid-events.jsonl has one line of every kind",
           "missing %s" % sorted(set(kinds) - set(by_kind)))

    ev_kinds = verdicts_validator.schema["$defs"]["event_kind"]["enum"]
    record(ev_kinds == kinds, "verdict evidence kinds == event kinds")
    hdr = header_names("event.h", "FL_EVENT_KIND_MAP")
    record(hdr is not None and hdr == kinds, "event kind enum matches FL_EVENT_KIND_MAP in event.h",
           "header has %r" % (hdr,))
    for k in kinds:
        record(k in v.schema["properties"], "payload object defined for kind '%s'" % k)

    xid = by_kind["xid"]
    accept(v, "minimal xid", {"kind": "xid", "ts": "2026-11-24T18:32:51Z", "xid": {"code": 79}})
    accept(v, "lower-case t and z", mutated(xid, setv(["ts"], "2026-11-24t18:32:51z")))
    accept(v, "unknown top-level key", mutated(xid, setv(["x_new"], [1, 2])))
    accept(v, "schema id present", mutated(xid, setv(["schema"], "faultline.events/v1")))
    accept(v, "boot-relative (ts null, boot_ns)", mutated(xid, lambda d: d.update(ts=None, boot_ns=12345678901)))
    accept(v, "time unknown (ts null, no boot_ns)", mutated(xid, setv(["ts"], None)))
    for pci in ["0000:3b:00.0", "00000000:3B:00.0", "PCI:0000:3b:00", "3b:00.0"]:
        accept(v, "gpu.pci %s" % pci, mutated(xid, setv(["gpu", "pci"], pci)) if pci != xid["gpu"]["pci"] else xid)

    bad = [
        ("missing kind", xid, delete(["kind"])),
        ("unknown kind", xid, setv(["kind"], "dmesg")),
        ("xid without code", xid, delete(["xid", "code"])),
        ("xid kind without xid object", xid, delete(["xid"])),
        ("xid code not an integer", xid, setv(["xid", "code"], "79")),
        ("missing ts", xid, delete(["ts"])),
        ("bad ts (no zone)", xid, setv(["ts"], "2026-11-24T18:32:51")),
        ("bad ts (month 13)", xid, setv(["ts"], "2026-13-24T18:32:51Z")),
        ("bad ts (space, syslog style)", xid, setv(["ts"], "Nov 24 18:32:51")),
        ("bad ts (epoch number)", xid, setv(["ts"], 1795545171)),
        ("other schema id", xid, setv(["schema"], "faultline.events/v2")),
        ("negative boot_ns", xid, lambda d: d.update(ts=None, boot_ns=-1)),
        ("sxid without code", by_kind["sxid"], delete(["sxid", "code"])),
        ("bad uid", xid, setv(["uid"], "a1b2")),
        ("bad gpu.pci", xid, setv(["gpu", "pci"], "gpu2")),
        ("negative gpu.index", xid, setv(["gpu", "index"], -1)),
        ("log without text", by_kind["log"], delete(["log", "text"])),
        ("log level 8", by_kind["log"], setv(["log", "level"], 8)),
        ("pcie_aer unknown severity", by_kind["pcie_aer"], setv(["pcie_aer", "severity"], "warning")),
        ("pcie_aer status not 8 hex", by_kind["pcie_aer"], setv(["pcie_aer", "status"], "0x40")),
        ("ecc without type", by_kind["ecc"], delete(["ecc", "type"])),
        ("ecc unknown type", by_kind["ecc"], setv(["ecc", "type"], "tbe")),
        ("throttle without reasons", by_kind["throttle"], delete(["throttle", "reasons"])),
        ("gpu_sample without value", by_kind["gpu_sample"], delete(["gpu_sample", "value"])),
        ("gpu_sample unknown metric", by_kind["gpu_sample"], setv(["gpu_sample", "metric"], "fan")),
        ("pod_event pod without namespace", by_kind["pod_event"], setv(["pod_event", "pod"], "worker-3")),
        ("node_condition status lower case", by_kind["node_condition"], setv(["node_condition", "status"], "false")),
        ("nccl_fr_record without state", by_kind["nccl_fr_record"], delete(["nccl_fr_record", "state"])),
        ("nccl_fr_record unknown state", by_kind["nccl_fr_record"], setv(["nccl_fr_record", "state"], "timeout")),
        ("pyspy_stack gil not bool", by_kind["pyspy_stack"], setv(["pyspy_stack", "gil"], "yes")),
    ]
    for name, base, fn in bad:
        reject(v, name, mutated(base, fn))


def cli_cases():
    """validate.py's own exit codes on the example files."""
    import subprocess
    import tempfile

    def run(*args, stdin=None):
        return subprocess.run([sys.executable, os.path.join(HERE, "validate.py")] + list(args),
                              input=stdin, capture_output=True).returncode

    record(run("verdicts", os.path.join(HERE, "valid-envelope.json")) == 0, "validate.py accepts envelope")
    record(run("events", os.path.join(HERE, "valid-events.jsonl")) == 0, "validate.py accepts events")
    record(run("events", "-", stdin=b'{"kind":"xid","ts":"2026-11-24T18:32:51Z","xid":{}}\n') == 1,
           "validate.py exits 1 on an invalid event")
    record(run("verdicts", "-", stdin=b"{") == 2, "validate.py exits 2 on a JSON syntax error")
    record(run("verdicts", "-", stdin=b'{"a":NaN}') == 2, "validate.py exits 2 on NaN")
    record(run("bogus") == 2, "validate.py exits 2 on bad usage")
    with tempfile.TemporaryDirectory() as d:
        record(run("verdicts", os.path.join(d, "absent.json")) == 2, "validate.py exits 2 on a missing file")


def main():
    verdicts_validator = verdict_cases()
    event_cases(verdicts_validator)
    cli_cases()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
