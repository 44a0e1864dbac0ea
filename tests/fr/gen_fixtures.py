#!/usr/bin/python3
"""Write the Flight Recorder fixtures under tests/fr/fixtures/ (committed; tests need no torch).

usage: /usr/bin/python3 tests/fr/gen_fixtures.py

For every dump version (the 2023 bare list, 1.0 ... 2.10) it writes the same small 4-rank
scenario as rank 3 would dump it, in up to three encodings:

  <version>/cpp/nccl_trace_rank_3     PyTorch's C++ pickler opcode style (protocol 2, strings
                                      memoized and repeated with BINGET, EMPTY_DICT+MARK+SETITEMS,
                                      EMPTY_LIST+MARK+APPENDS, TUPLE2, BININT1/2/BININT, LONG1 of 8
                                      bytes, BINFLOAT, shared frame dicts memoized by pointer,
                                      the top-level dict memoized last), as
                                      torch/csrc/jit/serialization/pickler.cpp writes it
  <version>/py/nccl_trace_rank_3      Python's pickle (re-pickled dumps), protocol 2 to 5 in turn,
                                      process_group as a list in some and a tuple in others,
                                      None for unknown values
  <version>/json/nccl_trace_rank_3.json   the JSON API (_dump_nccl_trace_json): sorted keys, no
                                      frames, 0 for unknown discovered times, pg_status values
                                      as strings, "entries" omitted when empty (2.x only)

plus a few special cases (memo past 255 ids, a cut dump, Python pickles of every protocol).
The scenario and the version history are described in docs/formats/flight-recorder.md.
"""
import json
import os
import pickle
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

VERSIONS = ["bare", "1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
            "2.7", "2.8", "2.9", "2.10"]


def vt(v):
    return (0, 0) if v == "bare" else tuple(int(x) for x in v.split("."))


class Shared:
    """A container the C++ pickler sees more than once (memoized by pointer)."""

    def __init__(self, obj):
        self.obj = obj


class CppPickler:
    """The opcode choices of torch::jit::Pickler for the IValues a Flight Recorder dump holds."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.next_id = 0
        self.strings = {}
        self.objects = {}

    def put(self):
        i = self.next_id
        self.next_id += 1
        self.out += b"q" + bytes([i]) if i <= 255 else b"r" + struct.pack("<I", i)
        return i

    def get(self, i):
        self.out += b"h" + bytes([i]) if i <= 255 else b"j" + struct.pack("<I", i)

    def push(self, v):
        o = self.out
        if isinstance(v, Shared):
            if id(v) in self.objects:
                return self.get(self.objects[id(v)])
            self.push(v.obj)
            self.objects[id(v)] = self.put()
        elif v is None:
            o += b"N"
        elif v is True:
            o += b"\x88"
        elif v is False:
            o += b"\x89"
        elif isinstance(v, int):
            if 0 <= v <= 255:
                o += b"K" + bytes([v])
            elif 0 <= v <= 65535:
                o += b"M" + struct.pack("<H", v)
            elif -(2 ** 31) <= v < 2 ** 31:
                o += b"J" + struct.pack("<i", v)
            else:
                o += b"\x8a\x08" + struct.pack("<q", v)
        elif isinstance(v, float):
            o += b"G" + struct.pack(">d", v)
        elif isinstance(v, str):
            if v in self.strings:
                return self.get(self.strings[v])
            b = v.encode("utf-8")
            o += b"X" + struct.pack("<I", len(b)) + b
            self.strings[v] = self.put()
        elif isinstance(v, tuple):
            if len(v) > 3:
                o += b"("
            for x in v:
                self.push(x)
            o += {0: b")", 1: b"\x85", 2: b"\x86", 3: b"\x87"}.get(len(v), b"t")
        elif isinstance(v, list):
            o += b"]("
            for x in v:
                self.push(x)
            o += b"e"
        elif isinstance(v, dict):
            o += b"}("
            for k, x in v.items():
                self.push(k)
                self.push(x)
            o += b"u"
        else:
            raise TypeError(type(v))

    def dump(self, top):
        self.push(top)
        self.put()  # the returned dict is referenced twice when pickled
        self.out += b"."
        return bytes(self.out)


def unwrap(v):
    """Plain Python objects (Shared dropped) for Python's pickle and JSON."""
    if isinstance(v, Shared):
        return unwrap(v.obj)
    if isinstance(v, dict):
        return {k: unwrap(x) for k, x in v.items()}
    if isinstance(v, list):
        return [unwrap(x) for x in v]
    if isinstance(v, tuple):
        return tuple(unwrap(x) for x in v)
    return v


# ---- the scenario: 4 ranks, default pg "0" [0..3] and pipeline pg "1" [1, 3]; rank 3 dumps ----

