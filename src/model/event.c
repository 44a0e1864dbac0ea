/* Event kinds, sentinels, uid and total order; PCI address normalization. */
#include "faultline/event.h"

#include "model/engine_internal.h"

#include <math.h>
#include <string.h>

static const char *const kind_names[FL_EV__COUNT] = {
#define FL_EK_NAME_(e, n) n,
    FL_EVENT_KIND_MAP(FL_EK_NAME_)
#undef FL_EK_NAME_
};

const char *fl_event_kind_name(enum fl_event_kind k)
{
    return (unsigned)k < FL_EV__COUNT ? kind_names[k] : "unknown";
}

int fl_event_kind_from_name(struct fl_str name)
{
    for (int k = 0; k < FL_EV__COUNT; k++)
        if (fl_str_eq_cstr(name, kind_names[k]))
            return k;
    return -1;
}

void fl_event_init(struct fl_event *ev, enum fl_event_kind kind)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = (uint8_t)kind;
    ev->ts = FL_TIME_NONE;
    ev->gpu.index = -1;
    switch (kind) {
    case FL_EV_LOG:
        ev->u.log.level = 255;
        break;
    case FL_EV_XID:
        ev->u.xid.pid = -1;
        break;
    case FL_EV_SXID:
        ev->u.sxid.switch_index = -1;
        ev->u.sxid.link = -1;
        break;
    case FL_EV_PCIE_AER:
        ev->u.aer.severity = FL_AER_SEVERITY_UNKNOWN;
        ev->u.aer.first_bit = 32;
        break;
    case FL_EV_ECC:
        ev->u.ecc.count = 1;
        break;
    case FL_EV_NCCL_FR_RECORD:
        ev->u.fr.rank = -1;
        ev->u.fr.collective_seq = -1;
        ev->u.fr.p2p_seq = -1;
        ev->u.fr.op_id = -1;
        ev->u.fr.record_id = -1;
        ev->u.fr.state = FL_FR_STATE_UNKNOWN;
        ev->u.fr.timeout_ms = -1;
        ev->u.fr.duration_ms = NAN;
        break;
    case FL_EV_PYSPY_STACK:
        ev->u.pyspy.rank = -1;
        ev->u.pyspy.pid = -1;
        ev->u.pyspy.thread_id = -1;
        break;
    case FL_EV_POD_EVENT:
        ev->u.pod.count = 1;
        break;
    default:
        break;
    }
}

uint64_t fl_event_uid_seed(const struct fl_event *ev, struct fl_str node_name)
{
    unsigned char head[1 + 8 + 1];
    head[0] = ev->kind;
    uint64_t ts = (uint64_t)ev->ts;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (unsigned char)(ts >> (8 * i));
    head[9] = ev->clock;
    uint64_t h = fl_hash64(head, sizeof head, FL_HASH_SEED);
    return fl_hash64(node_name.ptr, node_name.len, h);
}

uint64_t fl_event_compute_uid(const struct fl_event *ev, struct fl_str node_name)
{
    return fl_hash64(ev->raw.ptr, ev->raw.len, fl_event_uid_seed(ev, node_name));
}

/* Every interned id an event holds, rewritten through map (ids 1..n; 0 stays 0, an id past n is
 * left alone). The parallel ingest parses each input with its own intern table and rewrites
 * its events to the engine's ids with this: an interned field added to event.h must be added
 * here, or `analyze --jobs N` output would differ from --jobs 1 (tests/cli/test_jobs.sh). */
