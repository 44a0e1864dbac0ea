/* Chunked bump allocator; see arena.h for the contract. */
#include "faultline/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "faultline/alloc.h"

#if !defined(NDEBUG) && !defined(FL_ARENA_NO_POISON)
#define FL_ARENA_POISON 1
#endif

struct fl_arena_chunk {
    struct fl_arena_chunk *prev;
    size_t size; /* usable bytes in data */
    size_t off;  /* next free byte */
    _Alignas(16) unsigned char data[];
};

void fl_arena_init(struct fl_arena *a, size_t chunk_size, size_t cap)
{
    memset(a, 0, sizeof *a);
    a->chunk_size = chunk_size ? chunk_size : FL_ARENA_DEFAULT_CHUNK;
    a->max_chunk = a->chunk_size;
    a->cap = cap;
}

void fl_arena_set_growth(struct fl_arena *a, size_t max_chunk)
{
    a->max_chunk = max_chunk > a->chunk_size ? max_chunk : a->chunk_size;
}

void fl_arena_release(struct fl_arena *a)
{
    struct fl_arena_chunk *c = a->head;
    while (c) {
        struct fl_arena_chunk *prev = c->prev;
        fl_free(c);
        c = prev;
    }
    a->head = NULL;
    a->used = 0;
    a->reserved = 0;
}

void fl_arena_reset(struct fl_arena *a)
{
    struct fl_arena_chunk *c = a->head;
    if (!c)
        return;
    /* keep the oldest chunk, free the others */
    while (c->prev) {
        struct fl_arena_chunk *prev = c->prev;
        a->reserved -= sizeof *c + c->size;
        fl_free(c);
        c = prev;
    }
#ifdef FL_ARENA_POISON
    memset(c->data, 0xA5, c->off);
#endif
    c->off = 0;
    a->head = c;
    a->used = 0;
}

void fl_arena_adopt(struct fl_arena *dst, struct fl_arena *src)
{
    struct fl_arena_chunk *top = src->head;
    if (!top)
        return;
    struct fl_arena_chunk *bottom = top;
    while (bottom->prev)
        bottom = bottom->prev;
    if (dst->head) {
        bottom->prev = dst->head->prev;
        dst->head->prev = top;
    } else {
        dst->head = top;
    }
    dst->used += src->used;
    dst->reserved += src->reserved;
    dst->chunks_allocated += src->chunks_allocated;
    if (dst->used > dst->high_water)
        dst->high_water = dst->used;
    src->head = NULL;
    src->used = 0;
    src->reserved = 0;
}

static struct fl_arena_chunk *new_chunk(struct fl_arena *a, size_t need)
{
    size_t size = a->chunk_size;
    if (need > size)
        size = need;
    if (size > SIZE_MAX - sizeof(struct fl_arena_chunk))
        return NULL;
    /* written so it cannot wrap: a huge request must fail here, not reach the allocator */
    if (a->cap &&
        (a->reserved > a->cap || sizeof(struct fl_arena_chunk) + size > a->cap - a->reserved))
        return NULL;
    struct fl_arena_chunk *c = fl_malloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->prev = a->head;
    c->size = size;
    c->off = 0;
    a->head = c;
    a->reserved += sizeof *c + size;
    a->chunks_allocated++;
    if (a->chunk_size < a->max_chunk)
        a->chunk_size = a->chunk_size * 2 < a->max_chunk ? a->chunk_size * 2 : a->max_chunk;
    return c;
}

/* Padding that brings p up to align (a power of two); computed on the address, so any
 * power-of-two alignment holds whatever alignment the allocator gave the chunk. */
static size_t align_pad(const unsigned char *p, size_t align)
{
    return (size_t)(-(uintptr_t)p & (uintptr_t)(align - 1));
}

static void *bump(struct fl_arena *a, struct fl_arena_chunk *c, size_t off, size_t n)
{
    c->off = off + n;
    a->used += n;
    if (a->used > a->high_water)
        a->high_water = a->used;
    return c->data + off;
}

/* align 0 (or not a power of two) means 16, enough for any standard type. */
void *fl_arena_alloc(struct fl_arena *a, size_t n, size_t align)
{
    if (align == 0 || (align & (align - 1)) != 0)
        align = 16;
    if (n == 0)
        n = 1;
    struct fl_arena_chunk *c = a->head;
    if (c) {
        size_t off = c->off + align_pad(c->data + c->off, align);
        if (off <= c->size && n <= c->size - off)
            return bump(a, c, off, n);
    }
    if (n > SIZE_MAX - (align - 1))
        return NULL;
    c = new_chunk(a, n + (align - 1));
    if (!c)
        return NULL;
    return bump(a, c, align_pad(c->data, align), n);
}

void *fl_arena_zalloc(struct fl_arena *a, size_t n, size_t align)
{
    void *p = fl_arena_alloc(a, n, align);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}

void *fl_arena_alloc_array(struct fl_arena *a, size_t n, size_t size, size_t align)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return fl_arena_alloc(a, n * size, align);
}

char *fl_arena_strndup_copy(struct fl_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = fl_arena_alloc(a, len + 1, 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *fl_arena_vprintf(struct fl_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *d = fl_arena_alloc(a, (size_t)n + 1, 1);
    if (!d)
        return NULL;
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *fl_arena_printf(struct fl_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = fl_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}
