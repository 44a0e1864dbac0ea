/* event.h - the normalized event model.
 *
 * Contract: an event is a fixed-size tagged union. Its strings are views into the input
 * buffer it was parsed from (which lives as long as the engine) or into the window arena
 * when the input had to be decoded; events never own memory. Node, GPU PCI address, GPU
 * UUID, pod and process-group names are interned ids (0 = unknown) in the engine's intern
 * table, so detectors compare integers. Every event has ts + clock, node, source (input
 * index and line or byte offset) and a uid (stable 64-bit hash of kind, node, time and
 * the record's bytes, or the uid a JSONL input carried).
 */
#ifndef FAULTLINE_EVENT_H
#define FAULTLINE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/str.h"
#include "faultline/time.h"

/* X(enum suffix, name used in JSON) */
#define FL_EVENT_KIND_MAP(X)                                                                       \
    X(LOG, "log")                                                                                  \
    X(XID, "xid")                                                                                  \
    X(SXID, "sxid")                                                                                \
    X(PCIE_AER, "pcie_aer")                                                                        \
    X(ECC, "ecc")                                                                                  \
    X(THROTTLE, "throttle")                                                                        \
    X(GPU_SAMPLE, "gpu_sample")                                                                    \
    X(POD_EVENT, "pod_event")                                                                      \
    X(NODE_CONDITION, "node_condition")                                                            \
    X(NCCL_FR_RECORD, "nccl_fr_record")                                                            \
    X(PYSPY_STACK, "pyspy_stack")                                                                  \
    X(NCCL_FR_DUMP, "nccl_fr_dump")

enum fl_event_kind {
#define FL_EK_ENUM_(e, n) FL_EV_##e,
    FL_EVENT_KIND_MAP(FL_EK_ENUM_)
#undef FL_EK_ENUM_
        FL_EV__COUNT
};
#define FL_EV_BIT(k) (1u << (k))

const char *fl_event_kind_name(enum fl_event_kind k);
/* -1 when unknown. */
int fl_event_kind_from_name(struct fl_str name);

/* Where a record came from: input index (into the engine's inputs) and 1-based line, or
 * line 0 and a byte offset for binary inputs. */
struct fl_source {
    uint32_t input;
    uint32_t line;
    uint64_t offset;
};

/* A GPU as seen by one record. pci is the interned normalized address "dddd:bb:dd.f". */
struct fl_gpu_ref {
    uint32_t pci;
    uint32_t uuid;  /* interned "GPU-xxxxxxxx-..." */
    int32_t index;  /* nvidia-smi / DCGM index, -1 unknown */
};

/* ---- payloads ---------------------------------------------------------------------- */

struct fl_ev_log {
    struct fl_str text;
    uint8_t level; /* syslog priority 0-7, 255 unknown */
};

struct fl_ev_xid {
    uint32_t code;
    int64_t pid; /* -1 when '<unknown>' or absent */
    struct fl_str process; /* empty when absent */
    struct fl_str text;    /* message after the code/pid/name fields */
};

struct fl_ev_sxid {
    uint32_t code;
    int32_t switch_index; /* N of nvidia-nvswitchN, -1 unknown */
    bool fatal;
    int32_t link; /* -1 unknown */
    struct fl_str text;
};

enum fl_aer_severity {
    FL_AER_CORRECTED = 0,
    FL_AER_NONFATAL = 1,
    FL_AER_FATAL = 2,
    FL_AER_SEVERITY_UNKNOWN = 3,
};
enum fl_aer_type {
    FL_AER_TYPE_UNKNOWN = 0,
    FL_AER_PHYSICAL = 1,
    FL_AER_DATA_LINK = 2,
    FL_AER_TRANSACTION = 3,
};
struct fl_ev_pcie_aer {
    uint8_t severity; /* enum fl_aer_severity */
    uint8_t type;     /* enum fl_aer_type */
    bool multiple;
    uint16_t vendor_id, device_id;
    uint32_t status, mask;
    uint32_t first_bit; /* bit number marked (First), 32 = none */
    struct fl_str agent; /* "Receiver ID", "Requester ID", ... */
};

