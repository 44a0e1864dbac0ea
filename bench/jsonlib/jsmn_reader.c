/* jsmn-based event readers for bench_jsonlib (bench/jsonlib).
 *
 * Compiled twice by run.sh: -DPFX=jp_ -DJSMN_PARENT_LINKS and -DPFX=jn_
 * (stock jsmn, no parent links).  Both use JSMN_STRICT.
 *
 * jsmn only records token boundaries in the caller's buffer; strings stay
 * escaped, so this reader decodes escapes itself into a scratch buffer
 * (standing in for the window arena).  The token array and the scratch
 * buffer are allocated once per run and grown by doubling: no per-event
 * allocation.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <stdlib.h>
#include <string.h>

#include "common.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(x) CAT(PFX, x)

size_t FN(tokens_used);
size_t FN(token_size) = sizeof(jsmntok_t);

typedef struct {
  jsmntok_t *tok;
  unsigned cap;
  char *scratch;
  size_t scap;
} rd_t;

static int rd_init(rd_t *r, unsigned cap) {
  r->cap = cap;
  r->tok = malloc(sizeof(jsmntok_t) * cap);
  r->scap = 4096;
  r->scratch = malloc(r->scap);
  return r->tok && r->scratch ? 0 : -1;
}

static void rd_fini(rd_t *r) {
  free(r->tok);
  free(r->scratch);
}

/* Tokenize js[0..len) from scratch, doubling the token array on
 * JSMN_ERROR_NOMEM (jsmn resumes where it stopped).  Returns tokens used. */
static int tokenize(rd_t *r, const char *js, size_t len, jsmn_parser *p) {
  jsmn_init(p);
  for (;;) {
    int rc = jsmn_parse(p, js, len, r->tok, r->cap);
    if (rc == JSMN_ERROR_NOMEM) {
      unsigned ncap = r->cap * 2;
      jsmntok_t *nt = realloc(r->tok, sizeof(jsmntok_t) * ncap);
      if (!nt) return -1;
      r->tok = nt;
      r->cap = ncap;
      continue;
    }
    if (rc < 0) return rc;
    return (int)p->toknext;
  }
}

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

static long hex4(const char *s) {
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexval((unsigned char)s[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Decode the JSON escapes of s[0..n) into out (needs n bytes at most). */
static long unescape(const char *s, size_t n, char *out) {
  char *o = out;
  size_t i = 0;
  while (i < n) {
    char ch = s[i];
    if (ch != '\\') {
      *o++ = ch;
      i++;
      continue;
    }
    if (i + 1 >= n) return -1;
    ch = s[i + 1];
    i += 2;
    switch (ch) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '/': *o++ = '/'; break;
    case 'b': *o++ = '\b'; break;
    case 'f': *o++ = '\f'; break;
    case 'n': *o++ = '\n'; break;
    case 'r': *o++ = '\r'; break;
    case 't': *o++ = '\t'; break;
    case 'u': {
      if (i + 4 > n) return -1;
      long cp = hex4(s + i);
      if (cp < 0) return -1;
      i += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        long lo;
        if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' || (lo = hex4(s + i + 2)) < 0xDC00 ||
            lo > 0xDFFF)
          return -1;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i += 6;
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return -1;
      }
      if (cp < 0x80) {
        *o++ = (char)cp;
      } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
      } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
      }
      break;
    }
    default:
      return -1;
    }
  }
  return o - out;
}

static int skip(const jsmntok_t *t, int i, int n) {
  int end = t[i].end;
  for (i++; i < n && t[i].start < end; i++) {
  }
  return i;
}

static int key_is(const char *js, const jsmntok_t *k, const char *s, int sl) {
  return k->end - k->start == sl && memcmp(js + k->start, s, (size_t)sl) == 0;
}

static int field_str(rd_t *r, evacc_t *e, int f, const char *js, const jsmntok_t *v) {
  if (v->type != JSMN_STRING) return 0; /* null: stays empty */
  const char *s = js + v->start;
  size_t n = (size_t)(v->end - v->start);
  if (!memchr(s, '\\', n)) {
    ev_field(e, f, s, n);
    return 0;
  }
  if (n > r->scap) {
    while (r->scap < n) r->scap *= 2;
    free(r->scratch);
    r->scratch = malloc(r->scap);
    if (!r->scratch) return -1;
  }
  long m = unescape(s, n, r->scratch);
  if (m < 0) return -1;
  ev_field(e, f, r->scratch, (size_t)m);
  return 0;
}

static long long prim_int(const char *js, const jsmntok_t *v) {
  const char *s = js + v->start, *end = js + v->end;
  int neg = 0;
  long long x = 0;
  if (v->type != JSMN_PRIMITIVE || *s == 'n') return 0;
  if (*s == '-') neg = 1, s++;
  for (; s < end && *s >= '0' && *s <= '9'; s++) x = x * 10 + (*s - '0');
  return neg ? -x : x;
}

