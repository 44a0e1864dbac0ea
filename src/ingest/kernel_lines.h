/* kernel_lines.h - the GPU-relevant kernel message families, shared by every kernel-log
 * container (dmesg and syslog text, /dev/kmsg, journalctl JSON and export, binary journals,
 * nvidia-bug-report sections). Not installed.
 *
 * Contract: a container reduces each record to a struct fl_kmsg (message text without its
 * stamp/host/facility prefixes, the original line, a resolved time) and feeds it to an
 * fl_kl. The fl_kl recognises NVIDIA Xid and SXid lines, PCIe AER reports (several lines,
 * possibly interleaved with other devices' lines, assembled into one event), NVRM ECC /
 * row-remapper text, "fallen off the bus" without an Xid, NVLink lines and NVRM lines
 * that map a PCI address to a GPU UUID, and emits events through the parse context.
 * Multi-line records are held in a few fixed slots until they end (a later line, a time or
 * line gap, or fl_kl_finish), so nothing here allocates except through fl_ingest_emit,
 * fl_ingest_intern and the window arena (joined SXid detail text). Every view in an fl_kmsg
 * must stay valid until fl_kl_finish returns (input buffers and the arena do).
 *
 * The prefilter (fl_kl_scan) finds the next place in a buffer where one of the needles
 * starts ("NVRM", "NVLink", "NVLINK", "Xid", "AER", "Bus Error"); containers parse only the
 * lines it lands on, plus every line while fl_kl_hungry says a report is open.
 */
#ifndef FL_INGEST_KERNEL_LINES_H
#define FL_INGEST_KERNEL_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/ingest.h"

/* One kernel message line, as a container hands it over. */
struct fl_kmsg {
    struct fl_str text; /* the message, without stamp / host / identifier / facility prefix */
    struct fl_str raw;  /* the record's original bytes (ev.raw, hashed into the uid) */
    int64_t ts;         /* see clock */
    uint8_t clock;      /* enum fl_clock */
    uint8_t level;      /* syslog priority 0-7, 255 unknown */
    uint32_t node;      /* interned host name from the record, 0 = the input's default */
    uint32_t line;      /* 1-based line, or 0 with offset */
    uint64_t offset;
};

#define FL_KL_AER_SLOTS 16
#define FL_KL_SXID_SLOTS 16
#define FL_KL_FALLEN_SLOTS 8
#define FL_KL_GPUS 64

struct fl_kl_aer {
    bool used;
    bool has_e1; /* the "PCIe Bus Error" line was seen */
    bool multiple;
    bool sev_known;
    bool unc_known; /* register (correctable / uncorrectable) known */
    bool unc;
    bool status_known;
    bool uncor_sev_known;
    uint8_t severity; /* enum fl_aer_severity */
    uint8_t type;     /* enum fl_aer_type */
    uint32_t dev;     /* interned normalized BDF of the reporting device */
    uint16_t vendor_id, device_id;
    uint32_t status, mask, bits, uncor_sev;
    uint32_t first_bit;
    struct fl_str agent;
    struct fl_kmsg first; /* line that opened the report (its time, line and raw) */
    uint64_t last_seq;
};

/* An AER header line from a root port ("... error received: <src>"), waiting for the
 * source device's detail lines. */
struct fl_kl_aer_hdr {
    bool used;
    bool multiple;
    bool sev_known;
    uint8_t severity;
    uint32_t src;      /* interned normalized BDF, or 0 when only bus/devfn are known */
    uint16_t busdevfn; /* bus << 8 | devfn, 0xffff unknown */
    struct fl_kmsg first;
    uint64_t seq;
};

struct fl_kl_sxid {
    bool used;
    uint32_t sw;        /* interned switch PCI address */
    struct fl_event ev; /* the primary line's event, text grown by follow-ups */
    int64_t ts;
    uint8_t clock;
    uint64_t seq;
};

struct fl_kl_fallen {
    bool used;
    bool cancelled; /* an Xid 79 for the same GPU came within the window */
    uint32_t gpu;
    struct fl_kmsg m;
    uint64_t seq;
};

struct fl_kl_gpu {
    uint32_t pci, uuid;
    int64_t xid79_ts; /* last Xid 79 on this GPU, FL_TIME_NONE none */
    uint8_t xid79_clock;
    uint64_t xid79_seq;
};

struct fl_kl {
    struct fl_parse_ctx *ctx;
    uint64_t seq; /* messages fed */
    struct fl_kl_aer aer[FL_KL_AER_SLOTS];
    struct fl_kl_aer_hdr hdr[FL_KL_AER_SLOTS];
    struct fl_kl_sxid sxid[FL_KL_SXID_SLOTS];
    struct fl_kl_fallen fallen[FL_KL_FALLEN_SLOTS];
    struct fl_kl_gpu gpus[FL_KL_GPUS];
    size_t ngpus;
    uint32_t named_gpu; /* "The NVIDIA GPU <pci>" seen last (multi-line fallen-off text) */
    uint64_t named_seq;
    uint32_t at_gpu; /* "GPU at PCI:..." seen last (Board Serial Number follows it) */
    uint64_t at_seq;
    /* Optional: called for every message that carries a needle, before its family is
     * read; returning false drops the message (bug reports drop lines they already read
     * from another section). */
    bool (*filter)(void *arg, const struct fl_kmsg *m);
    void *filter_arg;
    int open; /* open AER reports + headers (fl_kl_hungry) */
    int err;  /* first FL_ENOMEM */
    uint64_t emitted;
};

