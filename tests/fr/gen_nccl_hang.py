#!/usr/bin/python3
"""Write the inputs of the nccl_hang golden cases (tests/golden/nccl_hang/<case>/inputs/).

usage: /usr/bin/python3 tests/fr/gen_nccl_hang.py
       /usr/bin/python3 tests/fr/gen_nccl_hang.py --scale RANKS ENTRIES DIR   (a large job to time)

Each case is a small job: process groups, then collectives and p2p ops as each rank's
Flight Recorder saw them. Every rank's dump is written as PyTorch 2.9 writes it: in the C++
pickler's opcode style (CppPickler from gen_fixtures.py: memoized strings, SETITEMS/APPENDS,
TUPLE2, LONG1 times), or as the JSON API writes it (sorted keys, 0 for unknown discovered
times, pg_status values as strings). pg ids are each rank's own creation order of the groups
it belongs to, pg_status is derived from the entries the way ProcessGroupNCCL keeps it (the
seq of the last work enqueued / started / completed, which for p2p work is the p2p seq).
py-spy dumps and ranks are written in their real text shapes. Nothing is random: running the
script twice writes the same bytes.
"""
import json
import os
import pickle
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_fixtures import CppPickler, unwrap  # noqa: E402

GOLDEN = os.path.normpath(os.path.join(HERE, "..", "golden", "nccl_hang"))
T0 = 1764009000000000000  # 2025-11-24T18:30:00Z
SEC = 1000000000
MIN = 60 * SEC


