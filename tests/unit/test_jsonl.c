/* The faultline.events/v1 reader: valid lines, every bad-input path, the round trip through
 * the writer, and an allocation-failure loop. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <math.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

static struct fl_engine *ingest_as(const char *text, const char *format)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = format;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(fl_engine_add_buffer(e, "t.jsonl", text, strlen(text), NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static struct fl_engine *ingest(const char *text) { return ingest_as(text, NULL); }

static const char *first_skip(struct fl_engine *e, uint32_t *line)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    if (!n)
        return NULL;
    *line = s[0].line;
    return s[0].reason;
}

FL_TEST(jsonl, valid_xid)
{
    struct fl_engine *e = ingest(
        "{\"schema\":\"faultline.events/v1\",\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51.5Z\","
        "\"node\":\"n1\",\"gpu\":{\"pci\":\"PCI:0000:3B:00\",\"index\":2},"
        "\"xid\":{\"code\":79,\"pid\":12,\"process\":\"py\\u00e9\",\"text\":\"off the bus\"}}\n");
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->nevents, 1);
    const struct fl_event *ev = w->events[0];
    cr_assert_eq(ev->kind, FL_EV_XID);
    cr_assert_eq(ev->clock, FL_CLOCK_WALL);
    cr_assert_eq(ev->ts, 1795545171500000000LL);
    cr_assert_str_eq(fl_window_str(w, ev->node), "n1");
    cr_assert_str_eq(fl_window_str(w, ev->gpu.pci), "0000:3b:00.0");
    cr_assert_eq(ev->gpu.index, 2);
    cr_assert_eq(ev->u.xid.code, 79);
    cr_assert_eq(ev->u.xid.pid, 12);
    cr_assert_eq(ev->u.xid.process.len, 4);
    cr_assert(memcmp(ev->u.xid.process.ptr, "py\xc3\xa9", 4) == 0);
    cr_assert_eq(ev->src.line, 1);
    fl_engine_free(e);
}

struct bad_case {
    const char *line;
    const char *reason_part;
};

FL_TEST(jsonl, bad_lines_are_skipped_with_reason)
{
    static const struct bad_case cases[] = {
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":79}", "JSON ends inside an object"},
        {"{\"kind\":\"xid\" \"ts\":1}", "invalid JSON"},
        {"[1,2,3]", "not a JSON object"},
        {"{\"ts\":\"2026-11-24T18:32:51Z\"}", "\"kind\": required"},
        {"{\"kind\":\"bogus\",\"ts\":\"2026-11-24T18:32:51Z\"}", "unknown event kind"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24 18:32\",\"xid\":{\"code\":1}}", "RFC 3339"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51\",\"xid\":{\"code\":1}}", "RFC 3339"},
        {"{\"kind\":\"xid\",\"xid\":{\"code\":1}}", "\"ts\": required"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\"}", "object for this kind missing"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{}}", "xid.\"code\": required"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":-4}}", "out of range"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":\"79\"}}", "not an integer"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":7.5}}", "not an integer"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"gpu\":{\"pci\":\"zz\"},\"xid\":{\"code\":7}}", "PCI"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"uid\":\"12\",\"xid\":{\"code\":7}}", "16 hex"},
        {"{\"schema\":\"other/v2\",\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":7}}", "unsupported schema"},
        {"{\"kind\":\"ecc\",\"ts\":\"2026-11-24T18:32:51Z\",\"ecc\":{\"type\":\"triple\"}}", "unknown value"},
        {"{\"kind\":\"log\",\"ts\":\"2026-11-24T18:32:51Z\",\"log\":{\"text\":\"a\\qb\"}}", "bad escape in a string"},
        {"{\"kind\":\"log\",\"ts\":\"2026-11-24T18:32:51Z\",\"log\":{\"text\":\"x\",\"level\":9}}", "out of range"},
        {"{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T18:32:51Z\",\"pod_event\":{\"reason\":\"Evicted\"}}", "\"pod\": required"},
        {"{\"kind\":\"nccl_fr_record\",\"ts\":\"2026-11-24T18:32:51Z\",\"nccl_fr_record\":{\"rank\":1,\"pg\":\"0\",\"state\":\"maybe\"}}", "unknown value"},
        {"{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":7}} trailing", "invalid JSON"},
        {"\x01\x02\xff garbage", "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "\n%s\n", cases[i].line);
        struct fl_engine *e = ingest_as(buf, "faultline-jsonl");
        uint32_t line = 0;
        const char *why = first_skip(e, &line);
        cr_assert_not_null(why, "case %zu was not skipped: %s", i, cases[i].line);
        cr_assert(strstr(why, cases[i].reason_part) != NULL, "case %zu: reason '%s' lacks '%s'",
                  i, why, cases[i].reason_part);
        cr_assert_eq(line, 2, "case %zu: line %u", i, line);
        cr_assert_eq(fl_engine_window(e)->nevents, 0, "case %zu produced an event", i);
        fl_engine_free(e);
    }
}

FL_TEST(jsonl, crlf_blank_lines_and_nul_bytes)
{
    const char text[] = "\r\n{\"kind\":\"log\",\"ts\":\"2026-11-24T18:32:51Z\",\"log\":{\"text\":\"a\"}}\r\n"
                        "   \n\0\0\n{\"kind\":\"log\",\"ts\":\"2026-11-24T18:32:52Z\",\"log\":{\"text\":\"b\"}}";
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = "faultline-jsonl";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_eq(fl_engine_add_buffer(e, "t.jsonl", text, sizeof text - 1, NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    cr_assert_eq(total, 1); /* the NUL line */
    cr_assert_eq(s[0].line, 4);
    fl_engine_free(e);
}

