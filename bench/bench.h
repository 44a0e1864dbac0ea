/* bench.h - shared pieces of the bench harness: a growable byte buffer, a fixed-seed PRNG and
 * the deterministic input generators (bench/gen.c). Not installed; nothing outside bench/
 * uses it.
 *
 * Contract: every input the bench measures is generated here, in memory, from a fixed seed:
 * the same seed and size give the same bytes on every machine (no floating point, no locale,
 * no clock). Buffers are allocated through the project's hook (fl_realloc) but only outside
 * measured regions; running out of memory ends the bench with a message (exit 1).
 */
#ifndef FAULTLINE_BENCH_H
#define FAULTLINE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fl_engine;

struct bench_buf {
    char *p;
    size_t len, cap;
};

/* ---- the harness (fl_bench.c), shared with the case files (cases_*.c) ---------------- */

#define MAX_RUNS 64
#define MIB ((size_t)1 << 20)

struct bench_opts {
    bool quick;
    int runs;
    size_t size;      /* bytes of the generated JSONL stream */
    int det_iters;    /* detector runs per timed run */
    int arena_cycles; /* ARENA_CYCLE-allocation cycles per timed run */
    int jsonw_passes; /* passes over the window per timed run */
    bool scale;       /* --scale: the issue-sized inputs (minutes; never in the gate) */
    int fr_ranks;     /* --fr-ranks: ranks of the Flight Recorder cases (0: 256, scale 4,096) */
    const char *keep; /* --keep DIR: leave the Flight Recorder directories there, unremoved */
    const char *only; /* --case: run only cases whose name contains this */
    const char *out;
};

struct bench_result {
    const char *name;
    uint64_t events;     /* events (or operations) in the unit of work a run repeats */
    double ns[MAX_RUNS]; /* ns per event of each timed run */
    int nruns;
    double bytes_io; /* bytes read or written per timed run; 0 = no MB/s */
    double allocs;   /* per event; < 0 = not measured */
    double bytes;    /* per event; < 0 = not measured */
    long rss_kb;     /* peak RSS; -1 = not applicable */
    char note[160];  /* for the human table only */
    /* a tool users reach for, timed on the same input in the same run (median ns per run of
     * the whole input, min, max); vs_tool NULL = none */
    const char *vs_tool;
    double vs_ns, vs_min, vs_max;
};

/* The results of a run, in order. bench_case() returns a zeroed result named `name` (rss_kb -1,
 * allocs/bytes -1), or NULL when --case filters it out: the caller then skips the case. */
struct bench_results {
    struct bench_result r[64];
    size_t n;
};
/* Whether --case selects the case named name (no --case: every case). */
bool bench_wants(const struct bench_opts *o, const char *name);
struct bench_result *bench_case(struct bench_results *rs, const struct bench_opts *o,
                                const char *name);

struct bench_counts {
    uint64_t allocs, bytes;
};

void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
uint64_t bench_now_ns(void);
struct bench_counts bench_counts_now(void);
struct bench_counts bench_counts_since(struct bench_counts a);
/* Allocation counts must be equal in every run (they are what the gate checks). */
void bench_same_counts(const char *name, int run, struct bench_counts *first,
                       struct bench_counts c);
void bench_set_counts(struct bench_result *r, struct bench_counts c, uint64_t events);
double bench_median(const struct bench_result *r);
struct fl_engine *bench_new_engine(void);
/* A fresh engine holding buf as one input named `name`, ingested; dies when anything was
 * skipped or the event count differs from want_events (0 = do not check). */
struct fl_engine *bench_ingest(const char *name, const struct bench_buf *b, size_t want_events);
void bench_write_file(const char *path, const struct bench_buf *b);
/* A scratch directory for generated files (created on first call, removed at exit). */
const char *bench_tmpdir(void);
/* Remove a file or a directory tree (the generated inputs a case is done with). */
void bench_rm_tree(const char *path);
/* CPU time (user + system) of this process so far: on a shared machine the wall time of a run
 * includes other processes' turns, the CPU time does not. */
