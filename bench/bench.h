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

#include <stddef.h>
#include <stdint.h>

struct bench_buf {
    char *p;
    size_t len, cap;
};

void bench_buf_put(struct bench_buf *b, const char *s, size_t n);
void bench_buf_putf(struct bench_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bench_buf_release(struct bench_buf *b);

/* splitmix64: tiny, fast, and the same sequence everywhere. */
struct bench_rng {
    uint64_t s;
};
uint64_t bench_rng_next(struct bench_rng *r);
uint64_t bench_rng_below(struct bench_rng *r, uint64_t n); /* uniform enough in [0, n) */

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

#endif
