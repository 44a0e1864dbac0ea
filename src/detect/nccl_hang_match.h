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
/* all_to_all, all_to_all_single, all_to_all_v_single: checked by totals over the pg only. */
bool fl__nccl_is_all_to_all(struct fl_str op);
/* Elements over every tensor of a sizes repr; false when it has none or cannot be counted. */
bool fl__nccl_sizes_total(struct fl_str sizes, uint64_t *total);

#endif
