/* faultline.events/v1 writer: the inverse of src/ingest/jsonl.c (a test round-trips them). */
#include <math.h>
#include <stdio.h>

#include "faultline/window.h"
#include "verdict/report.h"

static void kv_str(struct fl_jsonw *w, const char *k, struct fl_str s)
{
    if (!s.ptr)
        return;
    fl_jsonw_key(w, k);
    fl_jsonw_str(w, s);
}

static void kv_i64(struct fl_jsonw *w, const char *k, int64_t v, int64_t absent)
{
    if (v == absent)
        return;
    fl_jsonw_key(w, k);
    fl_jsonw_i64(w, v);
}

/* A number whose presence is a bit of the payload's "known" mask. */
static void kv_known(struct fl_jsonw *w, const char *k, int64_t v, unsigned known)
{
    if (!known)
        return;
    fl_jsonw_key(w, k);
    fl_jsonw_i64(w, v);
}

static void kv_hex(struct fl_jsonw *w, const char *k, uint64_t v, int digits)
{
    char b[24];
    snprintf(b, sizeof b, "%0*llx", digits, (unsigned long long)v);
    fl_jsonw_key(w, k);
    fl_jsonw_cstr(w, b);
}

static void kv_bool(struct fl_jsonw *w, const char *k, bool v)
{
    fl_jsonw_key(w, k);
    fl_jsonw_bool(w, v);
}

static void kv_id(struct fl_jsonw *w, const struct fl_window *win, const char *k, uint32_t id)
{
    if (!id)
        return;
    fl_jsonw_key(w, k);
    fl_jsonw_cstr(w, fl_window_str(win, id));
}

/* nccl_fr_record fields added by the Flight Recorder reader (docs/formats/flight-recorder.md) */
static void fr_record_more(struct fl_jsonw *w, const struct fl_window *win,
                           const struct fl_ev_nccl_fr *f)
{
    if (f->known & FL_FR_HAS_PG_ID)
        kv_i64(w, "pg_id", f->pg_id, INT64_MIN);
    kv_id(w, win, "backend", f->backend);
    if (f->coalesced) {
        fl_jsonw_key(w, "coalesced");
        fl_jsonw_cstr(w, fl_fr_coalesced_name(f->coalesced));
    }
    kv_bool(w, "retired", f->retired);
    if (f->known & FL_FR_HAS_PEER)
        kv_i64(w, "peer", f->peer, INT64_MIN);
    if (f->known & FL_FR_HAS_PEER_PG_RANK)
        kv_i64(w, "peer_pg_rank", f->peer_pg_rank, INT64_MIN);
    kv_id(w, win, "input_sizes", f->input_sizes);
    kv_id(w, win, "input_dtypes", f->input_dtypes);
    kv_id(w, win, "output_sizes", f->output_sizes);
    kv_id(w, win, "output_dtypes", f->output_dtypes);
    kv_i64(w, "thread_id", f->thread_id, 0);
    kv_id(w, win, "thread_name", f->thread_name);
    if (f->started_ns) {
        fl_jsonw_key(w, "started_at");
        fl_jsonw_time(w, f->started_ns);
    }
    if (f->completed_ns) {
        fl_jsonw_key(w, "completed_at");
        fl_jsonw_time(w, f->completed_ns);
    }
    kv_id(w, win, "frames", f->frames);
}

static void fr_dump(struct fl_jsonw *w, const struct fl_window *win,
                    const struct fl_ev_nccl_fr_dump *d)
{
    if (d->known & FL_FR_DUMP_HAS_RANK)
        kv_i64(w, "rank", d->rank, INT64_MIN);
    fl_jsonw_key(w, "status");
    fl_jsonw_cstr(w, fl_fr_dump_status_name(d->status));
    fl_jsonw_key(w, "format");
    fl_jsonw_cstr(w, fl_fr_encoding_name(d->encoding));
    kv_str(w, "version", d->version);
    kv_str(w, "comm_lib_version", d->comm_lib_version);
    kv_id(w, win, "backend", d->backend);
    if (d->status == FL_FR_DUMP_OK)
        kv_i64(w, "entries", d->nentries, -1);
    kv_str(w, "error", d->error);
    if (!d->npgs)
        return;
    fl_jsonw_key(w, "pgs");
    fl_jsonw_array_begin(w);
    for (uint32_t i = 0; i < d->npgs; i++) {
        const struct fl_fr_pg *g = &d->pgs[i];
        fl_jsonw_object_begin(w);
        kv_id(w, win, "name", g->name);
        kv_id(w, win, "desc", g->desc);
        kv_id(w, win, "ranks", g->ranks);
        kv_i64(w, "size", g->size, -1);
        kv_i64(w, "id", g->id, -1);
        kv_i64(w, "last_enqueued", g->last_enqueued, FL_FR_NO_SEQ);
        kv_i64(w, "last_started", g->last_started, FL_FR_NO_SEQ);
        kv_i64(w, "last_completed", g->last_completed, FL_FR_NO_SEQ);
        fl_jsonw_object_end(w);
    }
    fl_jsonw_array_end(w);
}