enum fl_ecc_kind {
    FL_ECC_SBE = 0,          /* single-bit / correctable */
    FL_ECC_DBE = 1,          /* double-bit / uncorrectable */
    FL_ECC_REMAP_PENDING = 2,
    FL_ECC_REMAP_FAILURE = 3,
    FL_ECC_CONTAINED = 4,
    FL_ECC_UNCONTAINED = 5,
    FL_ECC_RETIRED_PAGE = 6,
    FL_ECC_REMAPPED_CORRECTABLE = 7,   /* rows remapped for correctable errors (counter) */
    FL_ECC_REMAPPED_UNCORRECTABLE = 8, /* rows remapped for uncorrectable errors (counter) */
    FL_ECC_RETIRE_PENDING = 9,         /* pages pending retirement (pre-Ampere page retirement) */
};
struct fl_ev_ecc {
    uint8_t ecc_kind;  /* enum fl_ecc_kind */
    bool aggregate;    /* lifetime counter (true) or volatile since reset (false) */
    int64_t count;     /* counter value, or 1 for a one-off log line */
    struct fl_str text;
};

struct fl_ev_throttle {
    uint64_t reasons; /* clocks-event reasons bitmask (NVML values) */
};

enum fl_gpu_metric {
    FL_METRIC_TEMP_GPU = 0,
    FL_METRIC_TEMP_MEMORY,
    FL_METRIC_POWER_W,
    FL_METRIC_SM_CLOCK_MHZ,
    FL_METRIC_PCIE_REPLAY,
    FL_METRIC_NVLINK_ERRORS,
    FL_METRIC_XID_LAST,
    FL_METRIC_UTIL,
    FL_METRIC_OTHER,
};
struct fl_ev_gpu_sample {
    uint8_t metric; /* enum fl_gpu_metric */
    double value;
    struct fl_str name; /* source metric name */
};

enum fl_pod_reason {
    FL_POD_OTHER = 0,
    FL_POD_EVICTED,
    FL_POD_KILLING,
    FL_POD_PREEMPTED,
    FL_POD_OOMKILLED,
    FL_POD_FAILED,
    FL_POD_BACKOFF,
    FL_POD_ADMISSION_ERROR,
    FL_POD_FAILED_SCHEDULING,
    FL_POD_NODE_NOT_READY,
    FL_POD_TAINT_EVICTION,
};
/* Which optional numbers of a pod_event are set (bits of fl_ev_pod_event.known). */
enum {
    FL_POD_HAS_EXIT_CODE = 1u << 0,
    FL_POD_HAS_GPUS = 1u << 1,
    FL_POD_HAS_THRESHOLD = 1u << 2,
    FL_POD_HAS_AVAILABLE = 1u << 3,
    FL_POD_HAS_USAGE = 1u << 4,
    FL_POD_HAS_REQUEST = 1u << 5,
};
struct fl_ev_pod_event {
    uint8_t reason_code; /* enum fl_pod_reason */
    uint8_t known;       /* FL_POD_HAS_* bits: which numbers below are set */
    uint32_t pod;        /* interned "namespace/name" */
    struct fl_str reason; /* as written by Kubernetes */
    struct fl_str message;
    struct fl_str container; /* for Evicted: the container with the largest usage over request */
    int64_t count;
    uint32_t pod_uid;  /* interned metadata.uid of the pod, 0 unknown: joins across files */
    int32_t exit_code; /* terminated container's exit code */
    int32_t gpus;      /* nvidia.com/gpu the pod requests */
    /* Evicted: the starved resource (memory, ephemeral-storage, pids, inodes) and the
     * kubelet's numbers; UnexpectedAdmissionError: the device resource (nvidia.com/gpu),
     * devices requested (request) and available. Whole units of the resource: bytes,
     * counts (Kubernetes Value(), rounded up); the text stays in message. */
    struct fl_str resource;
    int64_t threshold, available;
    int64_t usage, request; /* of container */
};

