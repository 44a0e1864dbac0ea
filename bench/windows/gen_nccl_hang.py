#!/usr/bin/python3
"""Write bench/windows/nccl_hang.jsonl: the 1,024-event window fl_bench runs nccl_hang over.

usage: /usr/bin/python3 bench/windows/gen_nccl_hang.py > bench/windows/nccl_hang.jsonl

A 16-rank job as faultline.events/v1 lines: one nccl_fr_dump per rank (pg_config with
pg_status), then each rank's Flight Recorder records: 30 default-pg collectives and 33 of its
tensor-parallel group (4 groups of 4), and one py-spy stack. Rank 11 never entered default-pg
all_reduce #30 while the other 15 wait in it, and its py-spy stack is in the DataLoader: one
nccl_hang.missing verdict. Sizes and times come from a fixed-seed random generator, so the
file is the same on every run.
"""
import json
import random
import time

RANKS = 16
T0 = 1764009000000000000
rng = random.Random(20251125)


def ts(ns):
    s, frac = divmod(ns, 1000000000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
    return base + ("." + ("%09d" % frac).rstrip("0") if frac else "") + "Z"


def tp_of(r):
    return str(1 + r // 4)


def line(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False)


SIZES = [rng.choice([1048576, 2097152, 4194304]) for _ in range(31)]  # one per seq
out = []
# the culprit's and a victim's last default-pg seq: 29 and 30
last = {r: (29 if r == 11 else 30) for r in range(RANKS)}
for r in range(RANKS):
    tp = tp_of(r)
    pgs = [{"name": "0", "desc": "default_pg", "ranks": str(list(range(RANKS))), "size": RANKS,
            "id": 0, "last_enqueued": last[r], "last_started": last[r], "last_completed": 29},
           {"name": tp, "desc": "TENSOR_MODEL_PARALLEL_GROUP",
            "ranks": str(list(range(4 * (r // 4), 4 * (r // 4) + 4))), "size": 4, "id": 1,
            "last_enqueued": 33, "last_started": 33, "last_completed": 33}]
    out.append(line({"kind": "nccl_fr_dump", "ts": ts(T0 + 40 * 1000000000),
                     "node": "gpu-node-%02d" % (r // 8), "nccl_fr_dump": {"rank": r, "status": "ok", "format": "pickle",
                                      "version": "2.9", "entries": last[r] + 33, "pgs": pgs}}))
records = []
for r in range(RANKS):
    rid = 0
    for seq in range(1, last[r] + 1):
        t = T0 + seq * 1000000000 + rng.randrange(1000000)
        n = SIZES[seq]
        state = "completed" if seq < 30 else "started"
        rec = {"rank": r, "pg": "0", "pg_desc": "default_pg", "state": state,
               "collective_seq": seq, "p2p_seq": 0, "op_id": seq, "record_id": rid,
               "op": "nccl:all_reduce", "is_p2p": False, "timeout_ms": 600000, "pg_id": 0,
               "input_sizes": "[[%d]]" % n, "input_dtypes": "BFloat16",
               "output_sizes": "[[%d]]" % n, "output_dtypes": "BFloat16",
               "started_at": ts(t + 1000)}
        if state == "completed":
            rec["completed_at"] = ts(t + 2000000)
            rec["retired"] = True
        rid += 1
        records.append((t, line({"kind": "nccl_fr_record", "ts": ts(t),
                                 "node": "gpu-node-%02d" % (r // 8), "nccl_fr_record": rec})))
    for seq in range(1, 34):
        t = T0 + seq * 1000000000 + 500000000 + rng.randrange(1000000)
        rec = {"rank": r, "pg": tp_of(r), "pg_desc": "TENSOR_MODEL_PARALLEL_GROUP",
               "state": "completed", "collective_seq": seq, "p2p_seq": 0, "op_id": seq,
               "record_id": rid, "op": "nccl:_all_gather_base", "is_p2p": False,
               "timeout_ms": 600000, "pg_id": 1, "input_sizes": "[[4096, 5120]]",
               "input_dtypes": "BFloat16", "output_sizes": "[[16384, 5120]]",
               "output_dtypes": "BFloat16", "retired": True, "started_at": ts(t + 1000),
               "completed_at": ts(t + 3000000)}
        rid += 1
        records.append((t, line({"kind": "nccl_fr_record", "ts": ts(t),
                                 "node": "gpu-node-%02d" % (r // 8), "nccl_fr_record": rec})))
records.sort(key=lambda x: x[0])
out += [l for _, l in records]
out.append(line({"kind": "pyspy_stack", "ts": None, "node": "gpu-node-01", "pyspy_stack": {
    "rank": 11, "pid": 41011, "thread_id": 41011, "thread_name": "MainThread", "active": False,
    "frames": "_try_get_data (torch/utils/data/dataloader.py:1133)\n"
              "__next__ (torch/utils/data/dataloader.py:631)\ntrain_step (train.py:212)"}}))
assert len(out) == 1024, len(out)
print("\n".join(out))
