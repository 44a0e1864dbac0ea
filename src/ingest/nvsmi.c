/* nvidia-smi text output: `nvidia-smi -q` (also -q -d ..., -q -i ..., -q -l: several logs
 * back to back) and the default `nvidia-smi` table. docs/formats/gpu-metrics.md lists what is
 * read, the layouts and every skip reason.
 *
 * -q is indentation-structured: `GPU 00000000:BB:DD.F` at column 0 opens a GPU, sections are
 * header lines, fields are `Key<padding>: value`. A GPU's fields are gathered while its block
 * is read and turned into events when it ends: throttle (clocks-event reasons), ecc (ECC
 * counters summed per type, retired pages, remapped rows) and gpu_sample (temperatures, power,
 * PCIe replays, SM clock, utilization, clocks-event counters). Every event carries the GPU's
 * PCI address, UUID and, when the log lists every attached GPU, its index (the order of the
 * blocks is NVML's index order): later joins build the index/UUID <-> PCI map from them.
 * Raw bytes are views into the input (the field's line or the section's lines).
 */
#include <stdio.h>
#include <string.h>

#include "faultline/catalog.h"
#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/gpu_metrics.h"

#define BANNER "==============NVSMI LOG=============="

#define MAXDEPTH 12

struct nv {
    struct fl_parse_ctx *ctx;
    const char *buf, *end;
    int64_t ts;
    int64_t attached; /* "Attached GPUs", -1 unknown */
    int nblocks;      /* GPU blocks in this log */
    int ordinal;
    struct fl_gm_gpu g;
    size_t indent[MAXDEPTH];
    struct fl_str sec[MAXDEPTH];
    int depth;              /* sections open inside the GPU block */
    struct fl_gm_span *cur; /* span of the open level-1 section being recorded, or NULL */
    char why[160];
};

/* ---- helpers --------------------------------------------------------------------------- */

static bool sec_is(struct fl_str s, const char *name)
{
    return fl_str_eq_nocase(s, fl_str_from_cstr(name));
}

static void set_val(struct fl_gm_val *v, double x, struct fl_str line, uint32_t lineno)
{
    fl__gm_val_set(v, x, (struct fl_gm_span){line.ptr, line.ptr + line.len, lineno});
}

/* A numeric field: its value, "no data" (N/A, [Not Supported], Unknown Error...: false with
 * no skip) or a skip when it starts like a number but is not one. */
static int number(struct nv *n, struct fl_str key, struct fl_str v, uint32_t lineno, double *out,
                  bool *ok)
{
    *ok = false;
    if (!v.len || !((v.ptr[0] >= '0' && v.ptr[0] <= '9') || v.ptr[0] == '-'))
        return 0;
    if (fl__gm_leading_number(v, out)) {
        *ok = true;
        return 0;
    }
    snprintf(n->why, sizeof n->why, "\"%.*s\": not a number", (int)(key.len > 60 ? 60 : key.len),
             key.ptr);
    return fl_ingest_skip(n->ctx, lineno, 0, n->why);
}

static int64_t count_gpu_blocks(const char *p, const char *end)
{
    int64_t k = 0;
    struct fl_scan sc = fl_scan_make(p, end);
    struct fl_str line;
    bool first = true;
    while (fl_scan_line(&sc, &line)) {
        if (fl_str_starts_with(fl_str_trim(line), BANNER) && !first)
            break;
        first = false;
        if (line.len > 4 && memcmp(line.ptr, "GPU ", 4) == 0)
            k++;
    }
    return k;
}

static int flush_gpu(struct nv *n)
{
    int rc = fl__gm_gpu_flush(n->ctx, &n->g, n->ts);
    n->cur = NULL;
    n->depth = 0;
    return rc;
}

/* ---- -q fields ------------------------------------------------------------------------- */