static void payload(struct fl_jsonw *w, const struct fl_window *win, const struct fl_event *ev)
{
    switch ((enum fl_event_kind)ev->kind) {
    case FL_EV_LOG:
        kv_str(w, "text", ev->u.log.text);
        kv_i64(w, "level", ev->u.log.level, 255);
        break;
    case FL_EV_XID:
        kv_i64(w, "code", ev->u.xid.code, -1);
        kv_i64(w, "pid", ev->u.xid.pid, -1);
        kv_str(w, "process", ev->u.xid.process);
        kv_str(w, "text", ev->u.xid.text);
        break;
    case FL_EV_SXID:
        kv_i64(w, "code", ev->u.sxid.code, -1);
        kv_i64(w, "switch", ev->u.sxid.switch_index, -1);
        kv_bool(w, "fatal", ev->u.sxid.fatal);
        kv_i64(w, "link", ev->u.sxid.link, -1);
        kv_str(w, "text", ev->u.sxid.text);
        break;
    case FL_EV_PCIE_AER: {
        const struct fl_ev_pcie_aer *a = &ev->u.aer;
        fl_jsonw_key(w, "severity");
        fl_jsonw_cstr(w, fl_aer_severity_name(a->severity));
        fl_jsonw_key(w, "type");
        fl_jsonw_cstr(w, fl_aer_type_name(a->type));
        kv_bool(w, "multiple", a->multiple);
        kv_hex(w, "vendor_id", a->vendor_id, 4);
        kv_hex(w, "device_id", a->device_id, 4);
        kv_hex(w, "status", a->status, 8);
        kv_hex(w, "mask", a->mask, 8);
        kv_i64(w, "first_bit", a->first_bit, 32);
        kv_str(w, "agent", a->agent);
        break;
    }
    case FL_EV_ECC:
        fl_jsonw_key(w, "type");
        fl_jsonw_cstr(w, fl_ecc_kind_name(ev->u.ecc.ecc_kind));
        kv_bool(w, "aggregate", ev->u.ecc.aggregate);
        kv_i64(w, "count", ev->u.ecc.count, INT64_MIN);
        kv_str(w, "text", ev->u.ecc.text);
        break;
    case FL_EV_THROTTLE:
        fl_jsonw_key(w, "reasons");
        fl_jsonw_u64(w, ev->u.throttle.reasons);
        break;
    case FL_EV_GPU_SAMPLE:
        fl_jsonw_key(w, "metric");
        fl_jsonw_cstr(w, fl_gpu_metric_name(ev->u.sample.metric));
        fl_jsonw_key(w, "value");
        fl_jsonw_double(w, ev->u.sample.value);
        kv_str(w, "name", ev->u.sample.name);
        break;
    case FL_EV_POD_EVENT: {
        const struct fl_ev_pod_event *p = &ev->u.pod;
        kv_id(w, win, "pod", p->pod);
        kv_str(w, "reason", p->reason);
        kv_str(w, "message", p->message);
        kv_str(w, "container", p->container);
        kv_i64(w, "count", p->count, INT64_MIN);
        kv_id(w, win, "pod_uid", p->pod_uid);
        kv_known(w, "exit_code", p->exit_code, p->known & FL_POD_HAS_EXIT_CODE);
        kv_known(w, "gpus", p->gpus, p->known & FL_POD_HAS_GPUS);
        kv_str(w, "resource", p->resource);
        kv_known(w, "threshold", p->threshold, p->known & FL_POD_HAS_THRESHOLD);
        kv_known(w, "available", p->available, p->known & FL_POD_HAS_AVAILABLE);
        kv_known(w, "usage", p->usage, p->known & FL_POD_HAS_USAGE);
        kv_known(w, "request", p->request, p->known & FL_POD_HAS_REQUEST);
        break;
    }
    case FL_EV_NODE_CONDITION:
        kv_str(w, "type", ev->u.cond.type);
        fl_jsonw_key(w, "status");
        fl_jsonw_cstr(w, fl_tristate_name(ev->u.cond.status));
        kv_str(w, "reason", ev->u.cond.reason);
        kv_str(w, "message", ev->u.cond.message);
        kv_known(w, "gpu_capacity", ev->u.cond.gpu_capacity,
                 ev->u.cond.known & FL_COND_HAS_GPU_CAPACITY);
        kv_known(w, "gpu_allocatable", ev->u.cond.gpu_allocatable,
                 ev->u.cond.known & FL_COND_HAS_GPU_ALLOCATABLE);
        kv_str(w, "labels", ev->u.cond.labels);
        break;
    case FL_EV_NCCL_FR_RECORD: {
        const struct fl_ev_nccl_fr *f = &ev->u.fr;
        kv_i64(w, "rank", f->rank, -1);
        kv_id(w, win, "pg", f->pg);
        kv_str(w, "pg_desc", f->pg_desc);
        kv_i64(w, "collective_seq", f->collective_seq, -1);
        kv_i64(w, "p2p_seq", f->p2p_seq, -1);
        kv_i64(w, "op_id", f->op_id, -1);
        kv_i64(w, "record_id", f->record_id, -1);
        kv_str(w, "op", f->op);
        fl_jsonw_key(w, "state");
        fl_jsonw_cstr(w, fl_fr_state_name(f->state));
        kv_bool(w, "is_p2p", f->is_p2p);
        kv_i64(w, "timeout_ms", f->timeout_ms, -1);
        if (!isnan(f->duration_ms)) {
            fl_jsonw_key(w, "duration_ms");
            fl_jsonw_double(w, f->duration_ms);
        }
        fr_record_more(w, win, f);
        break;
    }
    case FL_EV_PYSPY_STACK: {
        const struct fl_ev_pyspy_stack *s = &ev->u.pyspy;
        kv_i64(w, "rank", s->rank, -1);
        kv_i64(w, "pid", s->pid, -1);
        kv_i64(w, "thread_id", s->thread_id, -1);
        kv_str(w, "thread_name", s->thread_name);
        kv_bool(w, "active", s->active);
        kv_bool(w, "gil", s->gil);
        kv_str(w, "top_frame", s->top_frame);
        kv_str(w, "frames", s->frames);
        fl_jsonw_key(w, "activity");
        fl_jsonw_cstr(w, fl_pyspy_activity_name(s->activity));
        kv_str(w, "op", s->op);
        kv_str(w, "activity_frame", s->activity_frame);
        kv_id(w, win, "cmdline", s->cmdline);
        kv_id(w, win, "python", s->python);
        break;
    }
    case FL_EV_NCCL_FR_DUMP:
        fr_dump(w, win, &ev->u.fr_dump);
        break;
    case FL_EV__COUNT:
        break;
    }
}

