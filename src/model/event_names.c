/* Names of the event payload enums, shared by the JSON Lines reader and writer. */
#include "faultline/event.h"

#include <stddef.h>

static const char *name_of(const char *const *tab, size_t n, unsigned v)
{
    return v < n && tab[v] ? tab[v] : "unknown";
}

static int index_of(const char *const *tab, size_t n, struct fl_str s)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i] && fl_str_eq_cstr(s, tab[i]))
            return (int)i;
    return -1;
}

#define FL_NAME_TABLE(fn, ...)                                                                     \
    static const char *const fn##_tab[] = {__VA_ARGS__};                                           \
    const char *fl_##fn##_name(unsigned v)                                                         \
    {                                                                                              \
        return name_of(fn##_tab, sizeof fn##_tab / sizeof *fn##_tab, v);                           \
    }                                                                                              \
    int fl_##fn##_from(struct fl_str s)                                                            \
    {                                                                                              \
        return index_of(fn##_tab, sizeof fn##_tab / sizeof *fn##_tab, s);                          \
    }

FL_NAME_TABLE(aer_severity, [FL_AER_CORRECTED] = "corrected", [FL_AER_NONFATAL] = "nonfatal",
              [FL_AER_FATAL] = "fatal", [FL_AER_SEVERITY_UNKNOWN] = "unknown")
FL_NAME_TABLE(aer_type, [FL_AER_TYPE_UNKNOWN] = "unknown", [FL_AER_PHYSICAL] = "physical",
              [FL_AER_DATA_LINK] = "data_link", [FL_AER_TRANSACTION] = "transaction")
FL_NAME_TABLE(ecc_kind, [FL_ECC_SBE] = "sbe", [FL_ECC_DBE] = "dbe",
              [FL_ECC_REMAP_PENDING] = "remap_pending", [FL_ECC_REMAP_FAILURE] = "remap_failure",
              [FL_ECC_CONTAINED] = "contained", [FL_ECC_UNCONTAINED] = "uncontained",
              [FL_ECC_RETIRED_PAGE] = "retired_page",
              [FL_ECC_REMAPPED_CORRECTABLE] = "remapped_correctable",
              [FL_ECC_REMAPPED_UNCORRECTABLE] = "remapped_uncorrectable",
              [FL_ECC_RETIRE_PENDING] = "retire_pending")
FL_NAME_TABLE(gpu_metric, [FL_METRIC_TEMP_GPU] = "temp_gpu",
              [FL_METRIC_TEMP_MEMORY] = "temp_memory", [FL_METRIC_POWER_W] = "power_w",
              [FL_METRIC_SM_CLOCK_MHZ] = "sm_clock_mhz", [FL_METRIC_PCIE_REPLAY] = "pcie_replay",
              [FL_METRIC_NVLINK_ERRORS] = "nvlink_errors", [FL_METRIC_XID_LAST] = "xid_last",
              [FL_METRIC_UTIL] = "util", [FL_METRIC_OTHER] = "other")
FL_NAME_TABLE(fr_state, [FL_FR_SCHEDULED] = "scheduled", [FL_FR_STARTED] = "started",
              [FL_FR_COMPLETED] = "completed", [FL_FR_STATE_UNKNOWN] = "unknown")
FL_NAME_TABLE(fr_coalesced, [FL_FR_NOT_COALESCED] = "none", [FL_FR_COALESCED_OP] = "op",
              [FL_FR_COALESCED_END] = "end")
FL_NAME_TABLE(fr_dump_status, [FL_FR_DUMP_OK] = "ok", [FL_FR_DUMP_UNREADABLE] = "unreadable",
              [FL_FR_DUMP_UNSUPPORTED] = "unsupported")
FL_NAME_TABLE(fr_encoding, [FL_FR_PICKLE] = "pickle", [FL_FR_JSON] = "json")
FL_NAME_TABLE(tristate, [FL_UNKNOWN] = "Unknown", [FL_TRUE] = "True", [FL_FALSE] = "False")
FL_NAME_TABLE(pyspy_activity, [FL_PYSPY_UNKNOWN] = "unknown",
              [FL_PYSPY_COLLECTIVE] = "collective", [FL_PYSPY_DATA_LOADING] = "data_loading",
              [FL_PYSPY_CHECKPOINT_IO] = "checkpoint_io", [FL_PYSPY_CUDA_SYNC] = "cuda_sync",
              [FL_PYSPY_IDLE] = "idle", [FL_PYSPY_ELSEWHERE] = "elsewhere")

enum fl_pod_reason fl_pod_reason_from(struct fl_str r)
{
    static const struct {
        const char *name;
        enum fl_pod_reason code;
    } map[] = {
        {"Evicted", FL_POD_EVICTED},
        {"Killing", FL_POD_KILLING},
        {"Preempted", FL_POD_PREEMPTED},
        {"Preempting", FL_POD_PREEMPTED},
        {"OOMKilling", FL_POD_OOMKILLED},
        {"OOMKilled", FL_POD_OOMKILLED},
        {"Failed", FL_POD_FAILED},
        {"Error", FL_POD_FAILED},
        {"BackOff", FL_POD_BACKOFF},
        {"CrashLoopBackOff", FL_POD_BACKOFF},
        {"UnexpectedAdmissionError", FL_POD_ADMISSION_ERROR},
        {"FailedScheduling", FL_POD_FAILED_SCHEDULING},
        {"NodeNotReady", FL_POD_NODE_NOT_READY},
        {"TaintManagerEviction", FL_POD_TAINT_EVICTION},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (fl_str_eq_cstr(r, map[i].name))
            return map[i].code;
    return FL_POD_OTHER;
}