/* One `Key : value` inside the current GPU; sec[0..depth) is the section path. */
static int gpu_field(struct nv *n, struct fl_str line, struct fl_str key, struct fl_str v,
                     uint32_t lineno)
{
    struct fl_gm_gpu *g = &n->g;
    double x;
    bool ok;
    int rc;
    if (n->depth == 0) {
        if (sec_is(key, "GPU UUID") && v.len && v.ptr[0] != 'N')
            g->uuid = v;
        return 0;
    }
    struct fl_str s1 = n->sec[0];
    struct fl_str s2 = n->depth > 1 ? n->sec[1] : FL_STR_NULL;
    if (sec_is(s1, "Clocks Event Reasons") || sec_is(s1, "Clocks Throttle Reasons")) {
        uint64_t bit = fl__gm_throttle_bit(key);
        bool active = sec_is(v, "Active");
        if (!active && !sec_is(v, "Not Active"))
            return 0; /* N/A */
        if (!bit) {
            if (!active)
                return 0;
            snprintf(n->why, sizeof n->why, "clocks-event reason \"%.*s\" is not in the catalog",
                     (int)(key.len > 60 ? 60 : key.len), key.ptr);
            return fl_ingest_skip(n->ctx, lineno, 0, n->why);
        }
        g->thr_seen = true;
        if (active)
            g->mask |= bit;
        return 0;
    }
    if (fl_str_starts_with(s1, "Clocks Event Reasons Counters") ||
        fl_str_starts_with(s1, "Clocks Throttle Reasons Counters")) {
        int i = fl__gm_ctr_index(key);
        if (i < 0)
            return 0;
        if ((rc = number(n, key, v, lineno, &x, &ok)) || !ok)
            return rc;
        set_val(&g->ctr[i], x, line, lineno);
        return 0;
    }
    if (sec_is(s1, "ECC Errors")) {
        int agg = sec_is(s2, "Volatile") ? 0 : sec_is(s2, "Aggregate") ? 1 : -1;
        if (agg < 0)
            return 0; /* Aggregate Uncorrectable SRAM Sources: a breakdown, not more errors */
        char b[48];
        struct fl_str q = fl__gm_squash(key, b, sizeof b);
        int kind = -1;
        bool total = false;
        if (n->depth > 2) { /* old layout: Single Bit / Double Bit, then locations and Total */
            struct fl_str s3 = n->sec[2];
            kind = sec_is(s3, "Single Bit") ? 0 : sec_is(s3, "Double Bit") ? 1 : -1;
            total = fl_str_eq_cstr(q, "total");
            g->old_ecc = true;
        } else if (fl_str_starts_with(q, "sram") || fl_str_starts_with(q, "dram")) {
            struct fl_str rest = fl_str_sub(q, 4, q.len);
            kind = fl_str_starts_with(rest, "correctable")     ? 0
                   : fl_str_starts_with(rest, "uncorrectable") ? 1
                                                               : -1;
        }
        if (kind < 0)
            return 0;
        if ((rc = number(n, key, v, lineno, &x, &ok)) || !ok)
            return rc;
        struct fl_gm_cnt *c = &g->ecc[kind][agg];
        if (total) {
            c->total = (int64_t)x;
            c->total_seen = true;
        } else {
            c->sum += (int64_t)x;
            c->seen = true;
        }
        return 0;
    }
    if (sec_is(s1, "Retired Pages")) {
        if (sec_is(key, "Single Bit ECC") || sec_is(key, "Double Bit ECC")) {
            if ((rc = number(n, key, v, lineno, &x, &ok)) || !ok)
                return rc;
            set_val(key.ptr[0] == 'S' || key.ptr[0] == 's' ? &g->ret_sbe : &g->ret_dbe, x, line,
                    lineno);
        } else if (fl_str_starts_with(key, "Pending")) {
            int yn = fl__gm_yes_no(v);
            if (yn >= 0)
                set_val(&g->ret_pending, yn, line, lineno);
        }
        return 0;
    }
    if (sec_is(s1, "Remapped Rows")) {
        if (n->depth > 1)
            return 0; /* Bank Remap Availability Histogram */
        struct fl_gm_val *t = sec_is(key, "Correctable Error")            ? &g->rr_corr
                              : sec_is(key, "Uncorrectable Error")        ? &g->rr_unc
                              : sec_is(key, "Pending")                    ? &g->rr_pending
                              : sec_is(key, "Remapping Failure Occurred") ? &g->rr_failure
                                                                          : NULL;
        if (!t)
            return 0;
        if (t == &g->rr_pending || t == &g->rr_failure) {
            int yn = fl__gm_yes_no(v);
            if (yn >= 0)
                set_val(t, yn, line, lineno);
            return 0;
        }
        if ((rc = number(n, key, v, lineno, &x, &ok)) || !ok)
            return rc;
        set_val(t, x, line, lineno);
        return 0;
    }
    struct fl_gm_val *t = NULL;
    if (sec_is(s1, "Temperature") && n->depth == 1)
        t = sec_is(key, "GPU Current Temp") || sec_is(key, "Gpu") ? &g->temp
            : sec_is(key, "Memory Current Temp")                  ? &g->mtemp
                                                                  : NULL;
    else if ((sec_is(s1, "GPU Power Readings") || sec_is(s1, "Power Readings")) && n->depth == 1)
        t = sec_is(key, "Power Draw")           ? &g->power
            : sec_is(key, "Average Power Draw") ? &g->power_avg
                                                : NULL;
    else if (sec_is(s1, "PCI") && n->depth == 1)
        t = sec_is(key, "Replays Since Reset") ? &g->replay : NULL;
    else if (sec_is(s1, "Clocks") && n->depth == 1)
        t = sec_is(key, "SM") ? &g->smclk : NULL;
    else if (sec_is(s1, "Utilization") && n->depth == 1)
        t = sec_is(key, "Gpu") ? &g->util : NULL;
    if (!t)
        return 0;
    if ((rc = number(n, key, v, lineno, &x, &ok)) || !ok)
        return rc;
    set_val(t, x, line, lineno);
    return 0;
}