void fl_event_write_json(struct fl_jsonw *w, const struct fl_window *win,
                         const struct fl_event *ev)
{
    char uid[17], src[1024];
    fl_hex64(ev->uid, uid);
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "kind");
    fl_jsonw_cstr(w, fl_event_kind_name((enum fl_event_kind)ev->kind));
    fl_jsonw_key(w, "ts");
    fl_jsonw_time(w, ev->clock == FL_CLOCK_WALL ? ev->ts : FL_TIME_NONE);
    if (ev->clock == FL_CLOCK_BOOT) {
        fl_jsonw_key(w, "boot_ns");
        fl_jsonw_i64(w, ev->ts);
    }
    fl_jsonw_key(w, "uid");
    fl_jsonw_cstr(w, uid);
    kv_id(w, win, "node", ev->node);
    kv_id(w, win, "job", ev->job);
    fl_window_source(win, ev, src, sizeof src);
    fl_jsonw_key(w, "source");
    fl_jsonw_cstr(w, src);
    if (ev->gpu.pci || ev->gpu.uuid || ev->gpu.index >= 0) {
        fl_jsonw_key(w, "gpu");
        fl_jsonw_object_begin(w);
        kv_id(w, win, "pci", ev->gpu.pci);
        kv_id(w, win, "uuid", ev->gpu.uuid);
        kv_i64(w, "index", ev->gpu.index, -1);
        fl_jsonw_object_end(w);
    }
    kv_str(w, "raw", ev->raw);
    fl_jsonw_key(w, fl_event_kind_name((enum fl_event_kind)ev->kind));
    fl_jsonw_object_begin(w);
    payload(w, win, ev);
    fl_jsonw_object_end(w);
    fl_jsonw_object_end(w);
}
