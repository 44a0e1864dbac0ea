/* bench_jsonlib: the work a faultline event reader does, once per JSON
 * library available in Debian 12.
 *
 *   bench_jsonlib LIB MODE FILE      time one library on one file
 *   bench_jsonlib LIB err            error reports on malformed samples
 *
 * LIB : jsmn jsmn-split jsmn-noparent yajl-tree yajl-sax jansson json-c cjson
 * MODE: list  (FILE is a `kubectl get events -A -o json` List document)
 *       jsonl (FILE has one event object per line)
 *
 * For every event: reason, involvedObject.namespace/.name, lastTimestamp,
 * message (decoded) and count, folded into a checksum (see common.h) that
 * must be identical for every library.  The file is read into memory first
 * (not timed); each run parses, extracts and frees.  Prints one RESULT line.
 *
 * Allocation counting: this program defines malloc/calloc/realloc/free
 * itself and forwards them to glibc's __libc_* functions.  ELF symbol
 * interposition makes the shared libraries (libjansson, libjson-c, libcjson,
 * libyajl) and glibc itself (strdup ...) call these, so every heap
 * allocation is counted, including json-c's, which has no allocator hook.
 * Libraries that have a hook get it set to a second counter ("via hook"),
 * which shows how much of their allocation the hook really covers.
 *
 * Files: jsmn_reader.c (jsmn readers, built with and without parent links),
 * lib_jansson.c and lib_jsonc.c (own translation units: their headers clash),
 * common.h (checksum), gen.py (data), run.sh (build, run, report.py).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "common.h"

#define MAXRUNS 101

/* ---- counting allocator ------------------------------------------------ */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

typedef struct {
  uint64_t calls, bytes, frees;
  int64_t live, peak;
} ctr_t;

static int g_on;
static ctr_t g_all, g_hook;

static void live_add(int64_t d) {
  g_all.live += d;
  if (g_all.live > g_all.peak) g_all.peak = g_all.live;
}

void *malloc(size_t n) {
  void *p = __libc_malloc(n);
  if (g_on && p) {
    g_all.calls++;
    g_all.bytes += n;
    live_add((int64_t)malloc_usable_size(p));
  }
  return p;
}

void *calloc(size_t a, size_t b) {
  void *p = __libc_calloc(a, b);
  if (g_on && p) {
    g_all.calls++;
    g_all.bytes += a * b;
    live_add((int64_t)malloc_usable_size(p));
  }
  return p;
}

void *realloc(void *q, size_t n) {
  int64_t old = (g_on && q) ? (int64_t)malloc_usable_size(q) : 0;
  void *p = __libc_realloc(q, n);
  if (g_on && p) {
    g_all.calls++;
    g_all.bytes += n;
    live_add((int64_t)malloc_usable_size(p) - old);
  }
  return p;
}

void free(void *p) {
  if (g_on && p) {
    g_all.frees++;
    live_add(-(int64_t)malloc_usable_size(p));
  }
  __libc_free(p);
}

/* The "one allocation hook" a library can be pointed at. */
static void *hook_malloc(size_t n) {
  if (g_on) g_hook.calls++, g_hook.bytes += n;
  return malloc(n);
}
static void hook_free(void *p) { free(p); }
static void *yhook_malloc(void *ctx, size_t n) {
  (void)ctx;
  return hook_malloc(n);
}
static void *yhook_realloc(void *ctx, void *p, size_t n) {
  (void)ctx;
  if (g_on) g_hook.calls++, g_hook.bytes += n;
  return realloc(p, n);
}
static void yhook_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}
static yajl_alloc_funcs yhooks = {yhook_malloc, yhook_realloc, yhook_free, NULL};

/* ---- helpers -------------------------------------------------------------- */

static int keyeq(const char *k, size_t kl, const char *s, size_t sl) {
  return kl == sl && memcmp(k, s, sl) == 0;
}

/* Field id of an event key: 0..F_N-1, FK_COUNT, FK_INV, or -1. */
enum { FK_COUNT = F_N, FK_INV };
static int event_key(const char *k, size_t n) {
  switch (n) {
  case 5: return keyeq(k, n, "count", 5) ? FK_COUNT : -1;
  case 6: return keyeq(k, n, "reason", 6) ? F_REASON : -1;
  case 7: return keyeq(k, n, "message", 7) ? F_MSG : -1;
  case 13: return keyeq(k, n, "lastTimestamp", 13) ? F_LAST : -1;
  case 14: return keyeq(k, n, "involvedObject", 14) ? FK_INV : -1;
  default: return -1;
  }
}
static int inv_key(const char *k, size_t n) {
  if (keyeq(k, n, "namespace", 9)) return F_NS;
  if (keyeq(k, n, "name", 4)) return F_NAME;
  return -1;
}