static struct fl_gm_span *section_span(struct fl_gm_gpu *g, struct fl_str name)
{
    if (sec_is(name, "Clocks Event Reasons") || sec_is(name, "Clocks Throttle Reasons"))
        return &g->thr;
    if (sec_is(name, "ECC Errors"))
        return &g->ecc_sp;
    return NULL;
}

/* Split "Key   : value" at the first " :" followed by a blank or the end. */
static bool split_kv(struct fl_str s, struct fl_str *key, struct fl_str *val)
{
    for (size_t i = 1; i < s.len; i++) {
        if (s.ptr[i] == ':' && (s.ptr[i - 1] == ' ' || s.ptr[i - 1] == '\t') &&
            (i + 1 == s.len || s.ptr[i + 1] == ' ' || s.ptr[i + 1] == '\t')) {
            *key = fl_str_trim(fl_str_make(s.ptr, i));
            *val = fl_str_trim(fl_str_sub(s, i + 1, s.len));
            return true;
        }
    }
    return false;
}

static int start_gpu(struct nv *n, struct fl_str addr, uint32_t lineno)
{
    int rc = flush_gpu(n);
    if (rc)
        return rc;
    struct fl_gm_gpu *g = &n->g;
    g->active = true;
    g->index = n->attached >= 0 && n->nblocks == n->attached ? n->ordinal : -1;
    n->ordinal++;
    if (!addr.len)
        return 0; /* a fragment without its GPU line */
    if (!fl_pci_normalize(addr, g->pci)) {
        g->bad = true;
        snprintf(n->why, sizeof n->why, "GPU block header: \"%.*s\" is not a PCI address",
                 (int)(addr.len > 40 ? 40 : addr.len), addr.ptr);
        return fl_ingest_skip(n->ctx, lineno, 0, n->why);
    }
    g->has_pci = true;
    return 0;
}

static int query_line(struct nv *n, struct fl_str raw, uint32_t lineno)
{
    struct fl_str t = fl_str_trim(raw);
    if (!t.len)
        return 0;
    size_t indent = (size_t)(t.ptr - raw.ptr);
    if (fl_str_starts_with(t, BANNER)) {
        int rc = flush_gpu(n);
        n->ts = FL_TIME_NONE;
        n->attached = -1;
        n->ordinal = 0;
        n->nblocks = (int)count_gpu_blocks(raw.ptr, n->end);
        return rc;
    }
    struct fl_str key, val;
    bool kv = split_kv(t, &key, &val);
    if (indent == 0) {
        if (!kv && fl_str_starts_with(t, "GPU ") && t.len > 4)
            return start_gpu(n, fl_str_trim(fl_str_sub(t, 4, t.len)), lineno);
        if (kv && sec_is(key, "Timestamp")) {
            if (fl__gm_parse_asctime(val, &n->ts))
                return 0;
            n->ts = FL_TIME_NONE;
            return fl_ingest_skip(n->ctx, lineno, 0,
                                  "\"Timestamp\": not a date as nvidia-smi prints it");
        }
        if (kv && sec_is(key, "Attached GPUs")) {
            uint64_t a;
            if (fl_str_to_u64(val, &a) && a < 100000)
                n->attached = (int64_t)a;
            if (n->nblocks == 0)
                n->nblocks = (int)count_gpu_blocks(raw.ptr, n->end);
            return 0;
        }
        return 0; /* Driver Version, CUDA Version, author elisions ("[...]") */
    }
    if (!n->g.active) {
        int rc = start_gpu(n, FL_STR_NULL, lineno); /* a -q excerpt without its GPU line */
        if (rc)
            return rc;
    }
    /* close the sections this line is not inside */
    while (n->depth > 0 && n->indent[n->depth - 1] >= indent)
        n->depth--;
    if (n->depth == 0)
        n->cur = NULL;
    if (n->cur)
        n->cur->e = raw.ptr + raw.len;
    if (!kv) {
        if (n->depth < MAXDEPTH) {
            n->indent[n->depth] = indent;
            n->sec[n->depth] = t;
            if (n->depth == 0 && (n->cur = section_span(&n->g, t)) != NULL && !n->cur->b)
                *n->cur = (struct fl_gm_span){raw.ptr, raw.ptr + raw.len, lineno};
            else if (n->depth == 0)
                n->cur = NULL;
            n->depth++;
        }
        return 0;
    }
    return gpu_field(n, raw, key, val, lineno);
}