T0 = 1764009006150000000
FRAMES = [Shared({"name": "all_reduce", "filename": "torch/distributed/distributed_c10d.py", "line": 2501}),
          Shared({"name": "train_step", "filename": "/workspace/train.py", "line": 212}),
          Shared({"name": "send", "filename": "torch/distributed/distributed_c10d.py", "line": 2030}),
          Shared({"name": "<module>", "filename": "/workspace/train.py", "line": 400})]


PIPE = {0: ("2", [0, 2]), 1: ("1", [1, 3]), 2: ("2", [0, 2]), 3: ("1", [1, 3])}
P2P = {0: "nccl:send 0->1", 1: "nccl:recv 0<-1", 2: "nccl:recv 1<-0", 3: "nccl:send 1->0"}


def entries(v, frames, rank=3):
    """A rank's entries as dump version v writes them (C++ key order). Ranks 1 and 3 share
    pipeline pg "1" [1, 3], ranks 0 and 2 pg "2" [0, 2]; rank 3 sends to 1, 0 to 2."""
    ver = vt(v)
    pipe = PIPE[rank][0]
    ops = [
        # (pg, pg_id, coll_seq, p2p_seq, op_id, name, state, in, out, dtype, duration, frames)
        ("0", 0, 1, 0, 1, "nccl:all_reduce", "completed", [[1048576]], [[1048576]], "BFloat16", 8.0, [0, 1]),
        (pipe, 1, 0, 1, 2, P2P[rank], "completed", [[4096, 1, 5120]], [[4096, 1, 5120]], "BFloat16", None, [2, 1]),
    ]
    if ver >= (2, 7):
        ops += [
            ("0", 0, 2, 0, 3, "nccl:all_gather", "completed", [[8]], [[32]], "Float", None, [1]),
            ("0", 0, 2, 0, 4, "nccl:all_gather", "completed", [[8]], [[32]], "Float", None, [1]),
            ("0", 0, 2, 0, 4, "nccl:coalesced", "completed", [], [], None, None, [1]),
        ]
    else:
        ops += [("0", 0, 2, 0, 3, "nccl:allreduce_coalesced", "completed", [[8], [8]], [[8], [8]], "Float", None, [1])]
    ops += [
        ("0", 0, 3, 0, 5, "nccl:all_reduce", "started", [[1048576]], [[1048576]], "BFloat16", None, [0, 1]),
    ]
    if rank != 1:  # rank 1 never reached the broadcast
        ops += [("0", 0, 4, 0, 6, "nccl:broadcast", "scheduled", [[16]], [[16]], "Int", None, [3])]
    out = []
    for i, (pg, pg_id, cseq, pseq, op_id, name, state, ins, outs, dt, dur, fr) in enumerate(ops):
        t = T0 + i * 30000000
        e = {}
        if frames:
            e["frames"] = [FRAMES[k] for k in fr]
        e["record_id"] = 200 + i
        e["pg_id"] = pg_id
        if ver >= (1, 1):
            e["process_group"] = (pg, "default_pg" if pg == "0" else "PIPELINE_MODEL_PARALLEL_GROUP")
        if ver >= (2, 8):
            e["thread_name"] = "pt_main_thread"
            e["thread_id"] = "140106313836352"
        if ver >= (2, 0):
            e["collective_seq_id"] = cseq
            e["p2p_seq_id"] = pseq
            e["op_id"] = op_id
        else:
            e["seq_id"] = cseq if pseq == 0 else pseq
        e["profiling_name"] = name
        e["time_created_ns"] = t
        if dur is not None:
            e["duration_ms"] = dur
        e["input_sizes"] = ins
        if ver >= (2, 1):
            e["input_dtypes"] = [dt] * len(ins) if dt else []
        e["output_sizes"] = outs
        if ver >= (2, 1):
            e["output_dtypes"] = [dt] * len(outs) if dt else []
        e["state"] = state
        e["time_discovered_started_ns"] = t + 1000000 if state != "scheduled" else None
        e["time_discovered_completed_ns"] = t + 9000000 if state == "completed" else None
        e["retired"] = state == "completed"
        if ver >= (2, 3):
            e["timeout_ms"] = 600000
        if ver >= (2, 4):
            e["is_p2p"] = name.startswith("nccl:send") or name.startswith("nccl:recv")
        out.append(e)
    return out


def dump(v, frames=True, rank=3):
    ver = vt(v)
    ents = entries(v, frames, rank)
    if v == "bare":
        return ents
    d = {"version": v}
    pipe, members = PIPE[rank]
    if ver >= (1, 2):
        d["pg_config"] = {"0": {"name": "0", "desc": "default_pg", "ranks": "[0, 1, 2, 3]"},
                          pipe: {"name": pipe, "desc": "PIPELINE_MODEL_PARALLEL_GROUP",
                                 "ranks": str(members)}}
    if ver >= (2, 10):
        d["comm_lib_version"] = "2.27.3"
    elif ver >= (2, 6):
        d["nccl_version"] = "2.21.5"
    if ver >= (2, 2):
        d["pg_status"] = {"0": {"last_enqueued_collective": 3 if rank == 1 else 4,
                                "last_started_collective": 3, "last_completed_collective": 2},
                          "1": {"last_enqueued_collective": 0, "last_started_collective": -1,
                                "last_completed_collective": 0}}
    d["entries"] = ents
    if (1, 1) <= ver < (2, 8):
        d["nccl_comm_state"] = {"comm-1": {"version": "2.21.5"}}
    return d


