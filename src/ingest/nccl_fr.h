/* nccl_fr.h - pieces of the PyTorch Flight Recorder reader that detectors reuse.
 *
 * Contract: pure functions over string views (nothing allocated, nothing kept); they never
 * read past the view. docs/formats/flight-recorder.md describes the dump format.
 */
#ifndef FAULTLINE_INGEST_NCCL_FR_H
#define FAULTLINE_INGEST_NCCL_FR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/str.h"

/* A pg_config "ranks" string as PyTorch writes it ("[0, 1, 2]"; torchcomms writes "[0,1,2]";
 * "[]" for none) into out[0..cap) in the order written. out may be NULL to count only.
 * Returns the number of ranks, or -1 when s is not such a list, a rank is negative or wider
 * than int32, or there are more than cap (when out is given). */
long fl_fr_ranks_parse(struct fl_str s, int32_t *out, size_t cap);

/* A profiling_name split: "<backend>:<op>[ <meta>]", e.g. "nccl:all_reduce",
 * "nccl:send 0->3" (this rank is 0 in the pg, peer 3), "nccl:recv 3<-0" (this rank 3, peer
 * 0). Backends are not checked (nccl, ncclx, gloo, xccl, nccl2, forks...). */
struct fl_fr_opname {
    struct fl_str backend; /* empty when the name has no ':' */
    struct fl_str op;      /* "all_reduce", "send", "coalesced", "allreduce_coalesced" */
    struct fl_str meta;    /* text after the first space, empty when none */
    int32_t self_pg_rank;  /* p2p only: this rank within the pg, -1 otherwise */
    int32_t peer_pg_rank;  /* p2p only: the peer within the pg, -1 otherwise */
    bool send, recv;       /* op is send / recv with a parsed peer */
    bool coalesced;        /* op ends in "coalesced" (closes a coalesced group) */
};
void fl_fr_opname_parse(struct fl_str profiling_name, struct fl_fr_opname *out);

/* Rank in a dump's file name: the trailing digits of the base name, after one extension
 * (.json, .pkl, .pickle, .bin, .txt) is dropped: "nccl_trace_rank_5", "_dump_12",
 * "comm_lib_trace_rank_node02_5", "rank_3.json". -1 when there are none. */
int32_t fl_fr_rank_from_path(struct fl_str path);

#endif