/* One event object at token i; returns the index after it, -1 on error. */
static int event(rd_t *r, const char *js, const jsmntok_t *t, int i, int n, chk_t *c) {
  if (t[i].type != JSMN_OBJECT) return -1;
  evacc_t e;
  ev_begin(&e);
  int nm = t[i].size, j = i + 1;
  for (int m = 0; m < nm; m++) {
    const jsmntok_t *k = &t[j], *v = &t[j + 1];
    int rc = 0;
    switch (k->end - k->start) {
    case 5:
      if (key_is(js, k, "count", 5)) e.count = prim_int(js, v);
      break;
    case 6:
      if (key_is(js, k, "reason", 6)) rc = field_str(r, &e, F_REASON, js, v);
      break;
    case 7:
      if (key_is(js, k, "message", 7)) rc = field_str(r, &e, F_MSG, js, v);
      break;
    case 13:
      if (key_is(js, k, "lastTimestamp", 13)) rc = field_str(r, &e, F_LAST, js, v);
      break;
    case 14:
      if (key_is(js, k, "involvedObject", 14) && v->type == JSMN_OBJECT) {
        int om = v->size, q = j + 2;
        for (int x = 0; x < om; x++) {
          const jsmntok_t *ik = &t[q], *iv = &t[q + 1];
          if (key_is(js, ik, "namespace", 9))
            rc |= field_str(r, &e, F_NS, js, iv);
          else if (key_is(js, ik, "name", 4))
            rc |= field_str(r, &e, F_NAME, js, iv);
          q = skip(t, q + 1, n);
        }
      }
      break;
    default:
      break;
    }
    if (rc) return -1;
    j = skip(t, j + 1, n);
  }
  ev_end(c, &e);
  return j;
}

/* Whole List document tokenized at once into one (grown) token array. */
int FN(list)(const char *buf, size_t len, chk_t *c) {
  rd_t r;
  jsmn_parser p;
  int rc = -1;
  if (rd_init(&r, (unsigned)(len / 32 + 64))) return -1;
  int n = tokenize(&r, buf, len, &p);
  FN(tokens_used) = n > 0 ? (size_t)n : 0;
  if (n <= 0 || r.tok[0].type != JSMN_OBJECT) goto out;
  const jsmntok_t *t = r.tok;
  int j = 1;
  for (int m = 0; m < t[0].size; m++) {
    if (key_is(buf, &t[j], "items", 5) && t[j + 1].type == JSMN_ARRAY) {
      int cnt = t[j + 1].size, q = j + 2;
      for (int x = 0; x < cnt; x++)
        if ((q = event(&r, buf, t, q, n, c)) < 0) goto out;
    }
    j = skip(t, j + 1, n);
  }
  rc = 0;
out:
  rd_fini(&r);
  return rc;
}

/* List document split into items by a byte scanner (depth outside strings;
 * strings skipped with memchr for '"', an odd run of backslashes before it
 * meaning escaped); each item is tokenized alone into one reused token array.  Memory stays
 * bounded by the largest item, and the same scanner at depth 0 splits the
 * concatenated objects of `kubectl get events --watch -o json`. */
int FN(split)(const char *buf, size_t len, chk_t *c) {
  rd_t r;
  jsmn_parser p;
  int rc = -1, depth = 0, in_items = 0;
  const char *s = buf, *end = buf + len, *lastkey = NULL, *elem = NULL;
  size_t lastkeylen = 0, maxtok = 0;
  if (rd_init(&r, 256)) return -1;
  while (s < end) {
    char ch = *s;
    if (ch == '"') {
      const char *str = ++s;
      for (;;) { /* next '"' not preceded by an odd run of backslashes */
        s = memchr(s, '"', (size_t)(end - s));
        if (!s) goto out;
        const char *b = s;
        while (b > str && b[-1] == '\\') b--;
        if (((s - b) & 1) == 0) break;
        s++;
      }
      if (depth == 1) lastkey = str, lastkeylen = (size_t)(s - str);
    } else if (ch == '{' || ch == '[') {
      if (depth == 1 && ch == '[' && lastkeylen == 5 && memcmp(lastkey, "items", 5) == 0)
        in_items = 1;
      else if (in_items && depth == 2)
        elem = s;
      depth++;
    } else if (ch == '}' || ch == ']') {
      depth--;
      if (in_items && depth == 2) {
        int n = tokenize(&r, elem, (size_t)(s + 1 - elem), &p);
        if (n <= 0 || event(&r, elem, r.tok, 0, n, c) < 0) goto out;
        if ((size_t)n > maxtok) maxtok = (size_t)n;
      } else if (depth == 1) {
        in_items = 0;
      }
    }
    s++;
  }
  FN(tokens_used) = maxtok;
  rc = depth == 0 ? 0 : -1;
out:
  rd_fini(&r);
  return rc;
}

/* JSON Lines: one reused token array, one tokenize per line. */
int FN(jsonl)(const char *buf, size_t len, chk_t *c) {
  rd_t r;
  jsmn_parser p;
  int rc = -1;
  size_t maxtok = 0;
  if (rd_init(&r, 256)) return -1;
  const char *s = buf, *end = buf + len;
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *le = nl ? nl : end;
    if (le > s) {
      int n = tokenize(&r, s, (size_t)(le - s), &p);
      if (n <= 0 || event(&r, s, r.tok, 0, n, c) < 0) goto out;
      if ((size_t)n > maxtok) maxtok = (size_t)n;
    }
    s = le + 1;
  }
  FN(tokens_used) = maxtok;
  rc = 0;
out:
  rd_fini(&r);
  return rc;
}

void FN(err)(const char *buf, size_t len, errrep_t *rep) {
  rd_t r;
  jsmn_parser p;
  rep->rejected = 0;
  rep->offset = -1;
  rep->msg[0] = 0;
  if (rd_init(&r, 64)) return;
  int n = tokenize(&r, buf, len, &p);
  if (n < 0) {
    rep->rejected = 1;
    rep->offset = (long)p.pos;
    strcpy(rep->msg, n == JSMN_ERROR_INVAL ? "JSMN_ERROR_INVAL" : n == JSMN_ERROR_PART ? "JSMN_ERROR_PART" : "JSMN_ERROR_NOMEM");
  }
  rd_fini(&r);
}
