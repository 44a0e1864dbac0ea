/* json-c reader for bench_jsonlib: its own translation unit because jansson.h
 * and json-c's headers declare clashing names (json_object, json_object_get,
 * json_type ...). */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common.h"

/* ---- json-c --------------------------------------------------------------- */

static void jc_str(evacc_t *e, int f, json_object *o, const char *key) {
  json_object *v;
  if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
    ev_field(e, f, json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

static void jc_event(json_object *o, chk_t *c) {
  evacc_t e;
  json_object *inv = NULL, *cnt;
  ev_begin(&e);
  jc_str(&e, F_REASON, o, "reason");
  if (json_object_object_get_ex(o, "involvedObject", &inv)) {
    jc_str(&e, F_NS, inv, "namespace");
    jc_str(&e, F_NAME, inv, "name");
  }
  jc_str(&e, F_LAST, o, "lastTimestamp");
  jc_str(&e, F_MSG, o, "message");
  if (json_object_object_get_ex(o, "count", &cnt) && json_object_is_type(cnt, json_type_int))
    e.count = json_object_get_int64(cnt);
  ev_end(c, &e);
}

static json_object *jc_parse(json_tokener *tok, const char *s, size_t n) {
  json_tokener_reset(tok);
  json_object *o = json_tokener_parse_ex(tok, s, (int)n);
  if (!o)
    fprintf(stderr, "json-c: %s at offset %zu\n", json_tokener_error_desc(json_tokener_get_error(tok)),
            json_tokener_get_parse_end(tok));
  return o;
}

static int run_jsonc_list(char *buf, size_t len, chk_t *c) {
  json_tokener *tok = json_tokener_new();
  json_object *root = jc_parse(tok, buf, len), *items;
  json_tokener_free(tok);
  if (!root) return -1;
  if (json_object_object_get_ex(root, "items", &items)) {
    size_t n = json_object_array_length(items);
    for (size_t i = 0; i < n; i++) jc_event(json_object_array_get_idx(items, i), c);
  }
  json_object_put(root);
  return 0;
}

typedef struct {
  json_tokener *tok;
  chk_t *c;
} jc_ctx;

static int jsonc_line(char *s, size_t n, void *ctx) {
  jc_ctx *x = ctx;
  json_object *o = jc_parse(x->tok, s, n);
  if (!o) return -1;
  jc_event(o, x->c);
  json_object_put(o);
  return 0;
}

int jsonc_list(char *buf, size_t len, chk_t *c) { return run_jsonc_list(buf, len, c); }

int jsonc_jsonl(char *buf, size_t len, chk_t *c) {
  jc_ctx x = {json_tokener_new(), c};
  int rc = each_line(buf, len, jsonc_line, &x);
  json_tokener_free(x.tok);
  return rc;
}

void jsonc_err(char *buf, size_t len, errrep_t *r) {
  json_tokener *t = json_tokener_new();
  json_object *o = json_tokener_parse_ex(t, buf, (int)len);
  enum json_tokener_error je = json_tokener_get_error(t);
  if (!o) {
    r->rejected = 1;
    r->offset = (long)json_tokener_get_parse_end(t);
    snprintf(r->msg, sizeof r->msg, "%s%s", json_tokener_error_desc(je),
             je == json_tokener_continue ? " (incomplete: wants more input)" : "");
  }
  json_object_put(o);
  json_tokener_free(t);
}