def json_api(v, rank=3):
    """_dump_nccl_trace_json: nlohmann::json with std::map objects (sorted keys)."""
    d = unwrap(dump(v, frames=False, rank=rank))
    for e in d.get("entries", []):
        e["process_group"] = list(e["process_group"])
        for k in ("time_discovered_started_ns", "time_discovered_completed_ns"):
            if e[k] is None:
                e[k] = 0
    for st in d.get("pg_status", {}).values():
        for k in st:
            st[k] = str(st[k])
    if not d.get("entries"):
        d.pop("entries", None)
    return json.dumps(d, sort_keys=True, separators=(",", ":")).encode()


def python_pickle(v, protocol, lists, rank=3):
    d = unwrap(dump(v, rank=rank))
    ents = d if isinstance(d, list) else d["entries"]
    if lists:
        for e in ents:
            if "process_group" in e:
                e["process_group"] = list(e["process_group"])
    return pickle.dumps(d, protocol=protocol)


def write(path, data, root=OUT, cut=False):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)
    # every fixture must load back with Python's own pickle / json
    if path.endswith(".json"):
        json.loads(data)
    elif not cut:
        pickle.loads(data)


def main():
    for i, v in enumerate(VERSIONS):
        # the C++ pickler: frames on (stack traces) for the older versions, off for 2.8+
        # (as the real 2.9 dumps in tests/golden/ingest_nccl_fr are)
        write("%s/cpp/nccl_trace_rank_3" % v, CppPickler().dump(dump(v, frames=vt(v) < (2, 8))))
        write("%s/py/nccl_trace_rank_3" % v, python_pickle(v, 2 + i % 4, lists=i % 2 == 0))
        if vt(v) >= (2, 0):
            write("%s/json/nccl_trace_rank_3.json" % v, json_api(v))

    # Python's pickle at every protocol, same dump (FRAME, MEMOIZE, SHORT_BINUNICODE...), with
    # an extra key holding tuples of 0 to 4 items (EMPTY_TUPLE, TUPLE1, TUPLE3, MARK+TUPLE),
    # a one-item dict and list (SETITEM, APPEND) and an int needing LONG1 with 9 bytes
    extra = unwrap(dump("2.4"))
    extra["x_extra"] = {"tuples": [(), (1,), (1, 2, 3), (1, 2, 3, 4)], "one": {"k": [1]},
                        "wide": 2 ** 64, "neg": -5, "f": -0.5}
    for proto in range(2, 6):
        write("protocols/p%d/nccl_trace_rank_3" % proto, pickle.dumps(extra, protocol=proto))

    # memo ids past 255 (LONG_BINPUT / LONG_BINGET): 270 distinct thread names, then repeats
    # of the last ones
    big = dump("2.9", frames=False)
    ents = big["entries"]
    base = ents[0]
    ents.clear()
    for k in range(280):
        e = dict(base)
        e["record_id"] = 1000 + k
        e["collective_seq_id"] = 10 + k
        e["op_id"] = 10 + k
        e["thread_name"] = "w%d" % (k if k < 270 else 269 - (k - 270))
        e["time_created_ns"] = T0 + k * 1000
        ents.append(e)
    big["pg_status"]["0"]["last_enqueued_collective"] = 289
    write("memo-long/cpp/nccl_trace_rank_3", CppPickler().dump(big))

    # a dump cut by a killed process: the first 87 bytes of a 2.9 C++ dump
    whole = CppPickler().dump(dump("2.9", frames=False))
    write("cut/cpp/nccl_trace_rank_2", whole[:87], cut=True)

    # golden case: one 4-rank job, each rank's dump in another encoding, rank 3's cut
    g = os.path.normpath(os.path.join(HERE, "..", "golden", "ingest_nccl_fr",
                                      "mixed-encodings-cut-dump", "inputs"))
    write("nccl_trace_rank_0", CppPickler().dump(dump("2.10", frames=False, rank=0)), g)
    write("nccl_trace_rank_1", python_pickle("2.10", 4, lists=False, rank=1), g)
    write("nccl_trace_rank_2.json", json_api("2.10", rank=2), g)
    write("nccl_trace_rank_3", CppPickler().dump(dump("2.10", frames=False, rank=3))[:87], g, cut=True)


if __name__ == "__main__":
    main()