FL_TEST(jsonl, skipped_list_keeps_first_100_and_counts_all)
{
    size_t cap = 300 * 8 + 1;
    char *text = malloc(cap);
    text[0] = '\0';
    for (int i = 0; i < 300; i++)
        strcat(text, "{oops}\n");
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = "faultline-jsonl";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    fl_engine_add_buffer(e, "bad.jsonl", text, strlen(text), NULL);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    cr_assert_eq(n, FL_SKIPS_KEPT);
    cr_assert_eq(total, 300);
    cr_assert_eq(s[0].line, 1);
    cr_assert_eq(s[99].line, 100);
    fl_engine_free(e);
    free(text);
}

static const char *every_kind =
    "{\"kind\":\"log\",\"ts\":\"2026-11-24T18:00:00Z\",\"node\":\"n1\",\"log\":{\"text\":\"hello \\\"x\\\"\\n\",\"level\":3}}\n"
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:00:01.000000001Z\",\"node\":\"n1\",\"job\":\"j\",\"gpu\":{\"pci\":\"0000:3b:00.0\",\"uuid\":\"GPU-1\",\"index\":0},\"raw\":\"r\",\"xid\":{\"code\":79,\"pid\":3,\"process\":\"p\",\"text\":\"t\"}}\n"
    "{\"kind\":\"sxid\",\"ts\":\"2026-11-24T18:00:02Z\",\"sxid\":{\"code\":20034,\"switch\":2,\"fatal\":true,\"link\":30,\"text\":\"LTSSM\"}}\n"
    "{\"kind\":\"pcie_aer\",\"ts\":\"2026-11-24T18:00:03Z\",\"gpu\":{\"pci\":\"0000:3b:00.0\"},\"pcie_aer\":{\"severity\":\"nonfatal\",\"type\":\"transaction\",\"multiple\":false,\"vendor_id\":\"10de\",\"device_id\":\"2330\",\"status\":\"00004000\",\"mask\":\"00000000\",\"first_bit\":14,\"agent\":\"Requester ID\"}}\n"
    "{\"kind\":\"ecc\",\"ts\":\"2026-11-24T18:00:04Z\",\"ecc\":{\"type\":\"dbe\",\"aggregate\":true,\"count\":2,\"text\":\"DBE\"}}\n"
    "{\"kind\":\"throttle\",\"ts\":\"2026-11-24T18:00:05Z\",\"throttle\":{\"reasons\":96}}\n"
    "{\"kind\":\"gpu_sample\",\"ts\":\"2026-11-24T18:00:06Z\",\"gpu_sample\":{\"metric\":\"temp_gpu\",\"value\":87.5,\"name\":\"DCGM_FI_DEV_GPU_TEMP\"}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T18:00:07Z\",\"pod_event\":{\"pod\":\"ns/p\",\"reason\":\"Evicted\",\"message\":\"low on memory\",\"container\":\"c\",\"count\":4}}\n"
    "{\"kind\":\"node_condition\",\"ts\":\"2026-11-24T18:00:08Z\",\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"True\",\"reason\":\"r\",\"message\":\"m\"}}\n"
    "{\"kind\":\"nccl_fr_record\",\"ts\":\"2026-11-24T18:00:09Z\",\"nccl_fr_record\":{\"rank\":3,\"pg\":\"0\",\"pg_desc\":\"default_pg\",\"collective_seq\":12,\"p2p_seq\":0,\"op_id\":12,\"record_id\":40,\"op\":\"nccl:all_reduce\",\"state\":\"started\",\"is_p2p\":false,\"timeout_ms\":600000,\"duration_ms\":1.25}}\n"
    "{\"kind\":\"pyspy_stack\",\"ts\":\"2026-11-24T18:00:10Z\",\"pyspy_stack\":{\"rank\":2,\"pid\":77,\"thread_id\":1234,\"thread_name\":\"MainThread\",\"active\":true,\"gil\":false,\"top_frame\":\"wait (x.py:1)\",\"frames\":\"wait (x.py:1)\\nmain (y.py:2)\"}}\n"
    "{\"kind\":\"log\",\"ts\":null,\"boot_ns\":9012551203000,\"log\":{\"text\":\"boot-relative\"}}\n";

static char *events_jsonl(struct fl_engine *e)
{
    const struct fl_window *w = fl_engine_window(e);
    struct fl_jsonw jw;
    fl_jsonw_init(&jw, false);
    for (size_t i = 0; i < w->nevents; i++) {
        fl_event_write_json(&jw, w, w->events[i]);
        fl_jsonw_bytes(&jw, "\n", 1);
    }
    cr_assert_eq(fl_jsonw_error(&jw), 0);
    char *s = strndup(jw.buf ? jw.buf : "", jw.len);
    fl_jsonw_release(&jw);
    return s;
}

