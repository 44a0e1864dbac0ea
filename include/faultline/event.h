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
    X(PYSPY_STACK, "pyspy_stack")

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
struct fl_ev_pod_event {
    uint8_t reason_code; /* enum fl_pod_reason */
    uint32_t pod;        /* interned "namespace/name" */
    struct fl_str reason; /* as written by Kubernetes */
    struct fl_str message;
    struct fl_str container;
    int64_t count;
};

enum fl_tristate { FL_UNKNOWN = 0, FL_TRUE = 1, FL_FALSE = 2 };
struct fl_ev_node_condition {
    struct fl_str type;   /* MemoryPressure, Ready, ... */
    uint8_t status;       /* enum fl_tristate */
    struct fl_str reason;
    struct fl_str message;
};

enum fl_fr_state {
    FL_FR_SCHEDULED = 0,
    FL_FR_STARTED = 1,
    FL_FR_COMPLETED = 2,
    FL_FR_STATE_UNKNOWN = 3,
};
struct fl_ev_nccl_fr {
    int32_t rank;
    uint32_t pg;        /* interned pg name */
    struct fl_str pg_desc;
    int64_t collective_seq; /* -1 absent */
    int64_t p2p_seq;        /* -1 absent */
    int64_t op_id;          /* -1 absent */
    int64_t record_id;
    struct fl_str op;       /* profiling_name, e.g. "nccl:all_reduce" */
    uint8_t state;          /* enum fl_fr_state */
    bool is_p2p;
    int64_t timeout_ms;     /* -1 absent */
    double duration_ms;     /* NaN absent */
};

struct fl_ev_pyspy_stack {
    int32_t rank; /* -1 unknown */
    int64_t pid;
    int64_t thread_id;
    struct fl_str thread_name;
    bool active;
    bool gil;
    struct fl_str top_frame; /* innermost "func (file:line)" */
    struct fl_str frames;    /* all frames, newline-separated, innermost first */
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
const char *fl_tristate_name(unsigned v); /* "Unknown", "True", "False" as Kubernetes writes */
int fl_tristate_from(struct fl_str s);
/* Kubernetes reason -> enum fl_pod_reason (FL_POD_OTHER when not one that matters). */
enum fl_pod_reason fl_pod_reason_from(struct fl_str reason);

/* Zero an event and set the "unknown" sentinels (gpu.index, pids, seqs...) for kind. */
void fl_event_init(struct fl_event *ev, enum fl_event_kind kind);
/* Stable uid from kind, node name, ts and raw bytes. */
uint64_t fl_event_compute_uid(const struct fl_event *ev, struct fl_str node_name);
/* Total order used everywhere: ts, kind, uid, then source. */
int fl_event_cmp(const struct fl_event *a, const struct fl_event *b);

/* Normalize a PCI address as NVIDIA, DCGM or the kernel print it ("PCI:0000:3b:00",
 * "00000000:3B:00.0", "0000:3b:00.0", "3b:00.0") to "dddd:bb:dd.f" lower case.
 * out must hold 13 bytes. Returns false when s is not a PCI address. */
bool fl_pci_normalize(struct fl_str s, char out[13]);

#endif
