/* `nvidia-smi -q -x` XML (DTDs nvsmi_device_v10 .. v13; several documents back to back from
 * -q -x -l). docs/formats/gpu-metrics.md lists the elements read and every skip reason.
 *
 * Memory: libxml2 parses each document into its own tree with its own allocator (malloc), so
 * XML allocations do not go through faultline's allocation hook or its counters: the second
 * exception after libyaml (docs/architecture.md). Each tree is freed before the next document;
 * everything an event keeps is either interned (UUID, PCI address), static text, or a view into
 * the input buffer (raw: the element's lines, found from libxml2's line numbers). The parser
 * runs with XML_PARSE_NONET and without DTD loading or entity substitution, so a document
 * cannot reach the network or the file system, and text is read from text nodes only (no
 * entity expansion through xmlNodeGetContent).
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/gpu_metrics.h"

struct xs {
    struct fl_parse_ctx *ctx;
    const char *base, *end; /* the document's bytes */
    uint32_t line0;         /* file line of the document's first line, minus one */
    const char *cur;        /* line cursor: start of line curline (document-relative) */
    uint32_t curline;
    int64_t ts;
    int rc; /* first FL_ENOMEM from a skip */
    bool have_err;
    int err_line;
    char err[160];
    char why[200];
};

static bool is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Text of an element: its first text child, trimmed ("" when none, never a NULL view). */
static struct fl_str text(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            return fl_str_trim(fl_str_from_cstr((const char *)c->content));
    return FL_STR_LIT("");
}

static uint32_t node_line(const xmlNode *n)
{
    long l = xmlGetLineNo((xmlNodePtr)n);
    return l > 0 && l < (long)UINT32_MAX ? (uint32_t)l : 0;
}

/* Line of an element's closing tag: nvidia-smi puts it after its last child element. */
static uint32_t last_line(const xmlNode *n)
{
    const xmlNode *last = NULL;
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            last = c;
    return last ? last_line(last) + 1 : node_line(n);
}

/* Start of document line l (1-based); the cursor moves forward, or restarts. */
static const char *line_at(struct xs *x, uint32_t l)
{
    if (l < x->curline) {
        x->cur = x->base;
        x->curline = 1;
    }
    while (x->curline < l) {
        const char *nl = memchr(x->cur, '\n', (size_t)(x->end - x->cur));
        if (!nl)
            return x->cur;
        x->cur = nl + 1;
        x->curline++;
    }
    return x->cur;
}

static struct fl_gm_span span_lines(struct xs *x, uint32_t from, uint32_t to)
{
    if (!from)
        return (struct fl_gm_span){NULL, NULL, 0};
    const char *b = line_at(x, from);
    const char *e = line_at(x, to > from ? to : from);
    const char *nl = memchr(e, '\n', (size_t)(x->end - e));
    e = nl ? nl : x->end;
    if (e > b && e[-1] == '\r')
        e--;
    return (struct fl_gm_span){b, e, x->line0 + from};
}

static struct fl_gm_span span_of(struct xs *x, const xmlNode *n)
{
    return span_lines(x, node_line(n), last_line(n));
}

static void skip(struct xs *x, const xmlNode *n, const char *why)
{
    uint32_t l = n ? node_line(n) : 0;
    int rc = fl_ingest_skip(x->ctx, l ? x->line0 + l : 0, 0, why);
    if (rc && !x->rc)
        x->rc = rc;
}

/* A numeric element: "27 C", "0", "4251825415 us"; N/A and friends say nothing. */
static bool number(struct xs *x, const xmlNode *n, double *out)
{
    struct fl_str v = text(n);
    if (!v.len || !((v.ptr[0] >= '0' && v.ptr[0] <= '9') || v.ptr[0] == '-'))
        return false;
    if (fl__gm_leading_number(v, out))
        return true;
    snprintf(x->why, sizeof x->why, "<%.60s>: not a number", (const char *)n->name);
    skip(x, n, x->why);
    return false;
}

static void val(struct xs *x, struct fl_gm_val *v, const xmlNode *n)
{
    double d;
    if (number(x, n, &d))
        fl__gm_val_set(v, d, span_of(x, n));
}