enum fl_tristate { FL_UNKNOWN = 0, FL_TRUE = 1, FL_FALSE = 2 };
/* Which optional numbers of a node_condition are set (bits of fl_ev_node_condition.known). */
enum {
    FL_COND_HAS_GPU_CAPACITY = 1u << 0,
    FL_COND_HAS_GPU_ALLOCATABLE = 1u << 1,
};
struct fl_ev_node_condition {
    struct fl_str type;   /* MemoryPressure, Ready, ... */
    uint8_t status;       /* enum fl_tristate */
    uint8_t known;        /* FL_COND_HAS_* bits */
    int32_t gpu_capacity, gpu_allocatable; /* the node's nvidia.com/gpu (fewer allocatable
                                              than capacity: the device plugin saw a GPU
                                              unhealthy) */
    struct fl_str reason;
    struct fl_str message;
    struct fl_str labels; /* the node's labels, "key=value,..." as kubectl --show-labels */
};

enum fl_fr_state {
    FL_FR_SCHEDULED = 0,
    FL_FR_STARTED = 1,
    FL_FR_COMPLETED = 2,
    FL_FR_STATE_UNKNOWN = 3,
};
/* Coalescing (ProcessGroupNCCL groups ops into one kernel launch; from dump version 2.7 each op
 * inside the group has its own entry, then the group closes with a "*coalesced" entry). */
enum fl_fr_coalesced {
    FL_FR_NOT_COALESCED = 0,
    FL_FR_COALESCED_OP = 1,  /* an op inside a coalesced group (same pg and seq as its end) */
    FL_FR_COALESCED_END = 2, /* the group's closing entry ("nccl:coalesced", "*_coalesced") */
};
/* Which optional numbers of an nccl_fr_record are set (bits of fl_ev_nccl_fr.known). */
enum {
    FL_FR_HAS_PG_ID = 1u << 0,
    FL_FR_HAS_PEER = 1u << 1,         /* peer (global rank) resolved through the pg's ranks */
    FL_FR_HAS_PEER_PG_RANK = 1u << 2, /* peer_pg_rank parsed from profiling_name */
};
struct fl_ev_nccl_fr {
    int32_t rank;
    uint32_t pg;        /* interned pg name */
    struct fl_str pg_desc;
    int64_t collective_seq; /* -1 absent */
    int64_t p2p_seq;        /* -1 absent */
    int64_t op_id;          /* -1 absent */
    int64_t record_id;
    struct fl_str op;       /* profiling_name, e.g. "nccl:all_reduce", "nccl:send 0->3" */
    uint8_t state;          /* enum fl_fr_state */
    bool is_p2p;
    uint8_t known;          /* FL_FR_HAS_* bits */
    uint8_t coalesced;      /* enum fl_fr_coalesced */
    bool retired;           /* the watchdog retired the work (retired, not completed: timed out) */
    int64_t timeout_ms;     /* -1 absent */
    double duration_ms;     /* NaN absent */
    int32_t pg_id;          /* entry's pg_id (the key of the rank's pg_status) */
    int32_t peer;           /* p2p peer as a global rank (pg ranks[peer_pg_rank]) */
    int32_t peer_pg_rank;   /* p2p peer as profiling_name names it: rank within the pg */
    uint32_t backend;       /* interned profiling_name prefix: nccl, ncclx, gloo, xccl, ... */
    uint32_t input_sizes;   /* interned Python repr of input_sizes: "[[4096, 1, 5120]]" */
    uint32_t output_sizes;
    uint32_t input_dtypes;  /* interned, joined with ", ": "BFloat16", "Float, Float" */
    uint32_t output_dtypes;
    uint32_t thread_name;   /* interned, 0 absent (dumps before 2.8) */
    uint32_t frames;        /* interned "func (file:line)" lines, innermost first; 0 absent */
    int64_t thread_id;      /* 0 absent */
    int64_t started_ns;     /* time_discovered_started_ns, wall ns; 0 absent */
    int64_t completed_ns;   /* time_discovered_completed_ns, wall ns; 0 absent */
};

/* One rank's Flight Recorder dump as a whole (kind nccl_fr_dump): what it was, and its
 * process groups (pg_config merged with pg_status). */