/* ---- cJSON ---------------------------------------------------------------- */

static void cj_str(evacc_t *e, int f, const cJSON *v) {
  if (cJSON_IsString(v)) ev_field(e, f, v->valuestring, strlen(v->valuestring));
}

static void cj_event(const cJSON *o, chk_t *c) {
  evacc_t e;
  ev_begin(&e);
  cj_str(&e, F_REASON, cJSON_GetObjectItemCaseSensitive(o, "reason"));
  const cJSON *inv = cJSON_GetObjectItemCaseSensitive(o, "involvedObject");
  cj_str(&e, F_NS, cJSON_GetObjectItemCaseSensitive(inv, "namespace"));
  cj_str(&e, F_NAME, cJSON_GetObjectItemCaseSensitive(inv, "name"));
  cj_str(&e, F_LAST, cJSON_GetObjectItemCaseSensitive(o, "lastTimestamp"));
  cj_str(&e, F_MSG, cJSON_GetObjectItemCaseSensitive(o, "message"));
  const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(o, "count");
  if (cJSON_IsNumber(cnt)) e.count = (long long)cnt->valuedouble;
  ev_end(c, &e);
}

static int run_cjson_list(char *buf, size_t len, chk_t *c) {
  const char *endp = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &endp, 0);
  if (!root) {
    fprintf(stderr, "cJSON: error at offset %td\n", endp ? endp - buf : -1);
    return -1;
  }
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "items")) cj_event(it, c);
  cJSON_Delete(root);
  return 0;
}

static int cjson_line(char *s, size_t n, void *ctx) {
  cJSON *o = cJSON_ParseWithLength(s, n);
  if (!o) return -1;
  cj_event(o, ctx);
  cJSON_Delete(o);
  return 0;
}

/* ---- yajl tree ------------------------------------------------------------ */

static yajl_val yt_get(yajl_val o, const char *key) {
  if (!YAJL_IS_OBJECT(o)) return NULL;
  for (size_t i = 0; i < o->u.object.len; i++)
    if (strcmp(o->u.object.keys[i], key) == 0) return o->u.object.values[i];
  return NULL;
}

static void yt_str(evacc_t *e, int f, yajl_val v) {
  if (YAJL_IS_STRING(v)) ev_field(e, f, v->u.string, strlen(v->u.string));
}

static void yt_event(yajl_val o, chk_t *c) {
  evacc_t e;
  ev_begin(&e);
  yt_str(&e, F_REASON, yt_get(o, "reason"));
  yajl_val inv = yt_get(o, "involvedObject");
  yt_str(&e, F_NS, yt_get(inv, "namespace"));
  yt_str(&e, F_NAME, yt_get(inv, "name"));
  yt_str(&e, F_LAST, yt_get(o, "lastTimestamp"));
  yt_str(&e, F_MSG, yt_get(o, "message"));
  yajl_val cnt = yt_get(o, "count");
  if (YAJL_IS_INTEGER(cnt)) e.count = YAJL_GET_INTEGER(cnt);
  ev_end(c, &e);
}

/* yajl_tree_parse wants a NUL-terminated string: buf has one past the end. */
static int run_ytree_list(char *buf, size_t len, chk_t *c) {
  (void)len;
  char eb[512];
  yajl_val root = yajl_tree_parse(buf, eb, sizeof eb);
  if (!root) {
    fprintf(stderr, "yajl-tree: %s\n", eb);
    return -1;
  }
  yajl_val items = yt_get(root, "items");
  if (YAJL_IS_ARRAY(items))
    for (size_t i = 0; i < items->u.array.len; i++) yt_event(items->u.array.values[i], c);
  yajl_tree_free(root);
  return 0;
}

static int ytree_line(char *s, size_t n, void *ctx) {
  char eb[512], save = s[n];
  s[n] = 0; /* the '\n' (or the file's terminating NUL), restored below */
  yajl_val o = yajl_tree_parse(s, eb, sizeof eb);
  s[n] = save;
  if (!o) {
    fprintf(stderr, "yajl-tree: %s\n", eb);
    return -1;
  }
  yt_event(o, ctx);
  yajl_tree_free(o);
  return 0;
}

/* ---- yajl SAX ------------------------------------------------------------- */