void fl__event_map_ids(struct fl_event *ev, const uint32_t *map, uint32_t n)
{
#define FL_MAP_(x) ((x) = (x) <= n ? map[(x)] : (x))
    FL_MAP_(ev->node);
    FL_MAP_(ev->job);
    FL_MAP_(ev->gpu.pci);
    FL_MAP_(ev->gpu.uuid);
    switch ((enum fl_event_kind)ev->kind) {
    case FL_EV_POD_EVENT:
        FL_MAP_(ev->u.pod.pod);
        FL_MAP_(ev->u.pod.pod_uid);
        break;
    case FL_EV_NCCL_FR_RECORD:
        FL_MAP_(ev->u.fr.pg);
        FL_MAP_(ev->u.fr.backend);
        FL_MAP_(ev->u.fr.input_sizes);
        FL_MAP_(ev->u.fr.output_sizes);
        FL_MAP_(ev->u.fr.input_dtypes);
        FL_MAP_(ev->u.fr.output_dtypes);
        FL_MAP_(ev->u.fr.thread_name);
        FL_MAP_(ev->u.fr.frames);
        break;
    case FL_EV_PYSPY_STACK:
        FL_MAP_(ev->u.pyspy.cmdline);
        FL_MAP_(ev->u.pyspy.python);
        break;
    case FL_EV_NCCL_FR_DUMP: {
        FL_MAP_(ev->u.fr_dump.backend);
        /* the pgs array belongs to this event alone, in the parse's arena */
        struct fl_fr_pg *pg = (struct fl_fr_pg *)(uintptr_t)ev->u.fr_dump.pgs;
        for (uint32_t i = 0; pg && i < ev->u.fr_dump.npgs; i++) {
            FL_MAP_(pg[i].name);
            FL_MAP_(pg[i].desc);
            FL_MAP_(pg[i].ranks);
        }
        break;
    }
    default:
        break;
    }
#undef FL_MAP_
}

static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }
static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

int fl_event_cmp(const struct fl_event *a, const struct fl_event *b)
{
    int c = cmp_i64(a->ts, b->ts);
    if (c)
        return c;
    if ((c = (int)a->kind - (int)b->kind))
        return c;
    if ((c = cmp_u64(a->uid, b->uid)))
        return c;
    if ((c = cmp_u64(a->src.input, b->src.input)))
        return c;
    if ((c = cmp_u64(a->src.line, b->src.line)))
        return c;
    return cmp_u64(a->src.offset, b->src.offset);
}

/* Read 1..maxd hex digits; value into *v. Returns digits read (0 = none). */
static size_t read_hex(const char *p, const char *end, size_t maxd, unsigned long *v)
{
    size_t n = 0;
    unsigned long x = 0;
    while (p + n < end && n < maxd && fl_hex_digit(p[n]) >= 0) {
        x = x * 16 + (unsigned long)fl_hex_digit(p[n]);
        n++;
    }
    *v = x;
    return n;
}

bool fl_pci_normalize(struct fl_str s, char out[13])
{
    s = fl_str_trim(s);
    const char *p = s.ptr, *end = s.ptr + s.len;
    if (s.len >= 4 && (memcmp(p, "PCI:", 4) == 0 || memcmp(p, "pci:", 4) == 0))
        p += 4;
    /* Count colons to know whether a domain is present. */
    int colons = 0;
    for (const char *q = p; q < end; q++)
        colons += *q == ':';
    unsigned long dom = 0, bus, dev, fn = 0;
    size_t n;
    if (colons == 2) {
        n = read_hex(p, end, 8, &dom);
        if (n == 0 || p + n >= end || p[n] != ':' || dom > 0xffff)
            return false;
        p += n + 1;
    } else if (colons != 1) {
        return false;
    }
    n = read_hex(p, end, 2, &bus);
    if (n == 0 || p + n >= end || p[n] != ':')
        return false;
    p += n + 1;
    n = read_hex(p, end, 2, &dev);
    if (n == 0 || dev > 0x1f)
        return false;
    p += n;
    if (p < end && *p == '.') {
        p++;
        n = read_hex(p, end, 1, &fn);
        if (n == 0 || fn > 7)
            return false;
        p += n;
    }
    if (p != end)
        return false;
    static const char hx[] = "0123456789abcdef";
    unsigned long parts[4] = {dom, bus, dev, fn};
    int widths[4] = {4, 2, 2, 1};
    char seps[4] = {':', ':', '.', '\0'};
    char *o = out;
    for (int i = 0; i < 4; i++) {
        for (int d = widths[i] - 1; d >= 0; d--)
            *o++ = hx[(parts[i] >> (4 * d)) & 0xf];
        *o++ = seps[i];
    }
    return true;
}