void fl_kl_init(struct fl_kl *k, struct fl_parse_ctx *ctx);
/* Feed one message. Returns 0 or FL_ENOMEM. Messages that belong to no family are
 * ignored (cheaply: a needle check first). */
int fl_kl_feed(struct fl_kl *k, const struct fl_kmsg *m);
/* True while an AER report may continue on a line that carries no needle: the container
 * must then feed every line, not just the prefiltered ones. */
static inline bool fl_kl_hungry(const struct fl_kl *k)
{
    return k->open > 0;
}
/* Emit everything still held. Returns 0 or FL_ENOMEM. */
int fl_kl_finish(struct fl_kl *k);

/* Prefilter: pointer to the first needle in [p, end), or end. */
const char *fl_kl_scan(const char *p, const char *end);
/* True when [p, end) holds a needle. */
bool fl_kl_has_needle(const char *p, const char *end);
/* Newlines in [p, end); *long_at (may be NULL) gets the start of the first line (its part
 * inside the span) longer than max_line bytes, NULL when none. */
size_t fl_kl_lines(const char *p, const char *end, size_t max_line, const char **long_at);
/* fl_kl_scan that also counts: *nl gets the newlines in [p, ret), *long_at the start of the
 * first line longer than max_line met before ret (NULL none). */
const char *fl_kl_scan_count(const char *p, const char *end, size_t max_line, size_t *nl,
                             const char **long_at);

/* ---- helpers shared by the containers (kernel_log.c, kernel_gz.c, journal_bin.c) ---- */

/* Month 1-12 from an abbreviated or full month name in English, French, German, Spanish,
 * Italian, Portuguese or Dutch (as strftime %b writes them, trailing '.' allowed);
 * 0 when unknown. */
unsigned fl__kl_month(struct fl_str name);
/* UTC offset in seconds of an unambiguous time-zone abbreviation (UTC, GMT, CET, CEST,
 * EST, PDT, JST...); false when unknown or ambiguous (CST, IST). */
bool fl__kl_zone(struct fl_str abbr, int32_t *off_sec);

/* Where the year of a year-less stamp ("Nov 24 10:00:03") comes from. */
struct fl_year_ref {
    int64_t ref_ns;   /* wall time the file's stamps end near; FL_TIME_NONE unknown */
    const char *rule; /* static text for docs/tests: "journal header", "file mtime"... */
    int32_t tz_off;   /* offset of the file's local stamps, seconds east of UTC */
    bool tz_known;
};

/* Parse kernel-log text (any line container kernel_log.c knows) in buf[0, len) with the
 * given year reference (NULL: work it out from the text, the file's mtime, then the clock).
 * first_line is the 1-based line number of buf[0] in the input (sections of a bug report).
 * Returns 0 or FL_ENOMEM. */
struct fl_kl_text_opts {
    const struct fl_year_ref *year;
    uint32_t first_line;
    struct fl_kl *kl; /* shared family state, or NULL for a private one */
    int64_t boot_ns;  /* boot time for boot-relative stamps, FL_TIME_NONE unknown */
    bool node_named;  /* the caller already named the input's node: host names
                         in the lines still tag their events, not the input */
};
int fl__kernel_text_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len,
                          const struct fl_kl_text_opts *opts);

/* Set the input's node from a record's host name, once per input (the engine reports the
 * rule "journal hostname"). */
void fl__kl_set_input_node(struct fl_parse_ctx *ctx, uint32_t node);

/* ---- journal entries (journalctl -o json / export, binary journal files) ---- */

/* The fields of one journal entry that matter here; views (absent = empty / -1). */
struct fl_jentry {
    struct fl_str message;   /* MESSAGE, decoded (may hold several lines) */
    struct fl_str host;      /* _HOSTNAME */
    struct fl_str transport; /* _TRANSPORT */
    struct fl_str ident;     /* SYSLOG_IDENTIFIER */
    int64_t realtime_us, monotonic_us, source_mono_us;
    int priority;  /* PRIORITY 0-7, -1 absent */
    uint32_t line; /* 1-based line of the record, or 0 with offset */
    uint64_t offset;
};

struct fl_jfeed {
    struct fl_parse_ctx *ctx;
    struct fl_kl *kl;
    struct fl_str last_host;
    uint32_t last_host_id;
    bool node_set;
};

/* Feed a kernel entry (_TRANSPORT=kernel, or SYSLOG_IDENTIFIER=kernel, or neither field)
 * line by line. Time: __REALTIME_TIMESTAMP - __MONOTONIC_TIMESTAMP is the boot time the
 * entry implies; with _SOURCE_MONOTONIC_TIMESTAMP (the kernel's stamp) the event time is
 * that boot time plus it. copy: the views do not outlive the call (sd-journal), so what is
 * kept is copied into the arena. */
void fl__journal_entry(struct fl_jfeed *jf, const struct fl_jentry *e, bool copy);

#endif