static void yes_no(struct xs *x, struct fl_gm_val *v, const xmlNode *n)
{
    int yn = fl__gm_yes_no(text(n));
    if (yn < 0)
        return;
    if (v->set && yn == 1 && v->v == 0) { /* pending_blacklist / pending_retirement: either */
        v->set = false;
    }
    fl__gm_val_set(v, yn, span_of(x, n));
}

#define FOR_EL(c, parent)                                                                          \
    for (const xmlNode *c = (parent)->children; c; c = c->next)                                    \
        if (c->type == XML_ELEMENT_NODE)

static void throttle(struct xs *x, struct fl_gm_gpu *g, const xmlNode *n)
{
    g->thr = span_of(x, n);
    FOR_EL(c, n)
    {
        const char *name = (const char *)c->name;
        const char *r = strstr(name, "_reason_");
        if (!r)
            continue;
        struct fl_str v = text(c);
        bool active = fl_str_eq_nocase(v, FL_STR_LIT("Active"));
        if (!active && !fl_str_eq_nocase(v, FL_STR_LIT("Not Active")))
            continue; /* N/A */
        uint64_t bit = fl__gm_throttle_bit(fl_str_from_cstr(r + 8));
        if (!bit) {
            if (active) {
                snprintf(x->why, sizeof x->why, "clocks-event reason <%.60s> is not in the catalog",
                         name);
                skip(x, c, x->why);
            }
            continue;
        }
        g->thr_seen = true;
        if (active)
            g->mask |= bit;
    }
}

static void counters(struct xs *x, struct fl_gm_gpu *g, const xmlNode *n)
{
    FOR_EL(c, n)
    {
        const char *name = (const char *)c->name;
        const char *r = strstr(name, "_counters_");
        int i = r ? fl__gm_ctr_index(fl_str_from_cstr(r + 10)) : -1;
        if (i >= 0)
            val(x, &g->ctr[i], c);
    }
}

static void ecc_counter(struct xs *x, struct fl_gm_cnt *c, const xmlNode *n, bool total)
{
    double d;
    if (!number(x, n, &d))
        return;
    if (total) {
        c->total = (int64_t)d;
        c->total_seen = true;
    } else {
        c->sum += (int64_t)d;
        c->seen = true;
    }
}

static void ecc(struct xs *x, struct fl_gm_gpu *g, const xmlNode *n)
{
    g->ecc_sp = span_of(x, n);
    FOR_EL(set, n)
    {
        int agg = is_el(set, "volatile") ? 0 : is_el(set, "aggregate") ? 1 : -1;
        if (agg < 0)
            continue; /* aggregate_uncorrectable_sram_sources: a breakdown of the aggregate */
        FOR_EL(c, set)
        {
            if (is_el(c, "single_bit") || is_el(c, "double_bit")) { /* old layout */
                g->old_ecc = true;
                struct fl_gm_cnt *cn = &g->ecc[is_el(c, "double_bit")][agg];
                FOR_EL(loc, c)
                ecc_counter(x, cn, loc, is_el(loc, "total"));
                continue;
            }
            char b[48];
            struct fl_str q = fl__gm_squash(fl_str_from_cstr((const char *)c->name), b, sizeof b);
            if (!fl_str_starts_with(q, "sram") && !fl_str_starts_with(q, "dram"))
                continue;
            struct fl_str rest = fl_str_sub(q, 4, q.len);
            int kind = fl_str_starts_with(rest, "correctable")     ? 0
                       : fl_str_starts_with(rest, "uncorrectable") ? 1
                                                                   : -1;
            if (kind >= 0)
                ecc_counter(x, &g->ecc[kind][agg], c, false);
        }
    }
}

static void retired(struct xs *x, struct fl_gm_gpu *g, const xmlNode *n)
{
    FOR_EL(c, n)
    {
        if (is_el(c, "multiple_single_bit_retirement") || is_el(c, "double_bit_retirement")) {
            FOR_EL(k, c)
            if (is_el(k, "retired_count"))
                val(x, is_el(c, "double_bit_retirement") ? &g->ret_dbe : &g->ret_sbe, k);
        } else if (is_el(c, "pending_blacklist") || is_el(c, "pending_retirement")) {
            yes_no(x, &g->ret_pending, c);
        }
    }
}

