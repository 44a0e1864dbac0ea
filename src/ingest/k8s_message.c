/* The messages of the Kubernetes events that matter, read into numbers: the kubelet's eviction
 * message (pkg/kubelet/eviction/helpers.go), the device manager's admission failures
 * (pkg/kubelet/cm/devicemanager/manager.go), and the node or container a message names. */
#include <stdio.h>
#include <string.h>

#include "faultline/err.h"
#include "faultline/event.h"
#include "ingest/k8s.h"

/* Next sentence of a message: up to ". " (a quantity's "1.5Gi" has no space after its dot), or
 * to the end without its final '.'. */
static bool next_sentence(struct fl_str *rest, struct fl_str *out)
{
    struct fl_str r = *rest;
    while (r.len && (r.ptr[0] == ' ' || r.ptr[0] == '\n' || r.ptr[0] == '\t'))
        r = fl_str_sub(r, 1, r.len);
    if (!r.len)
        return false;
    ptrdiff_t at = fl_str_find(r, FL_STR_LIT(". "));
    if (at < 0) {
        *out = fl_str_trim(r);
        if (out->len && out->ptr[out->len - 1] == '.')
            out->len--;
        *rest = fl_str_make(r.ptr + r.len, 0);
    } else {
        *out = fl_str_make(r.ptr, (size_t)at);
        *rest = fl_str_sub(r, (size_t)at + 2, r.len);
    }
    return true;
}

static bool eat(struct fl_str *s, const char *lit)
{
    if (!fl_str_starts_with(*s, lit))
        return false;
    *s = fl_str_sub(*s, strlen(lit), s->len);
    return true;
}

/* Text up to (not including) lit; the rest after it. */
static bool upto(struct fl_str *s, const char *lit, struct fl_str *before)
{
    ptrdiff_t at = fl_str_find(*s, fl_str_from_cstr(lit));
    if (at < 0)
        return false;
    *before = fl_str_make(s->ptr, (size_t)at);
    *s = fl_str_sub(*s, (size_t)at + strlen(lit), s->len);
    return true;
}

static struct fl_str unquote(struct fl_str s)
{
    if (s.len >= 2 && s.ptr[0] == '"' && s.ptr[s.len - 1] == '"')
        return fl_str_make(s.ptr + 1, s.len - 2);
    return s;
}

struct evp {
    char *why;
    size_t cap;
    bool bad;
};

