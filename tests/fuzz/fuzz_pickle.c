/* libFuzzer target: the strict unpickler alone (src/ingest/pickle.c), then a bounded walk of
 * whatever tree it built (shared and cyclic containers included), as a reader would. */
#include <stddef.h>
#include <stdint.h>

#include "faultline/arena.h"
#include "ingest/pickle.h"

/* Shared containers make a tree walk exponential (a list holding itself 64 times): visit
 * at most this many values per input, as a careful reader would. */
static size_t budget;

static uint64_t walk(const struct fl_pk *v, unsigned depth)
{
    if (depth > FL_PK_MAX_DEPTH + 2 || budget == 0)
        return 0;
    budget--;
    switch (v->type) {
    case FL_PK_STR:
    case FL_PK_BIGINT:
        return v->u.s.len ? (unsigned char)v->u.s.ptr[v->u.s.len - 1] : 0;
    case FL_PK_INT:
        return (uint64_t)v->u.i;
    case FL_PK_LIST:
    case FL_PK_TUPLE:
    case FL_PK_DICT: {
        uint64_t h = v->u.seq->n;
        size_t n = (size_t)v->u.seq->n * (v->type == FL_PK_DICT ? 2 : 1);
        for (size_t i = 0; i < n && i < 64; i++)
            h += walk(&v->u.seq->v[i], depth + 1);
        return h;
    }
    default:
        return v->type;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_arena arena;
    fl_arena_init(&arena, 65536, (size_t)64 << 20);
    struct fl_pickle p;
    fl_pickle_init(&p, &arena);
    struct fl_pk root;
    volatile uint64_t sink = 0;
    if (fl_pickle_load(&p, (const char *)data, size, &root) == 0) {
        budget = 100000;
        sink += walk(&root, 0);
        (void)fl_pk_get(&root, "version");
    }
    (void)sink;
    fl_pickle_release(&p);
    fl_arena_release(&arena);
    return 0;
}
