/* Shared by bench_jsonlib.c and jsmn_reader.c (bench/jsonlib).
 *
 * The checksum every reader must reproduce (gen.py computes the reference):
 * per event, fields F = reason, involvedObject.namespace, involvedObject.name,
 * lastTimestamp, message (decoded UTF-8 bytes; missing or null = empty) and
 * count (missing or null = 0):
 *   sum  += sum(len(F_i)) + count
 *   hash  = FNV-1a-64 mixing of fnv1a64(F_i) for each i, then count.
 */
#ifndef BENCH_JSONLIB_COMMON_H
#define BENCH_JSONLIB_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FNV_OFF 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

enum { F_REASON, F_NS, F_NAME, F_LAST, F_MSG, F_N };

typedef struct {
  uint64_t events, sum, hash;
} chk_t;

typedef struct {
  uint64_t fh[F_N];
  uint64_t fl[F_N];
  long long count;
} evacc_t;

static inline uint64_t fnv1a(const void *p, size_t n) {
  const unsigned char *s = p;
  uint64_t h = FNV_OFF;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= FNV_PRIME;
  }
  return h;
}

static inline void ev_begin(evacc_t *e) {
  for (int i = 0; i < F_N; i++) {
    e->fh[i] = FNV_OFF;
    e->fl[i] = 0;
  }
  e->count = 0;
}

static inline void ev_field(evacc_t *e, int f, const void *p, size_t n) {
  e->fh[f] = fnv1a(p, n);
  e->fl[f] = n;
}

static inline void ev_end(chk_t *c, const evacc_t *e) {
  uint64_t h = c->hash;
  for (int i = 0; i < F_N; i++) {
    c->sum += e->fl[i];
    h ^= e->fh[i];
    h *= FNV_PRIME;
  }
  c->sum += (uint64_t)e->count;
  h ^= (uint64_t)e->count;
  h *= FNV_PRIME;
  c->hash = h;
  c->events++;
}

/* Error report of one malformed sample: rc 0 = accepted (no error). */
typedef struct {
  int rejected;
  long offset; /* byte offset reported by the library, -1 if none */
  char msg[256];
} errrep_t;

/* jsmn readers, compiled twice from jsmn_reader.c: with JSMN_PARENT_LINKS
 * (prefix jp_) and without (prefix jn_). All use JSMN_STRICT. */
#define JSMN_READER_DECL(P)                                                    \
  int P##list(const char *buf, size_t len, chk_t *c);                          \
  int P##split(const char *buf, size_t len, chk_t *c);                         \
  int P##jsonl(const char *buf, size_t len, chk_t *c);                         \
  void P##err(const char *buf, size_t len, errrep_t *r);                       \
  extern size_t P##tokens_used, P##token_size;
JSMN_READER_DECL(jp_)
JSMN_READER_DECL(jn_)

/* Iterate the lines of buf; fn(line, len, ctx) < 0 aborts. */
typedef int (*line_fn)(char *s, size_t n, void *ctx);
static inline int each_line(char *buf, size_t len, line_fn fn, void *ctx) {
  char *s = buf, *end = buf + len;
  while (s < end) {
    char *nl = memchr(s, '\n', (size_t)(end - s));
    char *le = nl ? nl : end;
    if (le > s && fn(s, (size_t)(le - s), ctx) < 0) return -1;
    s = le + 1;
  }
  return 0;
}

/* lib_jansson.c, lib_jsonc.c */
int jansson_list(char *buf, size_t len, chk_t *c);
int jansson_jsonl(char *buf, size_t len, chk_t *c);
void jansson_err(char *buf, size_t len, errrep_t *r);
void jansson_hooks(void *(*m)(size_t), void (*f)(void *));
int jsonc_list(char *buf, size_t len, chk_t *c);
int jsonc_jsonl(char *buf, size_t len, chk_t *c);
void jsonc_err(char *buf, size_t len, errrep_t *r);

#endif