static bool qty(struct evp *ep, struct fl_str text, const char *what, int64_t *out)
{
    text = fl_str_trim(unquote(fl_str_trim(text)));
    int rc = fl__k8s_quantity(text, 0, out);
    if (rc == 0)
        return true;
    if (!ep->bad)
        snprintf(ep->why, ep->cap, "\"message\": %s quantity \"%.*s\" (%s)",
                 rc == FL_ERANGE ? "out-of-range" : "bad", (int)(text.len > 40 ? 40 : text.len),
                 text.ptr, what);
    ep->bad = true;
    return false;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

/* "NAME was using Q, request is Q, has larger consumption of R" or the older "NAME was using
 * Q, which exceeds its request of Q". */
static bool usage_sentence(struct evp *ep, struct fl_str s, struct fl_str *name, int64_t *use,
                           int64_t *req)
{
    struct fl_str q1, q2;
    if (!upto(&s, " was using ", name))
        return false;
    if (upto(&s, ", request is ", &q1)) {
        if (!upto(&s, ", has larger consumption of ", &q2))
            q2 = s;
    } else if (upto(&s, ", which exceeds its request of ", &q1)) {
        q2 = s;
    } else {
        return false;
    }
    return qty(ep, q1, "usage", use) && qty(ep, q2, "request", req);
}

int fl__k8s_evict_parse(struct fl_str msg, struct fl__k8s_msg *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    struct evp ep = {why, cap, false};
    struct fl_str rest = msg, s;
    bool shaped = false, have_best = false;
    int64_t best_over = 0;
    while (next_sentence(&rest, &s)) {
        eat(&s, "Pod was rejected: ");
        struct fl_str name, q;
        int64_t use, req, v;
        if (eat(&s, "The node was low on resource: ")) {
            out->resource = fl_str_trim(s);
            shaped = true;
        } else if (eat(&s, "The node had condition: ")) {
            shaped = true;
        } else if (eat(&s, "Threshold quantity: ")) {
            if (!upto(&s, ", available: ", &q))
                continue;
            if (qty(&ep, q, "threshold", &out->threshold))
                out->known |= FL_POD_HAS_THRESHOLD;
            if (qty(&ep, s, "available", &out->available))
                out->known |= FL_POD_HAS_AVAILABLE;
            shaped = true;
        } else if (eat(&s, "Container ")) {
            if (upto(&s, " exceeded its local ephemeral storage limit ", &name)) {
                shaped = true;
                if (qty(&ep, s, "limit", &v)) {
                    out->threshold = v;
                    out->known |= FL_POD_HAS_THRESHOLD;
                }
                if (!out->resource.len)
                    out->resource = FL_STR_LIT("ephemeral-storage");
                if (!have_best)
                    out->container = name;
                continue;
            }
            if (!usage_sentence(&ep, s, &name, &use, &req))
                continue;
            shaped = true;
            /* the container furthest over its request is the one the kubelet blamed */
            int64_t over = sat_sub(use, req);
            if (!have_best || over > best_over) {
                have_best = true;
                best_over = over;
                out->container = name;
                out->usage = use;
                out->request = req;
                out->known |= FL_POD_HAS_USAGE | FL_POD_HAS_REQUEST;
            }
        } else if (eat(&s, "Pod ephemeral local storage usage exceeds the total limit of "
                           "containers ")) {
            shaped = true;
            if (qty(&ep, s, "limit", &v)) {
                out->threshold = v;
                out->known |= FL_POD_HAS_THRESHOLD;
            }
            if (!out->resource.len)
                out->resource = FL_STR_LIT("ephemeral-storage");
        } else if (eat(&s, "Usage of EmptyDir volume ")) {
            if (!upto(&s, " exceeds the limit ", &name))
                continue;
            shaped = true;
            if (qty(&ep, s, "limit", &v)) {
                out->threshold = v;
                out->known |= FL_POD_HAS_THRESHOLD;
            }
            if (!out->resource.len)
                out->resource = FL_STR_LIT("ephemeral-storage");
        } else if (eat(&s, "Pod ")) {
            /* pod-level resources: counts only when no container sentence does */
            if (!usage_sentence(&ep, s, &name, &use, &req))
                continue;
            shaped = true;
            if (!have_best) {
                out->usage = use;
                out->request = req;
                out->known |= FL_POD_HAS_USAGE | FL_POD_HAS_REQUEST;
            }
        }
    }
    if (ep.bad)
        return FL_EPARSE;
    return shaped ? 1 : 0;
}

static bool small_int(struct fl_str s, int64_t *out)
{
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    return fl_scan_i64(&sc, out);
}

bool fl__k8s_admission_parse(struct fl_str msg, struct fl__k8s_msg *out)
{
    memset(out, 0, sizeof *out);
    struct fl_str s = msg, res, n;
    if (upto(&s, "devices unavailable for ", &n) && upto(&s, ". Requested: ", &res)) {
        out->resource = res;
        if (small_int(s, &out->request))
            out->known |= FL_POD_HAS_REQUEST;
        if (upto(&s, ", Available: ", &n) && small_int(s, &out->available))
            out->known |= FL_POD_HAS_AVAILABLE;
        return true;
    }
    s = msg;
    if (upto(&s, "cannot allocate unhealthy devices ", &n) ||
        upto(&s, "cannot allocate unregistered device ", &n)) {
        bool none = fl_str_find(n, FL_STR_LIT("no healthy devices present")) >= 0;
        ptrdiff_t comma = fl_str_find(s, FL_STR_LIT(","));
        out->resource = fl_str_trim(comma >= 0 ? fl_str_make(s.ptr, (size_t)comma) : s);
        if (none) {
            out->available = 0;
            out->known |= FL_POD_HAS_AVAILABLE;
        }
        return out->resource.len > 0;
    }
    return false;
}

static struct fl_str first_word(struct fl_str s)
{
    size_t n = 0;
    while (n < s.len && s.ptr[n] != ' ' && s.ptr[n] != ',' && s.ptr[n] != '\n')
        n++;
    return fl_str_make(s.ptr, n);
}

struct fl_str fl__k8s_node_from_message(struct fl_str reason, struct fl_str msg)
{
    struct fl_str s = msg, before;
    const char *marker = NULL;
    if (fl_str_eq_cstr(reason, "Scheduled"))
        marker = " to ";
    else if (fl_str_eq_cstr(reason, "Preempted"))
        marker = " on node ";
    else if (fl_str_eq_cstr(reason, "NodeControllerEviction"))
        marker = " from Node ";
    if (!marker || !upto(&s, marker, &before))
        return FL_STR_NULL;
    /* the node name is the last word; "Successfully assigned ns/p to n" has one " to " */
    struct fl_str w = first_word(fl_str_trim(s));
    return w.len ? w : FL_STR_NULL;
}

struct fl_str fl__k8s_container_from_message(struct fl_str msg)
{
    static const char *const lead[] = {
        "Stopping container ",
        "Back-off restarting failed container ",
        "Started container ",
        "Created container ",
    };
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++)
        if (fl_str_starts_with(msg, lead[i])) {
            struct fl_str w = first_word(fl_str_sub(msg, strlen(lead[i]), msg.len));
            return w.len ? w : FL_STR_NULL;
        }
    return FL_STR_NULL;
}

static void set_msg_numbers(struct fl_ev_pod_event *p, const struct fl__k8s_msg *m)
{
    if (m->resource.len)
        p->resource = m->resource;
    if (m->container.len)
        p->container = m->container;
    p->threshold = m->threshold;
    p->available = m->available;
    p->usage = m->usage;
    p->request = m->request;
    p->known |= m->known;
}

int fl__k8s_pod_message_numbers(struct fl_ev_pod_event *p, char *why, size_t cap)
{
    struct fl__k8s_msg m;
    if (p->reason_code == FL_POD_EVICTED) {
        int rc = fl__k8s_evict_parse(p->message, &m, why, cap);
        if (rc > 0)
            set_msg_numbers(p, &m);
        return rc;
    }
    if (p->reason_code == FL_POD_ADMISSION_ERROR && fl__k8s_admission_parse(p->message, &m)) {
        set_msg_numbers(p, &m);
        return 1;
    }
    return 0;
}