FL_TEST(jsonl, round_trip_every_kind)
{
    struct fl_engine *e1 = ingest(every_kind);
    cr_assert_eq(fl_engine_window(e1)->nevents, 12);
    size_t n;
    uint64_t total;
    fl_engine_skips(e1, &n, &total);
    cr_assert_eq(total, 0);
    char *once = events_jsonl(e1);
    struct fl_engine *e2 = ingest(once);
    char *twice = events_jsonl(e2);
    /* the second pass reads the first pass's output: identical bytes means every field
     * (uid and original source included) survived */
    cr_assert_str_eq(once, twice);
    cr_assert(strstr(once, "\"source\":\"t.jsonl:2\"") != NULL);
    cr_assert(strstr(once, "\"boot_ns\":9012551203000") != NULL);
    free(once);
    free(twice);
    fl_engine_free(e1);
    fl_engine_free(e2);
}

FL_TEST(jsonl, allocation_failure_loop)
{
    /* Fail the nth allocation for every n until a run succeeds untouched: each failure must
     * give a clean error (or a clean result) and leak nothing (LeakSanitizer checks). */
    bool completed = false;
    for (uint64_t n = 1; n < 100000 && !completed; n++) {
        fl_alloc_fail_after(n, 1);
        struct fl_engine_opts o;
        fl_engine_opts_init(&o);
        struct fl_engine *e = fl_engine_new(&o, NULL);
        int rc = FL_ENOMEM;
        if (e && fl_engine_add_buffer(e, "t.jsonl", every_kind, strlen(every_kind), NULL) == 0)
            rc = fl_engine_run(e, NULL);
        struct fl_alloc_stats st;
        fl_alloc_stats_get(&st);
        fl_alloc_fail_after(0, 0);
        if (rc == 0) {
            cr_assert_eq(fl_engine_window(e)->nevents, 12, "n=%llu", (unsigned long long)n);
            completed = true;
        } else {
            cr_assert_eq(rc, FL_ENOMEM, "n=%llu: rc %d", (unsigned long long)n, rc);
        }
        fl_engine_free(e);
    }
    cr_assert(completed);
}

/* A pod_event another tool wrote with the kubelet's message and no numbers gets them from the
 * message; numbers or a container the record gives win; a malformed quantity keeps the
 * event, without numbers. */
#define PODEV(ts, pod, extra)                                                                      \
    "{\"kind\":\"pod_event\",\"ts\":\"" ts "\",\"node\":\"n1\",\"pod_event\":{\"pod\":\"ml/" pod \
    "\",\"reason\":\"Evicted\",\"message\":\"The node was low on resource: memory. Threshold "     \
    "quantity: 100Mi, available: 92104Ki. Container trainer was using 61865984Ki, request is "     \
    "48Gi, has larger consumption of memory. \"" extra "}}\n"

FL_TEST(jsonl, pod_event_numbers_from_the_kubelet_message)
{
    struct fl_engine *e = ingest(
        PODEV("2026-11-24T18:00:01Z", "a", "") PODEV("2026-11-24T18:00:02Z", "b",
                                                     ",\"container\":\"sidecar\"")
            PODEV("2026-11-24T18:00:03Z", "c", ",\"resource\":\"memory\",\"threshold\":1")
                "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T18:00:04Z\",\"pod_event\":{\"pod\":"
                "\"ml/d\",\"reason\":\"Evicted\",\"message\":\"The node was low on resource: "
                "memory. Threshold quantity: 12x, available: 1Ki. \"}}\n");
    const struct fl_window *w = fl_engine_window(e);
    uint32_t line;
    cr_assert_null(first_skip(e, &line));
    cr_assert_eq(w->nevents, 4);
    const struct fl_ev_pod_event *a = &w->events[0]->u.pod, *b = &w->events[1]->u.pod,
                                 *c = &w->events[2]->u.pod, *d = &w->events[3]->u.pod;
    cr_assert(fl_str_eq_cstr(a->resource, "memory"));
    cr_assert(fl_str_eq_cstr(a->container, "trainer"));
    cr_assert_eq(a->threshold, 100LL << 20);
    cr_assert_eq(a->available, 92104LL << 10);
    cr_assert_eq(a->usage, 61865984LL << 10);
    cr_assert_eq(a->request, 48LL << 30);
    cr_assert(a->known & FL_POD_HAS_USAGE);
    cr_assert(fl_str_eq_cstr(b->container, "sidecar"), "the record's container wins");
    cr_assert_eq(b->usage, 61865984LL << 10);
    cr_assert_eq(c->threshold, 1, "the record's numbers win");
    cr_assert_not(c->known & FL_POD_HAS_USAGE, "and the message is not read");
    cr_assert_eq(d->known & FL_POD_HAS_THRESHOLD, 0, "a malformed quantity: no numbers");
    cr_assert_gt(d->message.len, 0);
    fl_engine_free(e);
}