/* ---- the default table ------------------------------------------------------------------ */

/* Cells of a `| a | b | c |` line. */
static int cells(struct fl_str line, struct fl_str *out, int max)
{
    int k = 0;
    const char *p = line.ptr, *end = line.ptr + line.len;
    if (p >= end || *p != '|')
        return 0;
    p++;
    while (p < end && k < max) {
        const char *q = memchr(p, '|', (size_t)(end - p));
        if (!q)
            break;
        out[k++] = fl_str_trim(fl_str_make(p, (size_t)(q - p)));
        p = q + 1;
    }
    return k;
}

static struct fl_str next_tok(struct fl_scan *s)
{
    fl_scan_skip_ws(s);
    const char *b = s->p;
    while (s->p < s->end && *s->p != ' ' && *s->p != '\t')
        s->p++;
    return fl_str_make(b, (size_t)(s->p - b));
}

/* "27C" / "72W" / "0%": the number before the unit character. */
static bool unit_num(struct fl_str tok, char unit, double *v)
{
    if (tok.len < 2 || tok.ptr[tok.len - 1] != unit)
        return false;
    return fl_str_to_double(fl_str_make(tok.ptr, tok.len - 1), v);
}

static int table(struct nv *n, const char *buf, size_t len)
{
    struct fl_scan sc = fl_scan_make(buf, buf + len);
    struct fl_str line;
    uint32_t lineno = 0;
    bool in_gpus = false;
    int rc = 0;
    while (rc == 0 && fl_scan_line(&sc, &line)) {
        lineno++;
        struct fl_str t = fl_str_trim(line);
        int64_t ts;
        if (t.len && t.ptr[0] != '|' && t.ptr[0] != '+' && fl__gm_parse_asctime(t, &ts)) {
            rc = flush_gpu(n); /* the date nvidia-smi prints above each table (-l loops) */
            n->ts = ts;
            continue;
        }
        if (fl_str_starts_with(t, "| NVIDIA-SMI ")) {
            rc = flush_gpu(n);
            n->ordinal = 0;
            in_gpus = false;
            continue;
        }
        if (fl_str_starts_with(t, "|=")) {
            in_gpus = !n->g.active && n->ordinal == 0; /* not the Processes / MIG tables */
            continue;
        }
        if (!in_gpus)
            continue;
        if (!t.len || (t.ptr[0] != '|' && t.ptr[0] != '+')) {
            rc = flush_gpu(n);
            in_gpus = false;
            continue;
        }
        struct fl_str c[4];
        if (cells(t, c, 4) < 3)
            continue;
        struct fl_scan s0 = fl_scan_make(c[0].ptr, c[0].ptr + c[0].len);
        struct fl_str tok = next_tok(&s0);
        uint64_t idx;
        double x;
        if (fl_str_to_u64(tok, &idx) && idx <= INT32_MAX) {
            /* row 1: index, name, persistence | bus id, display | volatile uncorr. ECC */
            struct fl_scan s1 = fl_scan_make(c[1].ptr, c[1].ptr + c[1].len);
            if ((rc = start_gpu(n, next_tok(&s1), lineno)))
                break;
            n->g.index = (int32_t)idx;
            if (fl_str_to_double(c[2], &x) && x >= 0 && x < 9e18) {
                n->g.ecc[1][0].seen = true;
                n->g.ecc[1][0].sum = (int64_t)x;
                n->g.ecc_sp = (struct fl_gm_span){t.ptr, t.ptr + t.len, lineno};
            }
            continue;
        }
        if (!n->g.active || n->g.temp.set || n->g.power.set || n->g.util.set)
            continue;
        /* row 2: fan, temperature, perf, power usage / cap | memory usage | util, compute mode */
        for (struct fl_str w = tok; w.len; w = next_tok(&s0)) {
            if (w.len == 1 && w.ptr[0] == '/')
                break;
            if (!n->g.temp.set && unit_num(w, 'C', &x))
                set_val(&n->g.temp, x, t, lineno);
            else if (!n->g.power.set && unit_num(w, 'W', &x))
                set_val(&n->g.power, x, t, lineno);
        }
        struct fl_scan s2 = fl_scan_make(c[2].ptr, c[2].ptr + c[2].len);
        if (unit_num(next_tok(&s2), '%', &x))
            set_val(&n->g.util, x, t, lineno);
    }
    if (rc == 0)
        rc = flush_gpu(n);
    return rc;
}

