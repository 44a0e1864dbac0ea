/* jansson reader for bench_jsonlib: its own translation unit because jansson.h
 * and json-c's headers declare clashing names (json_object, json_object_get,
 * json_type ...). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common.h"

/* ---- jansson -------------------------------------------------------------- */

static void jn_str(evacc_t *e, int f, json_t *v) {
  if (json_is_string(v)) ev_field(e, f, json_string_value(v), json_string_length(v));
}

static void jn_event(json_t *o, chk_t *c) {
  evacc_t e;
  ev_begin(&e);
  jn_str(&e, F_REASON, json_object_get(o, "reason"));
  json_t *inv = json_object_get(o, "involvedObject");
  jn_str(&e, F_NS, json_object_get(inv, "namespace"));
  jn_str(&e, F_NAME, json_object_get(inv, "name"));
  jn_str(&e, F_LAST, json_object_get(o, "lastTimestamp"));
  jn_str(&e, F_MSG, json_object_get(o, "message"));
  json_t *cnt = json_object_get(o, "count");
  if (json_is_integer(cnt)) e.count = json_integer_value(cnt);
  ev_end(c, &e);
}

static int run_jansson_list(char *buf, size_t len, chk_t *c) {
  json_error_t err;
  json_t *root = json_loadb(buf, len, 0, &err);
  if (!root) {
    fprintf(stderr, "jansson: %s at line %d col %d pos %d\n", err.text, err.line, err.column, err.position);
    return -1;
  }
  json_t *items = json_object_get(root, "items");
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) jn_event(it, c);
  json_decref(root);
  return 0;
}

static int jansson_line(char *s, size_t n, void *ctx) {
  json_error_t err;
  json_t *o = json_loadb(s, n, 0, &err);
  if (!o) {
    fprintf(stderr, "jansson: %s\n", err.text);
    return -1;
  }
  jn_event(o, ctx);
  json_decref(o);
  return 0;
}

int jansson_list(char *buf, size_t len, chk_t *c) { return run_jansson_list(buf, len, c); }

int jansson_jsonl(char *buf, size_t len, chk_t *c) { return each_line(buf, len, jansson_line, c); }

void jansson_hooks(void *(*m)(size_t), void (*f)(void *)) { json_set_alloc_funcs(m, f); }

void jansson_err(char *buf, size_t len, errrep_t *r) {
  json_error_t e;
  json_t *o = json_loadb(buf, len, 0, &e);
  if (!o) {
    r->rejected = 1;
    r->offset = e.position;
    snprintf(r->msg, sizeof r->msg, "line %d col %d: %s", e.line, e.column, e.text);
  }
  json_decref(o);
}