#define SAX_MAXD 64
typedef struct {
  int depth, ev_depth;   /* event objects live at ev_depth (List 3, JSONL 1) */
  int arr[SAX_MAXD];     /* container at depth d is an array */
  int key[SAX_MAXD];     /* key id last seen in the object at depth d */
  int items;             /* List: the array at depth 2 is "items" */
  evacc_t e;
  chk_t *c;
} sax_t;

/* Which field does a scalar at the current position feed (-1: none). */
static int sax_field(const sax_t *x) {
  int d = x->depth, ed = x->ev_depth;
  if (ed == 3 && !x->items) return -1;
  if (d == ed && !x->arr[d]) return x->key[d];
  if (d == ed + 1 && !x->arr[d] && x->key[ed] == FK_INV) return x->key[d];
  return -1;
}

static int sax_string(void *ctx, const unsigned char *s, size_t n) {
  sax_t *x = ctx;
  int f = sax_field(x);
  if (f >= 0 && f < F_N) ev_field(&x->e, f, s, n);
  return 1;
}
static int sax_integer(void *ctx, long long v) {
  sax_t *x = ctx;
  if (sax_field(x) == FK_COUNT) x->e.count = v;
  return 1;
}
static int sax_scalar(void *ctx) {
  (void)ctx;
  return 1;
}
static int sax_bool(void *ctx, int b) {
  (void)ctx, (void)b;
  return 1;
}
static int sax_double(void *ctx, double d) {
  (void)ctx, (void)d;
  return 1;
}
static int sax_start(sax_t *x, int arr) {
  if (++x->depth >= SAX_MAXD) return 0;
  x->arr[x->depth] = arr;
  x->key[x->depth] = -1;
  return 1;
}
static int sax_start_map(void *ctx) {
  sax_t *x = ctx;
  if (!sax_start(x, 0)) return 0;
  if (x->depth == x->ev_depth && (x->ev_depth == 1 || x->items)) ev_begin(&x->e);
  return 1;
}
static int sax_end_map(void *ctx) {
  sax_t *x = ctx;
  if (x->depth == x->ev_depth && (x->ev_depth == 1 || x->items)) ev_end(x->c, &x->e);
  x->depth--;
  return 1;
}
static int sax_start_array(void *ctx) {
  sax_t *x = ctx;
  if (!sax_start(x, 1)) return 0;
  if (x->ev_depth == 3 && x->depth == 2) x->items = x->key[1] == 100;
  return 1;
}
static int sax_end_array(void *ctx) {
  sax_t *x = ctx;
  if (x->depth == 2) x->items = 0;
  x->depth--;
  return 1;
}
static int sax_map_key(void *ctx, const unsigned char *k, size_t n) {
  sax_t *x = ctx;
  int d = x->depth, ed = x->ev_depth;
  if (ed == 3 && d == 1)
    x->key[d] = keyeq((const char *)k, n, "items", 5) ? 100 : -1;
  else if (d == ed)
    x->key[d] = event_key((const char *)k, n);
  else if (d == ed + 1)
    x->key[d] = inv_key((const char *)k, n);
  return 1;
}

static const yajl_callbacks sax_cb = {
    sax_scalar, sax_bool, sax_integer, sax_double, NULL, sax_string,
    sax_start_map, sax_map_key, sax_end_map, sax_start_array, sax_end_array,
};

/* Feed the buffer in 64 KiB chunks as a stream reader would. */
static int run_ysax(char *buf, size_t len, chk_t *c, int jsonl) {
  sax_t x;
  memset(&x, 0, sizeof x);
  x.ev_depth = jsonl ? 1 : 3;
  x.c = c;
  yajl_handle h = yajl_alloc(&sax_cb, &yhooks, &x);
  if (jsonl) yajl_config(h, yajl_allow_multiple_values, 1);
  yajl_status st = yajl_status_ok;
  for (size_t off = 0; off < len && st == yajl_status_ok; off += 65536) {
    size_t n = len - off < 65536 ? len - off : 65536;
    st = yajl_parse(h, (const unsigned char *)buf + off, n);
  }
  if (st == yajl_status_ok) st = yajl_complete_parse(h);
  if (st != yajl_status_ok) {
    unsigned char *e = yajl_get_error(h, 0, (const unsigned char *)buf, len);
    fprintf(stderr, "yajl-sax: %s\n", e);
    yajl_free_error(h, e);
  }
  yajl_free(h);
  return st == yajl_status_ok ? 0 : -1;
}

/* ---- dispatch ------------------------------------------------------------- */

/* Not inlined: run.sh counts instructions inside it with
 * valgrind --tool=callgrind --toggle-collect=run_once. */