static void remapped(struct xs *x, struct fl_gm_gpu *g, const xmlNode *n)
{
    FOR_EL(c, n)
    {
        if (is_el(c, "remapped_row_corr"))
            val(x, &g->rr_corr, c);
        else if (is_el(c, "remapped_row_unc"))
            val(x, &g->rr_unc, c);
        else if (is_el(c, "remapped_row_pending"))
            yes_no(x, &g->rr_pending, c);
        else if (is_el(c, "remapped_row_failure"))
            yes_no(x, &g->rr_failure, c);
    }
}

static void gpu(struct xs *x, const xmlNode *n, int32_t index)
{
    struct fl_gm_gpu g;
    fl__gm_gpu_reset(&g);
    g.active = true;
    g.index = index;
    xmlAttr *id = xmlHasProp((xmlNodePtr)n, (const xmlChar *)"id");
    if (id && id->children && id->children->content) {
        struct fl_str s = fl_str_from_cstr((const char *)id->children->content);
        if (fl_pci_normalize(s, g.pci)) {
            g.has_pci = true;
        } else {
            snprintf(x->why, sizeof x->why, "<gpu id=\"%.40s\">: not a PCI address",
                     (const char *)id->children->content);
            skip(x, n, x->why);
            return;
        }
    }
    FOR_EL(c, n)
    {
        if (is_el(c, "uuid")) {
            struct fl_str u = text(c);
            if (u.len && !fl_str_eq_cstr(u, "N/A"))
                g.uuid = u;
        } else if (is_el(c, "pci")) {
            FOR_EL(p, c)
            {
                if (is_el(p, "pci_bus_id") && !g.has_pci)
                    g.has_pci = fl_pci_normalize(text(p), g.pci);
                else if (is_el(p, "replay_counter"))
                    val(x, &g.replay, p);
            }
        } else if (is_el(c, "clocks_event_reasons") || is_el(c, "clocks_throttle_reasons")) {
            throttle(x, &g, c);
        } else if (is_el(c, "clocks_event_reasons_counters") ||
                   is_el(c, "clocks_throttle_reasons_counters")) {
            counters(x, &g, c);
        } else if (is_el(c, "ecc_errors")) {
            ecc(x, &g, c);
        } else if (is_el(c, "retired_pages")) {
            retired(x, &g, c);
        } else if (is_el(c, "remapped_rows")) {
            remapped(x, &g, c);
        } else if (is_el(c, "temperature")) {
            FOR_EL(t, c)
            {
                if (is_el(t, "gpu_temp"))
                    val(x, &g.temp, t);
                else if (is_el(t, "memory_temp"))
                    val(x, &g.mtemp, t);
            }
        } else if (is_el(c, "gpu_power_readings") || is_el(c, "power_readings")) {
            FOR_EL(t, c)
            {
                if (is_el(t, "power_draw"))
                    val(x, &g.power, t);
                else if (is_el(t, "average_power_draw"))
                    val(x, &g.power_avg, t);
            }
        } else if (is_el(c, "clocks")) {
            FOR_EL(t, c)
            if (is_el(t, "sm_clock"))
                val(x, &g.smclk, t);
        } else if (is_el(c, "utilization")) {
            FOR_EL(t, c)
            if (is_el(t, "gpu_util"))
                val(x, &g.util, t);
        }
    }
    int rc = fl__gm_gpu_flush(x->ctx, &g, x->ts);
    if (rc && !x->rc)
        x->rc = rc;
}

