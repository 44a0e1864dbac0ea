/* nccl_hang_match.h - nccl_hang's pairwise matching rules (src/detect/nccl_hang_match.c):
 * does one rank's call of a collective agree with another rank's. Used by nccl_hang.c and
 * tests/unit/test_detect_nccl_hang.c. Not installed. */
#ifndef FAULTLINE_DETECT_NCCL_HANG_MATCH_H
#define FAULTLINE_DETECT_NCCL_HANG_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/str.h"

enum fl__nccl_match {
    FL__NM_MATCH = 0,
    FL__NM_UNDECIDED = 1,     /* all_to_all: only the totals over every rank decide */
    FL__NM_STATE_DIFFERS = 2, /* same call; only the progress differs (not a mismatch) */
    FL__NM_TYPE = 3,
    FL__NM_SIZE = 4,
    FL__NM_DTYPE = 5,
};

/* One rank's view of one collective, as the rules need it. */
struct fl__nccl_op {
    struct fl_str op;                    /* "all_reduce": profiling_name without backend */
    struct fl_str in_sizes, out_sizes;   /* Python repr "[[4, 4]]" */
    struct fl_str in_dtypes, out_dtypes; /* "Float, Float" */
    uint8_t state;                       /* enum fl_fr_state */
};

/* How b's call compares with a's in a pg of pg_size ranks (a with itself: whether the call
 * is consistent in itself). */
enum fl__nccl_match fl__nccl_match_pair(const struct fl__nccl_op *a, const struct fl__nccl_op *b,
                                        int32_t pg_size);

/* The same rules over what they read of the texts, for callers that meet a few texts millions
 * of times (nccl_hang.c computes each fact once per distinct text and compares ids):
 * fl__nccl_match_pair(a, b) == fl__nccl_match_facts(facts of a and b) for any a and b. */
struct fl__nccl_shape { /* a sizes repr read as tensors */
    bool ok;            /* it parsed (an absent or blank repr parses: nothing to check) */
    bool big;           /* a product overflowed: not compared by numbers */
    uint32_t ntensors;
    uint32_t ndims; /* dims over all tensors: 0 means "empty" (no size to check) */
    uint64_t total; /* sum of the tensors' element counts */
};
struct fl__nccl_facts {
    bool same_op;   /* fl_str_eq of the ops */
    unsigned flags; /* fl__nccl_op_flags(a's op) */
    uint8_t a_state, b_state;
    const struct fl__nccl_shape *a_in, *a_out; /* fl__nccl_shape_parse of each sizes */
    const struct fl__nccl_shape *b_in, *b_out;
    bool in_eq, out_eq, a_in_b_out_eq; /* fl__nccl_sizes_eq: a in / b in, ... */
    bool a_dt_self_eq, b_dt_self_eq;   /* fl__nccl_dtypes_eq: a's in / a's out, ... */
    bool dt_in_eq, dt_out_eq;          /* a's in / b's in, a's out / b's out */
};
enum fl__nccl_match fl__nccl_match_facts(const struct fl__nccl_facts *k, int32_t pg_size);
unsigned fl__nccl_op_flags(struct fl_str op);
struct fl__nccl_shape fl__nccl_shape_parse(struct fl_str sizes);
bool fl__nccl_has_size(const struct fl__nccl_shape *sh);
/* Sizes texts equal but for blanks; dtypes lists equal as sets ("Float, Float" = "Float"). */
bool fl__nccl_sizes_eq(struct fl_str a, struct fl_str b);
bool fl__nccl_dtypes_eq(struct fl_str a, struct fl_str b);
/* Hash keys: texts equal by the functions above have equal keys. */
uint64_t fl__nccl_sizes_key(struct fl_str sizes);
uint64_t fl__nccl_dtypes_key(struct fl_str dtypes);

/* all_to_all, all_to_all_single, all_to_all_v_single: checked by totals over the pg only. */
bool fl__nccl_is_all_to_all(struct fl_str op);
/* Elements over every tensor of a sizes repr; false when it has none or cannot be counted. */
bool fl__nccl_sizes_total(struct fl_str sizes, uint64_t *total);

#endif
