/* ingest.h - the parser interface, registry and the context parsers write into.
 *
 * Contract: a parser is a static descriptor. sniff() looks at the first bytes of an input
 * (and its path) and returns a confidence 0-100 (0 = not mine); the registry picks the
 * highest, ties to the earlier parser. parse() reads the whole buffer, which stays alive as
 * long as the engine, so events may hold views into it. Parsers touch the engine only
 * through their fl_parse_ctx: they emit events, record skips and intern strings there.
 * A parser returns 0 when it read the input (skips included) or a negative FL_E* code when
 * it could not read it at all (ctx->err says why).
 */
#ifndef FAULTLINE_INGEST_H
#define FAULTLINE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/arena.h"
#include "faultline/err.h"
#include "faultline/event.h"
#include "faultline/str.h"

struct fl_engine;

struct fl_parse_ctx {
    struct fl_engine *engine;
    uint32_t input;       /* index of the input being parsed */
    const char *path;     /* display path of the input */
    uint32_t default_node; /* node from --node or the bundle directory, 0 = none */
    int64_t boot_ns;      /* --boot-time, FL_TIME_NONE when not given */
    struct fl_arena *arena; /* window arena: decoded bytes live here */
    struct fl_err err;
};

struct fl_parser {
    const char *name;    /* format name shown in inputs[].format */
    const char *summary; /* one line for --help and docs */
    int (*sniff)(const char *buf, size_t len, struct fl_str path);
    int (*parse)(struct fl_parse_ctx *ctx, const char *buf, size_t len);
    /* The format describes a cluster, not one node (kubectl dumps, Prometheus API results):
     * each record names its node or has none; the bundle directory and --node never do. */
    bool cluster_scope;
};

extern const struct fl_parser *const fl_parsers[];
extern const size_t fl_parsers_count;
const struct fl_parser *fl_parser_find(struct fl_str name);
/* Best parser for buf, or NULL when none claims it. */
const struct fl_parser *fl_parser_sniff(const char *buf, size_t len, struct fl_str path);

/* Append a copy of ev. Fills node from default_node when 0, src.input, and uid when 0.
 * Returns 0 or FL_ENOMEM. */
int fl_ingest_emit(struct fl_parse_ctx *ctx, const struct fl_event *ev);
/* Record a malformed record: line (1-based, or 0 with a byte offset) and a reason. The
 * reason is copied. Returns 0 or FL_ENOMEM. */
int fl_ingest_skip(struct fl_parse_ctx *ctx, uint32_t line, uint64_t offset, const char *reason);
uint32_t fl_ingest_intern(struct fl_parse_ctx *ctx, struct fl_str s);
/* Name of an interned id ("" for 0). */
struct fl_str fl_ingest_str(struct fl_parse_ctx *ctx, uint32_t id);
/* The input names its own node (a journal's hostname): node becomes the input's node and
 * default_node for the rest of the parse; rule is a static string the report shows
 * ("journal hostname"). It wins over --node and the bundle directory. */
void fl_ingest_set_node(struct fl_parse_ctx *ctx, uint32_t node, const char *rule);
/* A ranks map says rank ran on node (interned) with GPU index gpu (-1 absent), at line of the
 * input: counted as one of the input's records; applied after every input is read to the
 * Flight Recorder and py-spy events of that rank that name no node. 0 or FL_ENOMEM. */
int fl_ingest_rank(struct fl_parse_ctx *ctx, int32_t rank, uint32_t node, int32_t gpu,
                   uint32_t line);

#endif
