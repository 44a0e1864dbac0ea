/* The ranks map: where each rank of a distributed job ran (docs/formats/ranks-map.md).
 *
 *   rank,node,gpu        optional header (also "rank,node"; synonyms: global_rank, host,
 *   0,gpu-node-01,0      hostname, node_name; gpu_index); '#' comments, blank lines and
 *   1,gpu-node-01,1      spaces around fields are ignored; CRLF accepted
 *
 * Flight Recorder dumps and py-spy dumps name a rank, not a node: a bundle collected from a
 * shared filesystem puts every rank's file in one directory. This file joins them to their
 * node (and GPU index) so cross-layer detectors can meet a rank's hang with its node's XID.
 * The parser only records the mappings (fl_ingest_rank); the engine applies them after every
 * input is read (src/model/ranks.c), so file order does not matter. */
#include <string.h>

#include "faultline/ingest.h"

#define RM_MAX_RANK 16777215 /* 2^24 - 1: far past any job, and small enough to spot typos */
#define RM_MAX_GPU 1023
#define RM_SNIFF_BYTES 4096

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct fl_str chomp(struct fl_str s)
{
    if (s.len && s.ptr[s.len - 1] == '\r')
        s.len--;
    return s;
}

/* Split line at commas into at most 4 trimmed fields; the count (4 = 4 or more). */
static size_t split(struct fl_str line, struct fl_str f[4])
{
    size_t n = 0;
    for (;;) {
        const char *c = memchr(line.ptr, ',', line.len);
        size_t k = c ? (size_t)(c - line.ptr) : line.len;
        f[n++] = fl_str_trim(fl_str_make(line.ptr, k));
        if (!c || n == 4)
            return n;
        line = fl_str_make(c + 1, line.len - k - 1);
    }
}

static bool any_of(struct fl_str s, const char *const *names)
{
    for (; *names; names++)
        if (fl_str_eq_nocase(s, fl_str_from_cstr(*names)))
            return true;
    return false;
}

static const char *const rank_names[] = {"rank", "global_rank", NULL};
static const char *const node_names[] = {"node", "host", "hostname", "node_name", NULL};
static const char *const gpu_names[] = {"gpu", "gpu_index", NULL};

/* "rank,node[,gpu]" in any of the spellings above. */
static bool is_header(struct fl_str line)
{
    struct fl_str f[4];
    size_t n = split(line, f);
    return (n == 2 || n == 3) && any_of(f[0], rank_names) && any_of(f[1], node_names) &&
           (n == 2 || any_of(f[2], gpu_names));
}

static bool small_uint(struct fl_str s, int64_t max, int64_t *out)
{
    if (!s.len || s.len > 9)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (!is_digit(s.ptr[i]))
            return false;
        v = v * 10 + (s.ptr[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* A node name: what Kubernetes and hostnames allow (letters, digits, '-', '.', '_'). */
static bool node_name(struct fl_str s)
{
    if (!s.len || s.len > 253)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
              c == '.' || c == '_'))
            return false;
    }
    return true;
}

/* A data row: why it is not one, or NULL (rank, node and gpu (-1 absent) filled). */
static const char *row(struct fl_str line, int64_t *rank, struct fl_str *node, int64_t *gpu)
{
    struct fl_str f[4];
    size_t n = split(line, f);
    if (!small_uint(f[0], RM_MAX_RANK, rank))
        return "rank is not a whole number from 0 to 16777215";
    if (n < 2)
        return "expected rank,node[,gpu]: no node";
    if (n > 3)
        return "expected rank,node[,gpu]: too many columns";
    *node = f[1];
    if (!node_name(*node))
        return "node is empty or not a host name (letters, digits, '-', '.', '_')";
    *gpu = -1;
    if (n == 3 && f[2].len && !small_uint(f[2], RM_MAX_GPU, gpu))
        return "gpu is not a whole number from 0 to 1023";
    return NULL;
}

static bool blank_or_comment(struct fl_str t)
{
    return !t.len || t.ptr[0] == '#';
}

static int sniff(const char *buf, size_t len, struct fl_str path)
{
    struct fl_scan sc = fl_scan_make(buf, buf + (len < RM_SNIFF_BYTES ? len : RM_SNIFF_BYTES));
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        sc.p += 3;
    struct fl_str line;
    int rows = 0;
    while (fl_scan_line(&sc, &line)) {
        struct fl_str t = fl_str_trim(chomp(line));
        if (blank_or_comment(t))
            continue;
        if (rows == 0 && is_header(t))
            return 95;
        int64_t r, g;
        struct fl_str n;
        if (row(t, &r, &n, &g))
            return 0;
        if (++rows >= 4)
            break;
    }
    /* headerless: only when the name says so ("ranks.csv", "rank_map.txt") */
    if (!rows)
        return 0;
    const char *slash = NULL;
    for (size_t i = 0; i < path.len; i++)
        if (path.ptr[i] == '/')
            slash = path.ptr + i;
    struct fl_str base =
        slash ? fl_str_make(slash + 1, (size_t)(path.ptr + path.len - slash - 1)) : path;
    for (size_t i = 0; i + 4 <= base.len; i++)
        if (fl_str_eq_nocase(fl_str_make(base.ptr + i, 4), FL_STR_LIT("rank")))
            return 70;
    return 0;
}

static int parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct fl_scan sc = fl_scan_make(buf, buf + len);
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        sc.p += 3;
    struct fl_str line;
    uint32_t lineno = 0;
    bool seen_data = false;
    while (fl_scan_line(&sc, &line)) {
        lineno++;
        struct fl_str t = fl_str_trim(chomp(line));
        if (blank_or_comment(t))
            continue;
        if (!seen_data && is_header(t)) {
            seen_data = true;
            continue;
        }
        seen_data = true;
        if (memchr(t.ptr, '\0', t.len)) {
            if (fl_ingest_skip(ctx, lineno, 0, "NUL byte in a ranks-map line"))
                return FL_ENOMEM;
            continue;
        }
        int64_t rank, gpu;
        struct fl_str node;
        const char *why = row(t, &rank, &node, &gpu);
        if (why) {
            if (fl_ingest_skip(ctx, lineno, 0, why))
                return FL_ENOMEM;
            continue;
        }
        uint32_t id = fl_ingest_intern(ctx, node);
        if (id == FL_INTERN_FAIL)
            return FL_ENOMEM;
        if (fl_ingest_rank(ctx, (int32_t)rank, id, (int32_t)gpu, lineno))
            return FL_ENOMEM;
    }
    return 0;
}

const struct fl_parser fl_parser_ranks_map = {
    .name = "ranks-map",
    .summary = "where each rank ran: rank,node[,gpu] CSV (joins Flight Recorder and py-spy "
               "dumps to nodes)",
    .sniff = sniff,
    .parse = parse,
};