class Job:
    """A job as its ranks' Flight Recorders saw it."""

    def __init__(self, nranks, version="2.9", timeout_ms=600000, ring=24):
        self.nranks = nranks
        self.ring = ring  # TORCH_NCCL_TRACE_BUFFER_SIZE: a dump keeps the newest entries
        self.version = version
        self.timeout_ms = timeout_ms
        self.pgs = []  # (name, desc, members)
        self.entries = {r: [] for r in range(nranks)}
        self.record_id = {r: 0 for r in range(nranks)}
        self.op_id = {}
        self.p2p_seq = {}
        self.coll_seq = {}

    def pg(self, name, desc, members):
        self.pgs.append((name, desc, list(members)))
        return name

    def members(self, name, rank=None):
        found = [m for (n, _, m) in self.pgs if n == name and (rank is None or rank in m)]
        return found[0]

    def desc(self, name):
        return [d for (n, d, _) in self.pgs if n == name][0]

    def pg_id(self, rank, name):
        """Each rank numbers the groups it belongs to in creation order."""
        mine = [n for (n, _, m) in self.pgs if rank in m]
        return mine.index(name)

    def _entry(self, rank, pg, name, t, state, ins, outs, dtype, cseq, pseq, p2p,
               started=None, completed=None, retired=None, timeout_ms=None):
        key = (rank, pg)
        self.op_id[key] = self.op_id.get(key, 0) + 1
        rid = self.record_id[rank]
        self.record_id[rank] += 1
        dt = [] if dtype is None else [dtype] * len(ins)
        odt = [] if dtype is None else [dtype] * len(outs)
        if state != "scheduled" and started is None:
            started = t + 1000000
        if state == "completed" and completed is None:
            completed = (started or t) + 5000000
        e = {
            "record_id": rid,
            "pg_id": self.pg_id(rank, pg),
            "process_group": (pg, self.desc(pg)),
            "thread_name": "pt_main_thread",
            "thread_id": str(140106313836352 + rank),
            "collective_seq_id": cseq,
            "p2p_seq_id": pseq,
            "op_id": self.op_id[key],
            "profiling_name": "nccl:" + name,
            "time_created_ns": t,
            "input_sizes": ins,
            "input_dtypes": dt,
            "output_sizes": outs,
            "output_dtypes": odt,
            "state": state,
            "time_discovered_started_ns": started if state != "scheduled" else None,
            "time_discovered_completed_ns": completed if state == "completed" else None,
            "retired": (state == "completed") if retired is None else retired,
            "timeout_ms": self.timeout_ms if timeout_ms is None else timeout_ms,
            "is_p2p": p2p,
        }
        self.entries[rank].append(e)
        return e

    def coll(self, pg, seq, name, ins, outs, dtype, t, states, **kw):
        """One collective: states maps rank -> scheduled/started/completed (absent: never
        entered). Per-rank overrides: sizes={rank: (ins, outs)}, dtypes={rank: dt},
        names={rank: op}, times={rank: t}."""
        for r in sorted(states):
            i, o = kw.get("sizes", {}).get(r, (ins, outs))
            self._entry(r, pg, kw.get("names", {}).get(r, name), kw.get("times", {}).get(r, t),
                        states[r], i, o, kw.get("dtypes", {}).get(r, dtype), seq, 0, False,
                        started=kw.get("started", {}).get(r), retired=kw.get("retired", {}).get(r))
            self.coll_seq[(r, pg)] = seq

    def coalesced(self, pg, seq, ops, t, states):
        """A coalesced group (2.7+): one entry per op, then the closing entry, one seq."""
        for r in sorted(states):
            for k, (name, ins, outs, dtype) in enumerate(ops):
                self._entry(r, pg, name, t + k * 1000, states[r], ins, outs, dtype, seq, 0,
                            False)
            self._entry(r, pg, "coalesced", t + len(ops) * 1000, states[r], [], [], None, seq,
                        0, False)
            self.coll_seq[(r, pg)] = seq

    def p2p(self, pg, rank, kind, peer, sizes, dtype, t, state):
        """A send or recv of rank (global) to/from peer (global), in pg."""
        m = sorted(self.members(pg, rank))
        me, other = m.index(rank), m.index(peer)
        key = (rank, pg)
        self.p2p_seq[key] = self.p2p_seq.get(key, 0) + 1
        name = "send %d->%d" % (me, other) if kind == "send" else "recv %d<-%d" % (me, other)
        self._entry(rank, pg, name, t, state, sizes, sizes, dtype,
                    self.coll_seq.get(key, 0), self.p2p_seq[key], True)

    def status(self, rank):
        """pg_status as ProcessGroupNCCL keeps it: the seq of the last work (p2p seq for p2p)."""
        st = {}
        for name, _, m in self.pgs:
            if rank not in m:
                continue
            s = {"last_enqueued_collective": -1, "last_started_collective": -1,
                 "last_completed_collective": -1}
            for e in self.entries[rank]:
                if e["process_group"][0] != name or rank not in m:
                    continue
                seq = e["p2p_seq_id"] if e["is_p2p"] else e["collective_seq_id"]
                s["last_enqueued_collective"] = seq
                if e["state"] in ("started", "completed"):
                    s["last_started_collective"] = seq
                if e["state"] == "completed":
                    s["last_completed_collective"] = seq
            st[str(self.pg_id(rank, name))] = s
        return st

    def dump(self, rank, entries=None):
        d = {"version": self.version}
        d["pg_config"] = {n: {"name": n, "desc": desc, "ranks": str(m)}
                          for (n, desc, m) in self.pgs if rank in m}
        d["nccl_version"] = "2.27.3"
        d["pg_status"] = self.status(rank)
        es = self.entries[rank] if entries is None else entries
        d["entries"] = es[-self.ring:] if self.ring else es
        return d


def cpp(d):
    return CppPickler().dump(d)


def json_api(d):
    """_dump_nccl_trace_json: nlohmann::json over std::map (sorted keys), compact."""
    d = unwrap(d)
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


class Case:
    def __init__(self, name, readme):
        self.dir = os.path.join(GOLDEN, name)
        self.inputs = os.path.join(self.dir, "inputs")
        if os.path.isdir(self.inputs):
            shutil.rmtree(self.inputs)
        os.makedirs(self.inputs)
        with open(os.path.join(self.dir, "README"), "w") as f:
            f.write(readme.strip() + "\n")
        with open(os.path.join(self.dir, "args"), "w") as f:
            f.write("--detectors\nnccl_hang\n")

    def write(self, path, data):
        full = os.path.join(self.inputs, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())

    def dumps(self, job, encoding="cpp", node_of=None, name="nccl_trace_rank_%d", skip=(),
              cut=None, order=None):
        for r in range(job.nranks):
            if r in skip:
                continue
            d = job.dump(r)
            if order:
                d["entries"] = order(r, d["entries"])
            data = cpp(d) if encoding == "cpp" else json_api(d)
            if encoding == "cpp":
                pickle.loads(data)
            else:
                json.loads(data)
            if cut and r in cut:
                data = data[:cut[r]]
            fname = name % r + (".json" if encoding == "json" else "")
            self.write(os.path.join(node_of(r), fname) if node_of else fname, data)


