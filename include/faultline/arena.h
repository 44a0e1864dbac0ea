/* arena.h - chunked bump allocator, one per window.
 *
 * Contract: memory handed out lives until fl_arena_reset or fl_arena_release; nothing is
 * freed individually. Chunks come from the allocation hook. Reset keeps the first chunk
 * (so a window reused in steady state allocates nothing) and, in debug builds
 * (FL_ARENA_POISON defined, the default without NDEBUG), fills released memory with 0xA5
 * so use-after-reset shows up. Allocation returns NULL when the hook fails or the cap
 * is reached; the arena stays usable.
 */
#ifndef FAULTLINE_ARENA_H
#define FAULTLINE_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct fl_arena_chunk;

struct fl_arena {
    struct fl_arena_chunk *head; /* current chunk (newest) */
    size_t chunk_size;           /* size of the next new chunk */
    size_t max_chunk;            /* chunk_size doubles per new chunk up to this */
    size_t cap;                  /* max total bytes of chunks, 0 = unlimited */
    size_t used;                 /* bytes handed out since the last reset */
    size_t reserved;             /* bytes of chunks currently held */
    size_t high_water;           /* max of used over the arena's life */
    uint64_t chunks_allocated;   /* chunk allocations over the arena's life */
};

#define FL_ARENA_DEFAULT_CHUNK (64u * 1024u)

void fl_arena_init(struct fl_arena *a, size_t chunk_size, size_t cap);
/* Let chunk sizes double from chunk_size up to max_chunk: small windows stay small, large
 * ones take few chunks. */
void fl_arena_set_growth(struct fl_arena *a, size_t max_chunk);
void fl_arena_release(struct fl_arena *a);
void fl_arena_reset(struct fl_arena *a);
/* Move every chunk of src into dst (no copy, no allocation, cannot fail): what src handed out
 * now lives as long as dst. The chunks go below dst's current one, which keeps serving new
 * allocations; src is left empty and usable. dst's cap is not checked. */
void fl_arena_adopt(struct fl_arena *dst, struct fl_arena *src);

void *fl_arena_alloc(struct fl_arena *a, size_t n, size_t align);
void *fl_arena_zalloc(struct fl_arena *a, size_t n, size_t align);
/* Copy len bytes and NUL-terminate; the copy is a view the caller may pass as fl_str. */
char *fl_arena_strndup_copy(struct fl_arena *a, const char *s, size_t len);
/* printf into the arena; returns NUL-terminated string or NULL. */
char *fl_arena_printf(struct fl_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *fl_arena_vprintf(struct fl_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define FL_ARENA_NEW(a, type) ((type *)fl_arena_zalloc((a), sizeof(type), _Alignof(type)))
/* n elements of size bytes; NULL on overflow. */
void *fl_arena_alloc_array(struct fl_arena *a, size_t n, size_t size, size_t align);
#define FL_ARENA_NEW_N(a, type, n)                                                                 \
    ((type *)fl_arena_alloc_array((a), (size_t)(n), sizeof(type), _Alignof(type)))

#endif