__attribute__((noinline)) int run_once(const char *lib, int jsonl, char *buf, size_t len, chk_t *c) {
  if (!strcmp(lib, "jsmn")) return jsonl ? jp_jsonl(buf, len, c) : jp_list(buf, len, c);
  if (!strcmp(lib, "jsmn-split")) return jsonl ? jp_jsonl(buf, len, c) : jp_split(buf, len, c);
  if (!strcmp(lib, "jsmn-noparent")) return jsonl ? jn_jsonl(buf, len, c) : jn_list(buf, len, c);
  if (!strcmp(lib, "jansson")) return jsonl ? jansson_jsonl(buf, len, c) : jansson_list(buf, len, c);
  if (!strcmp(lib, "json-c")) return jsonl ? jsonc_jsonl(buf, len, c) : jsonc_list(buf, len, c);
  if (!strcmp(lib, "cjson")) return jsonl ? each_line(buf, len, cjson_line, c) : run_cjson_list(buf, len, c);
  if (!strcmp(lib, "yajl-tree")) return jsonl ? each_line(buf, len, ytree_line, c) : run_ytree_list(buf, len, c);
  if (!strcmp(lib, "yajl-sax")) return run_ysax(buf, len, c, jsonl);
  fprintf(stderr, "unknown library %s\n", lib);
  return -2;
}

/* ---- error reports ---------------------------------------------------------- */

static const struct {
  const char *name, *text;
  long where; /* first byte at which the text is known to be invalid */
} samples[] = {
    {"missing comma (end of line 3)", "{\n  \"kind\": \"Event\",\n  \"reason\": \"Evicted\"\n  \"count\": 3\n}\n", 45},
    {"bad escape \\x (line 2)", "{\"kind\": \"Event\",\n \"message\": \"low on \\x memory\"}\n", 39},
    {"truncated object", "{\"kind\": \"Event\", \"reason\": \"Evic", 33},
    {"raw control char in string", "{\"message\": \"a\tb\"}", 14},
    {"unquoted value", "{\"count\": three}", 10},
};

static void err_one(const char *lib, const char *s, errrep_t *r) {
  size_t n = strlen(s);
  char *b = malloc(n + 1);
  memcpy(b, s, n + 1);
  r->rejected = 0;
  r->offset = -1;
  r->msg[0] = 0;
  if (!strcmp(lib, "jsmn") || !strcmp(lib, "jsmn-split")) {
    jp_err(b, n, r);
  } else if (!strcmp(lib, "jsmn-noparent")) {
    jn_err(b, n, r);
  } else if (!strcmp(lib, "jansson")) {
    jansson_err(b, n, r);
  } else if (!strcmp(lib, "json-c")) {
    jsonc_err(b, n, r);
  } else if (!strcmp(lib, "cjson")) {
    const char *endp = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(b, n, &endp, 0);
    if (!o) {
      r->rejected = 1;
      r->offset = endp ? endp - b : -1;
      snprintf(r->msg, sizeof r->msg, "(no message; return_parse_end only)");
    }
    cJSON_Delete(o);
  } else if (!strcmp(lib, "yajl-tree")) {
    char eb[256];
    yajl_val o = yajl_tree_parse(b, eb, sizeof eb);
    if (!o) {
      r->rejected = 1;
      snprintf(r->msg, sizeof r->msg, "%s", eb);
    }
    yajl_tree_free(o);
  } else if (!strcmp(lib, "yajl-sax")) {
    sax_t x;
    chk_t c = {0, 0, 0};
    memset(&x, 0, sizeof x);
    x.ev_depth = 1;
    x.c = &c;
    yajl_handle h = yajl_alloc(&sax_cb, &yhooks, &x);
    yajl_status st = yajl_parse(h, (unsigned char *)b, n);
    r->offset = (long)yajl_get_bytes_consumed(h);
    if (st == yajl_status_ok) {
      st = yajl_complete_parse(h); /* fails only at end of input */
      r->offset = (long)n;
    }
    if (st != yajl_status_ok) {
      r->rejected = 1;
      unsigned char *e = yajl_get_error(h, 0, (unsigned char *)b, n);
      snprintf(r->msg, sizeof r->msg, "%s", (char *)e);
      yajl_free_error(h, e);
    }
    yajl_free(h);
  }
  free(b);
  /* one line for the markdown table: no newlines, pipes or runs of blanks */
  char *w = r->msg;
  for (const char *p = r->msg; *p; p++) {
    char ch = (*p == '\n' || *p == '\t' || *p == '|') ? ' ' : *p;
    if (ch == '"') ch = '\'';
    if (ch == ' ' && (w == r->msg || w[-1] == ' ')) continue;
    *w++ = ch;
  }
  *w = 0;
}