def pyspy(pid, threads, cmd="/usr/bin/python3 -u train.py --config llama-8b.yaml"):
    """py-spy dump text: header, then per thread its status, name and frames (innermost
    first)."""
    out = ["Process %d: %s" % (pid, cmd), "Python v3.10.12 (/usr/bin/python3.10)", ""]
    for tid, status, name, frames in threads:
        out.append('Thread %d (%s): "%s"' % (tid, status, name))
        out += ["    " + f for f in frames]
    return "\n".join(out) + "\n"


DATALOADER = ["wait (threading.py:324)", "get (queue.py:180)",
              "_try_get_data (torch/utils/data/dataloader.py:1133)",
              "_get_data (torch/utils/data/dataloader.py:1294)",
              "_next_data (torch/utils/data/dataloader.py:1332)",
              "__next__ (torch/utils/data/dataloader.py:631)",
              "train_step (train.py:212)", "<module> (train.py:400)"]
ALLREDUCE = ["all_reduce (torch/distributed/distributed_c10d.py:2501)",
             "wrapper (torch/distributed/c10d_logger.py:83)",
             "train_step (train.py:230)", "<module> (train.py:400)"]
CHECKPOINT = ["_save (torch/serialization.py:882)", "save (torch/serialization.py:629)",
              "save_checkpoint (train.py:301)", "train_step (train.py:240)",
              "<module> (train.py:400)"]

AR = ("all_reduce", [[1048576]], [[1048576]], "BFloat16")


def healthy_prefix(job, pg, upto, members, t0=T0, step=SEC):
    """Collectives 1..upto on pg completed by every member."""
    name, ins, outs, dt = AR
    for seq in range(1, upto + 1):
        job.coll(pg, seq, name, ins, outs, dt, t0 + seq * step,
                 {r: "completed" for r in members})


def case_healthy():
    c = Case("healthy", "Four ranks that completed every collective and p2p op: no verdict.")
    j = Job(4)
    j.pg("0", "default_pg", range(4))
    j.pg("1", "PIPELINE_MODEL_PARALLEL_GROUP", [0, 2])
    healthy_prefix(j, "0", 6, range(4))
    j.p2p("1", 0, "send", 2, [[4096, 1, 5120]], "BFloat16", T0 + 7 * SEC, "completed")
    j.p2p("1", 2, "recv", 0, [[4096, 1, 5120]], "BFloat16", T0 + 7 * SEC + 10000, "completed")
    c.dumps(j)


