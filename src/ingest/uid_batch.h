/* uid_batch.h - events held back by a reader so their uids are hashed together.
 *
 * An event's uid (fl_event_compute_uid) is FNV-1a over its head, its node name and then the
 * record's bytes: one FNV chain takes about four cycles a byte, a fifth of the time of a
 * reader whose records are hundreds of bytes (a kubectl Event, a DCGM sample line). Readers
 * that emit many such events queue them here instead of calling fl_ingest_emit; a full batch
 * gets its uids through fl_hash64_many (several chains at once, the same values) and is
 * emitted in order. Not installed. */
#ifndef FAULTLINE_UID_BATCH_H
#define FAULTLINE_UID_BATCH_H

#include "faultline/event.h"
#include "faultline/ingest.h"

#define FL_UID_BATCH 64

struct fl_uid_batch {
    struct fl_event ev[FL_UID_BATCH]; /* queued, not yet emitted (emit order kept) */
    size_t n;
};

/* Queue a copy of ev; a full batch is emitted. The node a queued event without one gets is
 * ctx's default node when the batch is emitted: flush before changing it
 * (fl_ingest_set_node). 0 or FL_ENOMEM. */
int fl_uid_batch_push(struct fl_parse_ctx *ctx, struct fl_uid_batch *b, const struct fl_event *ev);

/* Compute the missing uids of the queued events and emit them in order; the batch is empty
 * after it, also on failure. Call it at the end of the input. 0 or FL_ENOMEM. */
int fl_uid_batch_flush(struct fl_parse_ctx *ctx, struct fl_uid_batch *b);

#endif
