/* uid_batch.c - see uid_batch.h. tests/unit/test_uid_batch.c checks every uid against
 * fl_event_compute_uid. */
#include "ingest/uid_batch.h"

#include "faultline/err.h"
#include "faultline/str.h"

int fl_uid_batch_flush(struct fl_parse_ctx *ctx, struct fl_uid_batch *b)
{
    const void *data[FL_UID_BATCH] = {0}; /* zeroed: gcc -O2 cannot see m bounds the reads */
    size_t len[FL_UID_BATCH] = {0}, at[FL_UID_BATCH], m = 0;
    uint64_t h[FL_UID_BATCH] = {0};
    for (size_t i = 0; i < b->n; i++) {
        const struct fl_event *ev = &b->ev[i];
        if (ev->uid)
            continue;
        h[m] = fl_event_uid_seed(ev, fl_ingest_str(ctx, ev->node ? ev->node : ctx->default_node));
        data[m] = ev->raw.ptr;
        len[m] = ev->raw.len;
        at[m++] = i;
    }
    fl_hash64_many(data, len, h, m);
    for (size_t i = 0; i < m; i++)
        b->ev[at[i]].uid = h[i];
    int rc = 0;
    for (size_t i = 0; i < b->n && !rc; i++)
        rc = fl_ingest_emit(ctx, &b->ev[i]) ? FL_ENOMEM : 0;
    b->n = 0;
    return rc;
}

int fl_uid_batch_push(struct fl_parse_ctx *ctx, struct fl_uid_batch *b, const struct fl_event *ev)
{
    b->ev[b->n++] = *ev;
    return b->n == FL_UID_BATCH ? fl_uid_batch_flush(ctx, b) : 0;
}