def one_missing_job():
    j = Job(8)
    j.pg("0", "default_pg", range(8))
    j.pg("1", "HEARTBEAT_GROUP", range(8))
    healthy_prefix(j, "0", 1530, range(8), step=SEC // 2)
    name, ins, outs, dt = AR
    t = T0 + 1531 * SEC // 2
    j.coll("0", 1531, name, ins, outs, dt, t, {r: "started" for r in range(8) if r != 5})
    # a monitoring thread's heartbeat group (rank 5 included: its main thread waits on the
    # DataLoader queue without the GIL) goes on for 14 minutes: the recorders still note time
    for k in range(1, 15):
        j.coll("1", k, "all_reduce", [[1]], [[1]], "Long", t + k * MIN,
               {r: "completed" for r in range(8)})
    return j


def case_one_missing():
    c = Case("one-missing-rank",
             "Rank 5 never entered all_reduce #1531 on the default pg while the other 7 ranks "
             "waited 14 minutes (a heartbeat group kept recording time): rank 5 is named, with "
             "its py-spy stack showing it stuck in the DataLoader.")
    j = one_missing_job()
    c.dumps(j)
    c.write("pyspy-rank5.txt", pyspy(40505, [
        (40505, "idle", "MainThread", DATALOADER),
        (40611, "idle", "pt_autograd_0", ["wait (threading.py:324)"])]))
    c.write("pyspy-rank2.txt", pyspy(40502, [(40502, "idle", "MainThread", ALLREDUCE)]))


def case_out_of_order():
    c = Case("out-of-order-records",
             "The same job as one-missing-rank with every dump's entries in reverse and "
             "shuffled order: the same verdict (records are ordered by seq, never by position).")
    j = one_missing_job()

    def shuffle(r, es):
        es = list(reversed(es))
        return es[1::2] + es[0::2]
    c.dumps(j, order=shuffle)
    c.write("pyspy-rank5.txt", pyspy(40505, [
        (40505, "idle", "MainThread", DATALOADER),
        (40611, "idle", "pt_autograd_0", ["wait (threading.py:324)"])]))
    c.write("pyspy-rank2.txt", pyspy(40502, [(40502, "idle", "MainThread", ALLREDUCE)]))


def case_several_missing():
    c = Case("several-missing-nodes",
             "Ranks 3 and 6, on nodes gpu-node-01 and gpu-node-02 (bundle directories), never "
             "entered reduce_scatter #88: both are named with their nodes, in one verdict.")
    j = Job(8)
    j.pg("0", "default_pg", range(8))
    healthy_prefix(j, "0", 87, range(8))
    j.coll("0", 88, "reduce_scatter", [[8192]], [[1024]], "Float", T0 + 88 * SEC,
           {r: "started" for r in range(8) if r not in (3, 6)})
    c.dumps(j, node_of=lambda r: "gpu-node-%02d" % (r // 4 + 1), encoding="json")


def straggler_job(late):
    j = Job(4, timeout_ms=600000)
    j.pg("0", "default_pg", range(4))
    j.pg("1", "HEARTBEAT_GROUP", range(4))
    healthy_prefix(j, "0", 40, range(4))
    t = T0 + 41 * SEC
    j.coll("0", 41, "all_gather", [[2048]], [[8192]], "BFloat16", t,
           {0: "completed", 1: "completed", 2: "completed", 3: "started"})
    for k in range(1, late // MIN + 1):
        j.coll("1", k, "all_reduce", [[1]], [[1]], "Long", t + k * MIN,
               {r: "completed" for r in range(4)})
    if late % MIN:
        j.coll("1", late // MIN + 1, "all_reduce", [[1]], [[1]], "Long", t + late,
               {r: "completed" for r in range(4)})
    return j


def case_straggler():
    c = Case("straggler-past-threshold",
             "Ranks 0-2 completed all_gather #41 and rank 3 still held it 12 minutes later, "
             "past the entry's 10-minute timeout_ms: rank 3 is a straggler.")
    c.dumps(straggler_job(12 * MIN))
    c = Case("straggler-under-threshold",
             "The same straggle lasting 20 seconds, well under the 10-minute timeout_ms: no "
             "verdict (a slow rank is not a hang).")
    c.dumps(straggler_job(20 * SEC))


def case_stuck():
    c = Case("stuck-in-collective",
             "All 4 ranks started all_reduce #300 and none completed it in 11 minutes (timeout "
             "10 minutes): stuck in the network or NCCL, no rank named.")
    j = Job(4)
    j.pg("0", "default_pg", range(4))
    j.pg("1", "HEARTBEAT_GROUP", range(4))
    healthy_prefix(j, "0", 299, range(4))
    t = T0 + 300 * SEC
    j.coll("0", 300, *AR, t, {r: "started" for r in range(4)})
    for k in range(1, 12):
        j.coll("1", k, "all_reduce", [[1]], [[1]], "Long", t + k * MIN,
               {r: "completed" for r in range(4)})
    c.dumps(j)
    c = Case("stuck-pyspy-names-rank",
             "All 4 ranks started all_reduce #300 and none completed it in 11 minutes, but "
             "py-spy shows rank 2's main thread saving a checkpoint, not in the collective: "
             "rank 2 is named.")
    c.dumps(j, encoding="json")
    for r in range(4):
        frames = CHECKPOINT if r == 2 else ALLREDUCE
        c.write("pyspy-rank%d.txt" % r,
                pyspy(50500 + r, [(50500 + r, "active+gil" if r == 2 else "idle", "MainThread",
                                   frames)]))


def mismatch_job(kind):
    j = Job(4)
    j.pg("0", "default_pg", range(4))
    healthy_prefix(j, "0", 9, range(4))
    t = T0 + 10 * SEC
    states = {r: "started" for r in range(4)}
    if kind == "op":
        j.coll("0", 10, *AR, t, states, names={1: "all_gather"},
               sizes={1: ([[1048576]], [[4194304]])})
    elif kind == "size":
        j.coll("0", 10, *AR, t, states, sizes={2: ([[1048576, 2]], [[1048576, 2]])})
    else:
        j.coll("0", 10, "all_reduce", [[1048576]], [[1048576]], "Float", t, states,
               dtypes={3: "Half"})
    return j


def case_mismatch():
    c = Case("op-mismatch",
             "Rank 1 called all_gather where ranks 0, 2, 3 called all_reduce #10: an op "
             "mismatch (a program bug) naming rank 1 alone, by majority.")
    c.dumps(mismatch_job("op"))
    c = Case("size-mismatch",
             "Rank 2 passed [[1048576, 2]] to all_reduce #10 where the other 3 ranks passed "
             "[[1048576]]: a size mismatch naming rank 2.")
    c.dumps(mismatch_job("size"), encoding="json")
    c = Case("dtype-mismatch",
             "Rank 3 passed Half tensors to all_reduce #10 where the other 3 ranks passed "
             "Float: a dtype mismatch naming rank 3.")
    c.dumps(mismatch_job("dtype"))


def case_load_order():
    j = mismatch_job("op")
    for name, first in (("load-order-odd-first", True), ("load-order-odd-last", False)):
        c = Case(name,
                 "The op-mismatch job with the odd rank's file named to be read %s "
                 "(%s): the same verdict, rank 1 alone named (PyTorch's analyzer blames "
                 "whoever differs from the first file it loads)."
                 % ("first" if first else "last", "aa_rank_1" if first else "zz_rank_1"))
        for r in range(4):
            d = cpp(j.dump(r))
            odd = r == 1
            prefix = ("aa" if odd == first else "zz") if odd else "mm"
            c.write("%s_rank_%d" % (prefix, r), d)


def case_p2p():
    c = Case("p2p-hang",
             "Pipeline stage 0 (rank 0) sent activations to rank 1 (p2p #37), and rank 1 never "
             "posted the matching recv: its py-spy stack shows it in the DataLoader. p2p ops "
             "are paired per peer, not by p2p_seq_id.")
    j = Job(2)
    j.pg("0", "default_pg", [0, 1])
    j.pg("1", "PIPELINE_MODEL_PARALLEL_GROUP", [0, 1])
    healthy_prefix(j, "0", 5, [0, 1])
    t = T0 + 10 * SEC
    sz = [[4096, 1, 5120]]
    for k in range(36):
        j.p2p("1", 0, "send", 1, sz, "BFloat16", t + k * SEC, "completed")
        j.p2p("1", 1, "recv", 0, sz, "BFloat16", t + k * SEC + 1000, "completed")
    j.p2p("1", 0, "send", 1, sz, "BFloat16", t + 36 * SEC, "started")
    c.dumps(j)
    c.write("pyspy-rank1.txt", pyspy(60601, [(60601, "idle", "MainThread", DATALOADER)]))


def case_p2p_stuck():
    c = Case("p2p-stuck",
             "Pipeline stages 0 and 1 both started their halves of the next exchange (rank 0's "
             "send p2p #37, rank 1's matching recv) and neither completed it in 11 minutes "
             "(timeout 10 minutes), while a heartbeat group kept completing: stuck in the "
             "network or NCCL, no rank named. Each dump lost its older ops to the ring buffer, "
             "so the halves are paired by their pending tails.")
    j = Job(2)
    j.pg("0", "default_pg", [0, 1])
    j.pg("1", "PIPELINE_MODEL_PARALLEL_GROUP", [0, 1])
    j.pg("2", "HEARTBEAT_GROUP", [0, 1])
    healthy_prefix(j, "0", 5, [0, 1])
    t = T0 + 10 * SEC
    sz = [[4096, 1, 5120]]
    for k in range(36):
        j.p2p("1", 0, "send", 1, sz, "BFloat16", t + k * SEC, "completed")
        j.p2p("1", 1, "recv", 0, sz, "BFloat16", t + k * SEC + 1000, "completed")
    t = t + 36 * SEC
    j.p2p("1", 0, "send", 1, sz, "BFloat16", t, "started")
    j.p2p("1", 1, "recv", 0, sz, "BFloat16", t + 1000, "started")
    for k in range(1, 12):
        j.coll("2", k, "all_reduce", [[1]], [[1]], "Long", t + k * MIN,
               {r: "completed" for r in range(2)})
    c.dumps(j)


def case_p2p_straggler():
    c = Case("p2p-straggler",
             "Rank 0 completed its send p2p #4 to rank 1 and rank 1 still held the matching "
             "recv 12 minutes later, past the entry's 10-minute timeout_ms: rank 1 is a "
             "straggler, not rank 0 a missing sender. Both dumps hold every p2p op of the "
             "pg (p2p seqs from 1), so the halves are paired from the first.")
    j = Job(2)
    j.pg("0", "default_pg", [0, 1])
    j.pg("1", "PIPELINE_MODEL_PARALLEL_GROUP", [0, 1])
    j.pg("2", "HEARTBEAT_GROUP", [0, 1])
    healthy_prefix(j, "0", 3, [0, 1])
    t = T0 + 10 * SEC
    sz = [[4096, 1, 5120]]
    for k in range(3):
        j.p2p("1", 0, "send", 1, sz, "BFloat16", t + k * SEC, "completed")
        j.p2p("1", 1, "recv", 0, sz, "BFloat16", t + k * SEC + 1000, "completed")
    t = t + 3 * SEC
    j.p2p("1", 0, "send", 1, sz, "BFloat16", t, "completed")
    j.p2p("1", 1, "recv", 0, sz, "BFloat16", t + 1000, "started")
    for k in range(1, 13):
        j.coll("2", k, "all_reduce", [[1]], [[1]], "Long", t + k * MIN,
               {r: "completed" for r in range(2)})
    c.dumps(j)


def case_coalesced():
    c = Case("coalesced-group",
             "A coalesced group (two all_gather ops and their closing entry, one seq) counts "
             "as one collective: ranks 0, 1, 3 entered group #7, rank 2 never did and is named "
             "once, not once per entry.")
    j = Job(4)
    j.pg("0", "default_pg", range(4))
    healthy_prefix(j, "0", 5, range(4))
    ops = [("all_gather", [[8]], [[32]], "Float"), ("all_gather", [[16]], [[64]], "Float")]
    j.coalesced("0", 6, ops, T0 + 6 * SEC, {r: "completed" for r in range(4)})
    j.coalesced("0", 7, ops, T0 + 7 * SEC, {0: "started", 1: "started", 3: "started"})
    c.dumps(j, encoding="json")


def case_nested():
    c = Case("nested-pg-attribution",
             "Rank 5 hangs in Python (GIL held); tensor-parallel pg 2 [4-7] waits for it at "
             "all_reduce #51. Data-parallel pgs [0,4], [2,6], [3,7] then miss ranks 4, 6, 7, "
             "which only wait in pg 2: one root verdict naming rank 5, one blocked verdict "
             "caused_by it (and rank 5's own data-parallel pg [1,5] joins the root).")
    j = Job(8)
    j.pg("0", "default_pg", range(8))
    j.pg("1", "TENSOR_MODEL_PARALLEL_GROUP", range(4))
    j.pg("2", "TENSOR_MODEL_PARALLEL_GROUP", range(4, 8))
    for k in range(4):
        j.pg(str(3 + k), "DATA_PARALLEL_GROUP", [k, k + 4])
    healthy_prefix(j, "0", 3, range(8))
    t = T0 + 10 * SEC
    for step in range(1, 51):
        tt = t + step * SEC
        j.coll("1", step, *AR, tt, {r: "completed" for r in range(4)})
        j.coll("2", step, *AR, tt, {r: "completed" for r in range(4, 8)})
        for k in range(4):
            j.coll(str(3 + k), step, "all_reduce", [[65536]], [[65536]], "Float", tt + 100000,
                   {k: "completed", k + 4: "completed"})
    tt = t + 51 * SEC
    j.coll("1", 51, *AR, tt, {r: "completed" for r in range(4)})
    j.coll("2", 51, *AR, tt, {4: "started", 6: "started", 7: "started"})
    for k in range(4):
        j.coll(str(3 + k), 51, "all_reduce", [[65536]], [[65536]], "Float", tt + 100000,
               {k: "started"})
    c.dumps(j)
    c.write("pyspy-rank5.txt", pyspy(70705, [(70705, "active+gil", "MainThread", [
        "_compute_loss_scale (train.py:188)", "train_step (train.py:226)",
        "<module> (train.py:400)"])]))


def case_supersede():
    c = Case("later-completed-supersedes",
             "Rank 1 was dumped twice: an early pickle where all_reduce #20 is still started, "
             "and a later JSON dump where it completed 15 minutes after the early one. The "
             "later completed record supersedes the started one: healthy, no verdict (without "
             "it, rank 1 would be a straggler).")
    j = Job(4)
    j.pg("0", "default_pg", range(4))
    j.pg("1", "HEARTBEAT_GROUP", range(4))
    healthy_prefix(j, "0", 19, range(4))
    t = T0 + 20 * SEC
    j.coll("0", 20, *AR, t, {0: "completed", 1: "started", 2: "completed", 3: "completed"})
    early = [dict(e) for e in j.entries[1]]
    early_status = j.status(1)
    # rank 1 completes it; the job goes on for 15 minutes
    for e in j.entries[1]:
        if e["collective_seq_id"] == 20 and e["process_group"][0] == "0":
            e["state"] = "completed"
            e["time_discovered_completed_ns"] = t + 15 * MIN
            e["retired"] = True
    for k in range(1, 16):
        j.coll("1", k, "all_reduce", [[1]], [[1]], "Long", t + k * MIN,
               {r: "completed" for r in range(4)})
    for r in range(4):
        c.write("nccl_trace_rank_%d" % r + (".json" if r == 1 else ""),
                json_api(j.dump(r)) if r == 1 else cpp(j.dump(r)))
    d = j.dump(1, entries=early)
    d["pg_status"] = early_status
    c.write("nccl_trace_rank_1.pkl", cpp(d))


def case_solo():
    c = Case("solo-rank",
             "Two ranks whose sub-group \"1\" holds a different single rank on each (same "
             "name, different members: two groups), plus a healthy default pg: solo groups "
             "are never judged, no verdict.")
    j = Job(2)
    j.pg("0", "default_pg", [0, 1])
    j.pg("1", "sub_pg", [0])
    j.pg("1", "sub_pg", [1])
    healthy_prefix(j, "0", 3, [0, 1])
    j.coll("1", 1, "all_reduce", [[5, 5]], [[5, 5]], "Float", T0 + 5 * SEC, {0: "started"})
    j.coll("1", 1, "all_reduce", [[5, 5]], [[5, 5]], "Float", T0 + 5 * SEC, {1: "completed"})
    c.dumps(j)


def dump_job():
    j = Job(4)
    j.pg("0", "default_pg", range(4))
    healthy_prefix(j, "0", 63, range(4))
    j.coll("0", 64, *AR, T0 + 64 * SEC, {r: "started" for r in range(3)})
    # rank 3's own view (what its dump would have said, had it been written): it never got
    # to #64
    return j


def case_dumps():
    c = Case("missing-dump",
             "Ranks 0-2 wait in all_reduce #64 and rank 3 left no dump at all: rank 3 is named "
             "as the likely culprit, with lower confidence.")
    c.dumps(dump_job(), skip=(3,))
    c = Case("truncated-dump",
             "Ranks 0-2 wait in all_reduce #64 and rank 3's dump was cut at 87 bytes (a "
             "process killed mid-write): rank 3 is named as the likely culprit, its dump "
             "unreadable.")
    c.dumps(dump_job(), cut={3: 87})


def case_encodings():
    j = Job(4)
    j.pg("0", "default_pg", range(4))
    j.pg("1", "PIPELINE_MODEL_PARALLEL_GROUP", [1, 3])
    healthy_prefix(j, "0", 11, range(4))
    j.coll("0", 12, "broadcast", [[16]], [[16]], "Int", T0 + 12 * SEC,
           {0: "started", 1: "started", 3: "started"})
    j.p2p("1", 3, "send", 1, [[8, 1024]], "BFloat16", T0 + 13 * SEC, "started")
    for enc, name in (("cpp", "encoding-pickle"), ("json", "encoding-json")):
        c = Case(name,
                 "A 4-rank hang (rank 2 missing from broadcast #12, rank 1 blocked behind it "
                 "and so missing a p2p recv) dumped as %s: the same verdicts, uids included, "
                 "as encoding-%s." % ("C++ pickles" if enc == "cpp" else "JSON API dumps",
                                     "json" if enc == "cpp" else "pickle"))
        c.dumps(j, encoding=enc)


def scale(nranks, nentries, outdir):
    """A large job for timing (not committed): nranks ranks in tensor-parallel groups of 8 and
    data-parallel groups across them, nentries entries per rank (each rank's ring buffer), in
    the C++ opcode style. The last data-parallel all_reduce never started on rank nranks // 3:
    one missing-rank verdict, and the data-parallel groups blocked behind it."""
    os.makedirs(outdir, exist_ok=True)
    tp = 8
    culprit = nranks // 3
    ndp = nranks // tp
    pg_names = ["0"] + ["tp%d" % g for g in range(ndp)] + ["dp%d" % k for k in range(tp)]
    # a step: 3 TP collectives then 1 DP all_reduce
    steps = nentries // 4
    for r in range(nranks):
        g, k = r // tp, r % tp
        tpn, dpn = "tp%d" % g, "dp%d" % k
        tpm = list(range(g * tp, g * tp + tp))
        dpm = list(range(k, nranks, tp))
        ids = {n: i for i, n in enumerate(x for x in pg_names if x in ("0", tpn, dpn))}
        entries, st = [], {}
        seqs = {tpn: 0, dpn: 0}
        rid = 0
        t = T0
        for s in range(steps):
            ops = [(tpn, "_all_gather_base", [[4096, 5120]], [[4096 * tp, 5120]]),
                   (tpn, "_reduce_scatter_base", [[4096 * tp, 5120]], [[4096, 5120]]),
                   (tpn, "all_reduce", [[16]], [[16]]),
                   (dpn, "all_reduce", [[1048576]], [[1048576]])]
            for pg, name, ins, outs in ops:
                last = s == steps - 1
                if last and pg == dpn and r == culprit:
                    continue
                seqs[pg] += 1
                t += 1000000
                state = "started" if last and pg == dpn else "completed"
                e = {"record_id": rid, "pg_id": ids[pg],
                     "process_group": (pg, "TENSOR_MODEL_PARALLEL_GROUP" if pg == tpn
                                       else "DATA_PARALLEL_GROUP"),
                     "thread_name": "pt_main_thread", "thread_id": str(140106313836352 + r),
                     "collective_seq_id": seqs[pg], "p2p_seq_id": 0, "op_id": seqs[pg],
                     "profiling_name": "nccl:" + name, "time_created_ns": t,
                     "input_sizes": ins, "input_dtypes": ["BFloat16"],
                     "output_sizes": outs, "output_dtypes": ["BFloat16"], "state": state,
                     "time_discovered_started_ns": t + 1000,
                     "time_discovered_completed_ns": t + 500000 if state == "completed" else None,
                     "retired": state == "completed", "timeout_ms": 600000, "is_p2p": False}
                rid += 1
                entries.append(e)
                s_ = st.setdefault(pg, [-1, -1, -1])
                s_[0] = s_[1] = seqs[pg]
                if state == "completed":
                    s_[2] = seqs[pg]
        d = {"version": "2.9",
             "pg_config": {"0": {"name": "0", "desc": "default_pg",
                                 "ranks": str(list(range(nranks)))},
                           tpn: {"name": tpn, "desc": "TENSOR_MODEL_PARALLEL_GROUP",
                                 "ranks": str(tpm)},
                           dpn: {"name": dpn, "desc": "DATA_PARALLEL_GROUP", "ranks": str(dpm)}},
             "nccl_version": "2.27.3",
             "pg_status": {str(ids[n]): {"last_enqueued_collective": v[0],
                                         "last_started_collective": v[1],
                                         "last_completed_collective": v[2]}
                           for n, v in sorted(st.items(), key=lambda x: ids[x[0]])},
             "entries": entries}
        with open(os.path.join(outdir, "nccl_trace_rank_%d" % r), "wb") as f:
            f.write(cpp(d))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--scale":
        scale(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    case_healthy()
    case_one_missing()
    case_out_of_order()
    case_several_missing()
    case_straggler()
    case_stuck()
    case_mismatch()
    case_load_order()
    case_p2p()
    case_p2p_stuck()
    case_p2p_straggler()
    case_coalesced()
    case_nested()
    case_supersede()
    case_solo()
    case_dumps()
    case_encodings()


if __name__ == "__main__":
    main()