/* ---- entry points ---------------------------------------------------------------------- */

static bool is_table(const char *buf, size_t len)
{
    struct fl_str head = fl_str_make(buf, len < 2048 ? len : 2048);
    return fl_str_find(head, FL_STR_LIT("| NVIDIA-SMI ")) >= 0;
}

static int nvsmi_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct nv n = {.ctx = ctx, .buf = buf, .end = buf + len, .ts = FL_TIME_NONE, .attached = -1};
    n.g.index = -1;
    if (is_table(buf, len))
        return table(&n, buf, len);
    struct fl_scan sc = fl_scan_make(buf, buf + len);
    struct fl_str line;
    uint32_t lineno = 0;
    int rc = 0;
    while (rc == 0 && fl_scan_line(&sc, &line)) {
        lineno++;
        rc = query_line(&n, line, lineno);
    }
    if (rc == 0)
        rc = flush_gpu(&n);
    return rc;
}

static int nvsmi_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    struct fl_str head = fl_str_make(buf, len < 4096 ? len : 4096);
    /* nvidia-bug-report.log sections start with a rule of underscores: a -q section of a
     * bug report is the bug-report reader's; only when nothing else claims it is it read here */
    bool bug_report = fl_str_starts_with(fl_str_trim(head), "____________________") ||
                      fl_str_find(head, FL_STR_LIT("NVIDIA bug report log file")) >= 0;
    if (fl_str_find(head, FL_STR_LIT(BANNER)) >= 0)
        return bug_report ? 30 : 95;
    if (bug_report)
        return 0;
    if (is_table(buf, len) && fl_str_find(head, FL_STR_LIT("Driver Version")) >= 0)
        return 90;
    bool attached = false, gpu_line = false, section = false;
    int kv = 0, other = 0;
    struct fl_scan sc = fl_scan_make(head.ptr, head.ptr + head.len);
    struct fl_str line;
    while (fl_scan_line(&sc, &line)) {
        struct fl_str t = fl_str_trim(line), k, v;
        if (!t.len)
            continue;
        if (split_kv(t, &k, &v)) {
            kv++;
            attached = attached || sec_is(k, "Attached GPUs");
            continue;
        }
        char pci[13];
        if (t.ptr == line.ptr && fl_str_starts_with(t, "GPU ") &&
            fl_pci_normalize(fl_str_sub(t, 4, t.len), pci))
            gpu_line = true;
        else if (t.ptr != line.ptr &&
                 (sec_is(t, "ECC Errors") || sec_is(t, "Remapped Rows") ||
                  sec_is(t, "Retired Pages") || sec_is(t, "Clocks Event Reasons") ||
                  sec_is(t, "Clocks Throttle Reasons") || sec_is(t, "Temperature")))
            section = true;
        else if (t.ptr == line.ptr)
            other++;
    }
    if (kv >= 3 && (attached || gpu_line))
        return 80;
    if (kv >= 3 && section && other <= 2)
        return 50;
    return 0;
}

const struct fl_parser fl_parser_nvsmi = {
    .name = "nvidia-smi",
    .summary = "nvidia-smi -q text and the default nvidia-smi table",
    .sniff = nvsmi_sniff,
    .parse = nvsmi_parse,
};