static int errors(const char *lib) {
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
    errrep_t r;
    err_one(lib, samples[i].text, &r);
    printf("ERR lib=%s sample=\"%s\" fault_at=%ld rejected=%d offset=%ld msg=\"%s\"\n", lib, samples[i].name,
           samples[i].where, r.rejected, r.offset, r.msg);
  }
  return 0;
}

/* ---- main ------------------------------------------------------------------- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long maxrss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
}

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  jansson_hooks(hook_malloc, hook_free);
  cJSON_Hooks ch = {hook_malloc, hook_free};
  cJSON_InitHooks(&ch);

  if (argc == 3 && !strcmp(argv[2], "err")) return errors(argv[1]);
  if (argc != 4 || (strcmp(argv[2], "list") && strcmp(argv[2], "jsonl"))) {
    fprintf(stderr, "usage: %s LIB list|jsonl FILE | %s LIB err\n", argv[0], argv[0]);
    return 2;
  }
  const char *lib = argv[1], *path = argv[3];
  int jsonl = !strcmp(argv[2], "jsonl");

  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return 1;
  }
  size_t len = (size_t)st.st_size;
  char *buf = malloc(len + 1);
  size_t got = 0;
  while (got < len) {
    ssize_t r = read(fd, buf + got, len - got);
    if (r <= 0) {
      fprintf(stderr, "%s: short read\n", path);
      return 1;
    }
    got += (size_t)r;
  }
  buf[len] = 0;
  close(fd);
  long rss0 = maxrss_kb();

  /* BENCH_RUNS (default 5) runs; the figures are their median, min, max. */
  int runs = getenv("BENCH_RUNS") ? atoi(getenv("BENCH_RUNS")) : 5;
  if (runs < 1 || runs > MAXRUNS) runs = 5;
  double t[MAXRUNS], cpu[MAXRUNS];
  chk_t first = {0, 0, 0};
  ctr_t all = {0}, hook = {0};
  for (int r = 0; r < runs; r++) {
    chk_t c = {0, 0, FNV_OFF};
    memset(&g_all, 0, sizeof g_all);
    memset(&g_hook, 0, sizeof g_hook);
    g_on = 1;
    double c0 = cpu_s(), t0 = now_s();
    int rc = run_once(lib, jsonl, buf, len, &c);
    double t1 = now_s(), c1 = cpu_s();
    g_on = 0;
    if (rc) {
      fprintf(stderr, "%s %s: parse failed\n", lib, argv[2]);
      return 1;
    }
    all = g_all;
    hook = g_hook;
    t[r] = t1 - t0;
    cpu[r] = c1 - c0;
    if (r == 0) {
      first = c;
    } else if (c.sum != first.sum || c.hash != first.hash || c.events != first.events) {
      fprintf(stderr, "%s: checksum differs between runs\n", lib);
      return 1;
    }
  }
  qsort(t, (size_t)runs, sizeof t[0], cmpd);
  qsort(cpu, (size_t)runs, sizeof cpu[0], cmpd);
  double med = t[runs / 2];
  size_t tokens = 0, toksz = 0;
  if (!strncmp(lib, "jsmn", 4)) {
    int np = !strcmp(lib, "jsmn-noparent");
    tokens = np ? jn_tokens_used : jp_tokens_used;
    toksz = np ? jn_token_size : jp_token_size;
  }
  printf("RESULT lib=%s mode=%s bytes=%zu events=%llu sum=%llu hash=%016llx med_ms=%.1f min_ms=%.1f "
         "max_ms=%.1f cpu_ms=%.1f runs=%d mbps=%.1f allocs=%llu alloc_bytes=%llu frees=%llu hook_allocs=%llu peak_heap=%lld "
         "rss_before_kb=%ld rss_peak_kb=%ld tokens=%zu token_size=%zu\n",
         lib, argv[2], len, (unsigned long long)first.events, (unsigned long long)first.sum,
         (unsigned long long)first.hash, med * 1e3, t[0] * 1e3, t[runs - 1] * 1e3, cpu[runs / 2] * 1e3, runs, len / 1e6 / med,
         (unsigned long long)all.calls, (unsigned long long)all.bytes, (unsigned long long)all.frees,
         (unsigned long long)hook.calls, (long long)all.peak, rss0, maxrss_kb(), tokens, toksz);
  free(buf);
  return 0;
}