enum fl_fr_dump_status {
    FL_FR_DUMP_OK = 0,
    FL_FR_DUMP_UNREADABLE = 1,  /* truncated, corrupt, refused content, not a dump: see error */
    FL_FR_DUMP_UNSUPPORTED = 2, /* a dump version this reader does not know: see error */
};
enum fl_fr_encoding { FL_FR_PICKLE = 0, FL_FR_JSON = 1 };
/* Bits of fl_ev_nccl_fr_dump.known. */
enum { FL_FR_DUMP_HAS_RANK = 1u << 0 };
#define FL_FR_NO_SEQ INT64_MIN /* a pg_status value the dump did not carry */
struct fl_fr_pg {
    uint32_t name;  /* interned pg name (pg_config key, process_group[0]); 0 unknown */
    uint32_t desc;  /* interned description ("default_pg", "TENSOR_MODEL_PARALLEL_GROUP") */
    uint32_t ranks; /* interned member list as the dump writes it, "[0, 1, 2]"; 0 unknown */
    int32_t size;   /* members in ranks; -1 unknown */
    int32_t id;     /* pg_id: key of pg_status and pg_id of entries; -1 unknown */
    /* pg_status: last collective seq enqueued / started / completed (-1: none yet);
     * FL_FR_NO_SEQ when the dump has no status for this pg */
    int64_t last_enqueued, last_started, last_completed;
};
struct fl_ev_nccl_fr_dump {
    int32_t rank;           /* valid when known has FL_FR_DUMP_HAS_RANK */
    uint8_t known;          /* FL_FR_DUMP_HAS_* bits */
    uint8_t status;         /* enum fl_fr_dump_status */
    uint8_t encoding;       /* enum fl_fr_encoding */
    uint32_t backend;       /* interned: entries' profiling_name prefix, or the *_comm_state key */
    struct fl_str version;  /* "2.9"; empty for the 2023 form (a bare list of entries) */
    struct fl_str comm_lib_version; /* nccl_version (2.6+) / comm_lib_version (2.10+) */
    struct fl_str error;    /* why the dump is unreadable or unsupported */
    uint32_t nentries;      /* entries the dump holds */
    uint32_t npgs;
    const struct fl_fr_pg *pgs; /* arena array of npgs */
};

/* What a py-spy thread was doing, derived from its frames (src/ingest/pyspy.c says how;
 * docs/formats/py-spy.md lists the frames each activity is recognised by). */
enum fl_pyspy_activity {
    FL_PYSPY_UNKNOWN = 0,       /* no frames to judge by (or not derived) */
    FL_PYSPY_COLLECTIVE = 1,    /* torch.distributed / c10d / NCCL / DeepSpeed comm; op says which */
    FL_PYSPY_DATA_LOADING = 2,  /* DataLoader, its workers and pin-memory thread */
    FL_PYSPY_CHECKPOINT_IO = 3, /* torch.save/load, distributed checkpoint, safetensors */
    FL_PYSPY_CUDA_SYNC = 4,     /* torch.cuda.synchronize, stream/event sync, .item()/.cpu() */
    FL_PYSPY_IDLE = 5,          /* py-spy said idle and no frame above matched */
    FL_PYSPY_ELSEWHERE = 6,     /* running, in none of the above */
};
struct fl_ev_pyspy_stack {
    int32_t rank; /* -1 unknown */
    uint32_t cmdline; /* interned command line of the "Process PID: CMDLINE" header, 0 none */
    int64_t pid;
    int64_t thread_id; /* OS thread id, or the pthread id py-spy printed in hex; -1 unknown */
    struct fl_str thread_name;
    bool active;
    bool gil;
    uint8_t activity; /* enum fl_pyspy_activity */
    uint32_t python;  /* interned Python version of the "Python vX.Y.Z" header, 0 none */
    struct fl_str top_frame; /* innermost "func (file:line)" */
    struct fl_str frames;    /* all frames, newline-separated, innermost first */
    struct fl_str op;        /* collective op when activity is collective: "all_reduce",
                                "broadcast", "all_gather", "reduce_scatter", "all_to_all",
                                "barrier", "send", "recv", "send_recv", "reduce", "gather",
                                "scatter", "init_process_group", "new_group",
                                "destroy_process_group"; empty when unknown */
    struct fl_str activity_frame; /* the frame the activity was derived from */
};