static void root(struct xs *x, const xmlNode *r)
{
    int64_t attached = -1, ngpus = 0;
    FOR_EL(c, r)
    {
        if (is_el(c, "gpu")) {
            ngpus++;
        } else if (is_el(c, "attached_gpus")) {
            uint64_t a;
            if (fl_str_to_u64(text(c), &a) && a < 100000)
                attached = (int64_t)a;
        } else if (is_el(c, "timestamp")) {
            if (!fl__gm_parse_asctime(text(c), &x->ts)) {
                x->ts = FL_TIME_NONE;
                skip(x, c, "<timestamp>: not a date as nvidia-smi prints it");
            }
        }
    }
    int32_t ordinal = 0;
    FOR_EL(c, r)
    {
        if (!is_el(c, "gpu"))
            continue;
        gpu(x, c, attached == ngpus ? ordinal : -1);
        ordinal++;
        if (x->rc)
            return;
    }
}

static void on_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr c = data;
    struct xs *x = c ? c->_private : NULL;
    if (!x || x->have_err || !e || e->level < XML_ERR_ERROR)
        return;
    x->have_err = true;
    x->err_line = e->line;
    snprintf(x->err, sizeof x->err, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(x->err);
    while (n && (x->err[n - 1] == '\n' || x->err[n - 1] == ' '))
        x->err[--n] = '\0';
}

/* libxml2 before 2.11 must be initialised once before threads use it, and parse tasks run on
 * several threads (engine.c) */
static void init_libxml(void)
{
    xmlInitParser();
}

static int document(struct fl_parse_ctx *ctx, const char *b, const char *e, uint32_t line0)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, init_libxml);
    struct xs x = {.ctx = ctx,
                   .base = b,
                   .end = e,
                   .line0 = line0,
                   .cur = b,
                   .curline = 1,
                   .ts = FL_TIME_NONE};
    if (e - b > INT_MAX)
        return fl_ingest_skip(ctx, line0 + 1, 0, "XML document larger than 2 GiB");
    xmlParserCtxtPtr c = xmlNewParserCtxt();
    if (!c)
        return FL_ENOMEM;
    c->_private = &x;
    if (c->sax)
        c->sax->serror = on_error;
    xmlDocPtr doc = xmlCtxtReadMemory(c, b, (int)(e - b), NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_RECOVER | XML_PARSE_BIG_LINES);
    int rc = 0;
    if (x.have_err) {
        snprintf(x.why, sizeof x.why, "XML error: %s", x.err);
        rc = fl_ingest_skip(ctx, x.err_line > 0 ? line0 + (uint32_t)x.err_line : line0 + 1, 0,
                            x.why);
    }
    xmlNodePtr r = doc ? xmlDocGetRootElement(doc) : NULL;
    if (rc == 0 && r) {
        if (is_el(r, "nvidia_smi_log")) {
            root(&x, r);
            rc = x.rc;
        } else {
            snprintf(x.why, sizeof x.why, "XML root is <%.60s>, not <nvidia_smi_log>",
                     (const char *)r->name);
            rc = fl_ingest_skip(ctx, line0 + node_line(r), 0, x.why);
        }
    } else if (rc == 0 && !x.have_err) {
        rc = fl_ingest_skip(ctx, line0 + 1, 0, "no XML element in the document");
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(c);
    return rc;
}

static int nvsmi_xml_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    uint32_t line0 = 0;
    int rc = 0;
    /* documents back to back (-q -x -l): each starts at an XML declaration */
    while (rc == 0 && p < end) {
        const char *next = fl_memmem(p + 1, end, "<?xml", 5);
        const char *e = next ? next : end;
        struct fl_str s = fl_str_trim(fl_str_make(p, (size_t)(e - p)));
        if (s.len)
            rc = document(ctx, p, e, line0);
        for (const char *q = p; q < e; q++) /* lines before the next document */
            line0 += *q == '\n';
        p = e;
    }
    return rc;
}

static int nvsmi_xml_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    struct fl_str head = fl_str_make(buf, len < 4096 ? len : 4096);
    if (fl_str_find(head, FL_STR_LIT("<nvidia_smi_log")) >= 0 ||
        fl_str_find(head, FL_STR_LIT("nvsmi_device_v")) >= 0)
        return 95;
    return 0;
}

const struct fl_parser fl_parser_nvsmi_xml = {
    .name = "nvidia-smi-xml",
    .summary = "nvidia-smi -q -x XML",
    .sniff = nvsmi_xml_sniff,
    .parse = nvsmi_xml_parse,
};