uint64_t bench_cpu_ns(void);
/* qsort comparator of uint64_t. */
int bench_cmp_u64(const void *a, const void *b);
/* Run argv (no shell) with stdout and stderr to /dev/null `runs` times (+1 warm-up), the
 * median/min/max wall ns into r->vs_*; r->vs_tool = label. Returns false (and leaves vs_tool
 * NULL) when the tool is not installed. */
bool bench_time_tool(struct bench_result *r, const struct bench_opts *o, const char *label,
                     char *const argv[]);

void bench_buf_put(struct bench_buf *b, const char *s, size_t n);
/* Generator writers (gen.c): a C string; an unsigned decimal; one left-padded with pad to
 * width characters. */
void bench_put(struct bench_buf *b, const char *s);
void bench_put_u(struct bench_buf *b, uint64_t v);
void bench_put_upad(struct bench_buf *b, uint64_t v, size_t width, char pad);
void bench_buf_putf(struct bench_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bench_buf_release(struct bench_buf *b);

/* splitmix64: tiny, fast, and the same sequence everywhere. */
struct bench_rng {
    uint64_t s;
};
uint64_t bench_rng_next(struct bench_rng *r);
uint64_t bench_rng_below(struct bench_rng *r, uint64_t n); /* uniform enough in [0, n) */

/* ---- case groups in their own files, called in this order by fl_bench.c's main ------- */

/* cases_fr.c: fr_pickle and fr_json, one Flight Recorder dump per rank in a directory
 * (256 ranks x 2,000 entries; --scale: 4,096 x 2,000 = 8 M records), read by a fresh engine */
void bench_cases_fr(struct bench_results *rs, const struct bench_opts *o);

/* The bench's own path (re-executed for the fresh-process cases). */
extern const char *bench_self;
/* sysconf(_SC_NPROCESSORS_ONLN), at least 1: the CLI's default --jobs. */
unsigned bench_online_cores(void);
/* o->runs fresh processes each analyzing bundle (every detector, the JSON report) with jobs
 * parse threads (0: the calling thread), r filled per event of the window (nev of them, from
 * nbytes of input); returns the median CPU time (user + system) of a run in ns, *verdicts the
 * verdict count. */
double bench_e2e_runs(const struct bench_opts *o, struct bench_result *r, const char *bundle,
                      unsigned jobs, size_t nev, size_t nbytes, uint64_t *verdicts);

/* cases_ingest.c: kernel_log_scan, k8s_events_list, dcgm_scrape (files read by the engine) */
void bench_cases_ingest(struct bench_results *rs, const struct bench_opts *o);

/* cases_more.c: pyspy_dumps, prom_api_range, k8s_pods_nodes, nvsmi_q, nvsmi_xml,
 * journal_export, kernel_log_gz (files and directories of the remaining parsers, read by a
 * fresh engine) */
void bench_cases_more(struct bench_results *rs, const struct bench_opts *o);

/* cases_detectors.c: detector_<name> for every bench/windows/<name>.jsonl */
void bench_cases_detectors(struct bench_results *rs, const struct bench_opts *o);

/* ---- generators (gen.c) ------------------------------------------------------------ */

#define BENCH_NODES 16 /* nodes in the mixed stream */

/* The mixed stream: faultline.events/v1 lines, mostly log, then gpu_sample, pod_event, xid,
 * throttle, ecc and node_condition, with bursts of repeated XIDs, several PCI spellings and
 * some strings that need JSON unescaping. Appends lines until at least `bytes` were written.
 *
 * Single-file form: all lines go to `all` and carry "node". Bundle form (all == NULL): lines
 * of node i go to nodes[i] without "node" (the bundle directory names it) and pod events go
 * to nodes[BENCH_NODES] (the cluster's k8s-events.jsonl), with "node". Returns the number of
 * events written. */
size_t bench_gen_mixed(uint64_t seed, size_t bytes, struct bench_buf *all,
                       struct bench_buf nodes[BENCH_NODES + 1]);

/* The detector window: exactly nevents lines of xid and pod_event over 8 nodes x 8 GPUs,
 * spread over about two hours, with XID bursts, XID 45 follow-ups, application XIDs, an
 * XID missing from NVIDIA's catalog, and pod disruptions minutes after XIDs on the same
 * node. */
void bench_gen_xid_window(uint64_t seed, size_t nevents, struct bench_buf *out);

/* ---- ingest generators (gen_ingest.c): each appends until at least `bytes` are written ---- */

/* A raw dmesg ("[ 8123.456789] msg") of one 8-GPU node: ordinary kernel lines with, about one
 * line in a thousand, a GPU incident (Xid in every driver's wording, SXid, PCIe AER reports,
 * fallen off the bus, ECC / row remapper). Returns the lines; *events = the events the
 * kernel-log reader must produce. */
size_t bench_gen_kernel_log(uint64_t seed, size_t bytes, struct bench_buf *out, size_t *events);
/* `kubectl get events -A -o json`: one List of core/v1 Events. Returns the events. */
size_t bench_gen_k8s_events(uint64_t seed, size_t bytes, struct bench_buf *out);
/* dcgm-exporter scrapes of 32 nodes x 8 GPUs, each after a `# scrape <RFC 3339>` comment.
 * Returns the sample lines; *events = the events the prometheus-text reader must produce. */
size_t bench_gen_dcgm_scrapes(uint64_t seed, size_t bytes, struct bench_buf *out,
                              size_t *events);

/* gen_fr.c: rank `rank`'s Flight Recorder dump (version 2.10) of a Megatron-style MoE job of
 * nranks ranks (a multiple of 256): nentries entries of steady-state training ending in a
 * hang, appended to out as PyTorch's C++ pickler writes it (json false: memo and all) or as
 * _dump_nccl_trace_json writes it (json true). Returns the entries written; *memo_ids (may
 * be NULL) gets the pickle's memo ids (0 for JSON). */
size_t bench_gen_fr_dump(uint64_t seed, int nranks, int rank, int nentries, bool json,
                         struct bench_buf *out, uint32_t *memo_ids);

/* ---- gen_more.c ------------------------------------------------------------------------ */

/* Rank `rank`'s `py-spy dump` of a hung Megatron job of nranks ranks (TP 8, PP 4): Process and
 * Python headers, the main thread (a DP all-reduce, a TP all-gather, a pipeline recv, or the
 * DataLoader on the odd rank out) and 5-7 idle helper threads; one rank in 8 dumped with
 * --locals (*locals set). Returns the threads written (one pyspy_stack event each). */
size_t bench_gen_pyspy_dump(uint64_t seed, int nranks, int rank, struct bench_buf *out,
                            bool *locals);
/* A Prometheus /api/v1/query_range matrix of 11 DCGM metrics for nodes x 8 GPUs, npoints
 * steps of 15 s (some steps missing on one node). Returns the points (one event each). */
size_t bench_gen_prom_range(uint64_t seed, unsigned nodes, uint64_t npoints, struct bench_buf *out);
/* `kubectl get pods -A -o json` of an nnodes-node GPU cluster (5 DaemonSets and one 8-GPU
 * training worker per node, a few unschedulable). Returns the events the reader must make of
 * it; *npods gets the pods. */
size_t bench_gen_k8s_pods(uint64_t seed, unsigned nnodes, struct bench_buf *out, size_t *npods);
/* `kubectl get nodes -o json` of the same cluster. Returns the conditions (one event each). */
size_t bench_gen_k8s_nodes(uint64_t seed, unsigned nnodes, struct bench_buf *out);
/* The lines of a dmesg (bench_gen_kernel_log) as `journalctl -o export` writes the node's
 * kernel records. Returns the entries. */
size_t bench_gen_journal_export(uint64_t seed, const struct bench_buf *dmesg,
                                struct bench_buf *out);

#endif