struct fl_event {
    uint64_t uid;
    int64_t ts;      /* see clock */
    uint8_t kind;    /* enum fl_event_kind */
    uint8_t clock;   /* enum fl_clock */
    uint32_t node;   /* interned node name, 0 unknown */
    uint32_t job;    /* interned job id, 0 unknown */
    struct fl_gpu_ref gpu;
    struct fl_source src;
    struct fl_str origin; /* upstream "path:line" this record was converted from, if any */
    struct fl_str raw;    /* the record's bytes as read (may be empty) */
    union {
        struct fl_ev_log log;
        struct fl_ev_xid xid;
        struct fl_ev_sxid sxid;
        struct fl_ev_pcie_aer aer;
        struct fl_ev_ecc ecc;
        struct fl_ev_throttle throttle;
        struct fl_ev_gpu_sample sample;
        struct fl_ev_pod_event pod;
        struct fl_ev_node_condition cond;
        struct fl_ev_nccl_fr fr;
        struct fl_ev_pyspy_stack pyspy;
        struct fl_ev_nccl_fr_dump fr_dump;
    } u;
};

/* Names of the payload enums as faultline.events/v1 writes them (docs/input-formats.md).
 * *_name returns "unknown" out of range; *_from returns -1 for an unknown name. */
const char *fl_aer_severity_name(unsigned v);
int fl_aer_severity_from(struct fl_str s);
const char *fl_aer_type_name(unsigned v);
int fl_aer_type_from(struct fl_str s);
const char *fl_ecc_kind_name(unsigned v);
int fl_ecc_kind_from(struct fl_str s);
const char *fl_gpu_metric_name(unsigned v);
int fl_gpu_metric_from(struct fl_str s);
const char *fl_fr_state_name(unsigned v);
int fl_fr_state_from(struct fl_str s);
const char *fl_fr_coalesced_name(unsigned v); /* "none", "op", "end" */
int fl_fr_coalesced_from(struct fl_str s);
const char *fl_fr_dump_status_name(unsigned v); /* "ok", "unreadable", "unsupported" */
int fl_fr_dump_status_from(struct fl_str s);
const char *fl_fr_encoding_name(unsigned v); /* "pickle", "json" */
int fl_fr_encoding_from(struct fl_str s);
const char *fl_tristate_name(unsigned v); /* "Unknown", "True", "False" as Kubernetes writes */
int fl_tristate_from(struct fl_str s);
const char *fl_pyspy_activity_name(unsigned v);
int fl_pyspy_activity_from(struct fl_str s);
/* Derive activity, op and activity_frame of a py-spy stack from its frames and active flag
 * (defined in src/ingest/pyspy.c; the JSON Lines reader uses it when "activity" is absent). */
void fl_pyspy_classify(struct fl_ev_pyspy_stack *s);
/* Kubernetes reason -> enum fl_pod_reason (FL_POD_OTHER when not one that matters). */
enum fl_pod_reason fl_pod_reason_from(struct fl_str reason);

/* Zero an event and set the "unknown" sentinels (gpu.index, pids, seqs...) for kind. */
void fl_event_init(struct fl_event *ev, enum fl_event_kind kind);
/* Stable uid from kind, node name, ts and raw bytes. */
uint64_t fl_event_compute_uid(const struct fl_event *ev, struct fl_str node_name);
/* The uid's hash over kind, ts and node name, before the raw bytes: fl_event_compute_uid is
 * fl_hash64(raw, fl_event_uid_seed(ev, node)); batched readers hash the raw bytes of many
 * events at once from here (src/ingest/uid_batch.c). */
uint64_t fl_event_uid_seed(const struct fl_event *ev, struct fl_str node_name);
/* Total order used everywhere: ts, kind, uid, then source. */
int fl_event_cmp(const struct fl_event *a, const struct fl_event *b);

/* Normalize a PCI address as NVIDIA, DCGM or the kernel print it ("PCI:0000:3b:00",
 * "00000000:3B:00.0", "0000:3b:00.0", "3b:00.0") to "dddd:bb:dd.f" lower case.
 * out must hold 13 bytes. Returns false when s is not a PCI address. */
bool fl_pci_normalize(struct fl_str s, char out[13]);

#endif
