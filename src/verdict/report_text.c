/* The human report: verdicts grouped by severity, then inputs and skipped records. */
#include <stdio.h>
#include <string.h>

#include "faultline/window.h"
#include "verdict/report.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *sev_color(enum fl_severity s)
{
    switch (s) {
    case FL_SEV_CRITICAL: return "\033[1;31m";
    case FL_SEV_ERROR: return "\033[31m";
    case FL_SEV_WARNING: return "\033[33m";
    default: return "\033[36m";
    }
}

struct out {
    FILE *f;
    bool color;
};

static const char *c(const struct out *o, const char *code) { return o->color ? code : ""; }

static void upper(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
    dst[i] = '\0';
}

static void print_scope(const struct out *o, const struct fl_window *win, const struct fl_scope *s)
{
    const char *sep = "";
    fprintf(o->f, "    %-13s", "scope:");
    if (s->node) {
        fprintf(o->f, "%snode %s", sep, fl_window_str(win, s->node));
        sep = ", ";
    }
    if (s->gpu.pci) {
        fprintf(o->f, "%sgpu %s", sep, fl_window_str(win, s->gpu.pci));
        if (s->gpu.index >= 0)
            fprintf(o->f, " (index %d)", s->gpu.index);
        sep = ", ";
    }
    if (s->gpu.uuid) {
        fprintf(o->f, "%s%s", sep, fl_window_str(win, s->gpu.uuid));
        sep = ", ";
    }
    if (s->pod) {
        fprintf(o->f, "%spod %s", sep, fl_window_str(win, s->pod));
        sep = ", ";
    }
    if (s->job) {
        fprintf(o->f, "%sjob %s", sep, fl_window_str(win, s->job));
        sep = ", ";
    }
    if (s->pg) {
        fprintf(o->f, "%spg %s%s%s%s", sep, fl_window_str(win, s->pg), s->pg_desc ? " (" : "",
                s->pg_desc ? s->pg_desc : "", s->pg_desc ? ")" : "");
        sep = ", ";
    }
    if (s->nranks) {
        fprintf(o->f, "%sranks ", sep);
        for (size_t i = 0; i < s->nranks; i++)
            fprintf(o->f, "%s%d", i ? "," : "", s->ranks[i]);
        sep = ", ";
    }
    if (!*sep)
        fputs("(none)", o->f);
    fputc('\n', o->f);
}

static void print_verdict(const struct out *o, const struct fl_window *win,
                          const struct fl_verdict *v, const struct fl_verdict *all, size_t nall)
{
    char ts[FL_TIME_BUF], hex[17], src[1024];
    fl_time_format_rfc3339(v->ts, ts);
    fprintf(o->f, "  %s%s%s\n", c(o, C_BOLD), v->headline, c(o, C_RESET));
    fprintf(o->f, "    %-13s%s\n", "when:", v->ts == FL_TIME_NONE ? "unknown" : ts);
    print_scope(o, win, &v->scope);
    fprintf(o->f, "    %-13s%s\n", "remediation:", v->remediation);
    for (size_t i = 0; i < v->nevidence; i++) {
        fl_window_source(win, v->evidence[i].ev, src, sizeof src);
        fprintf(o->f, "    %-13s%s%s%s  %s\n", i ? "" : "evidence:", c(o, C_DIM), src,
                c(o, C_RESET), v->evidence[i].description);
    }
    for (size_t i = 0; i < v->ncaused_by; i++) {
        const char *what = "";
        for (size_t k = 0; k < nall && !*what; k++)
            if (all[k].uid == v->caused_by[i])
                what = all[k].pattern_id;
        fl_hex64(v->caused_by[i], hex);
        fprintf(o->f, "    %-13s%s  uid %s\n", i ? "" : "caused by:", *what ? what : "verdict",
                hex);
    }
    fl_hex64(v->uid, hex);
    fprintf(o->f, "    %-13s%s%s  uid %s%s\n\n", "pattern:", c(o, C_DIM), v->pattern_id, hex,
            c(o, C_RESET));
}

int fl_report_text(const struct fl_engine *e, FILE *f, const struct fl_text_opts *opts)
{
    struct out o = {f, opts && opts->color};
    const struct fl_window *win = fl_engine_window(e);
    size_t nv, ni, nk;
    uint64_t total_skipped;
    const struct fl_verdict *v = fl_engine_verdicts(e, &nv);
    const struct fl_input *in = fl_engine_inputs(e, &ni);
    const struct fl_skip *sk = fl_engine_skips(e, &nk, &total_skipped);

    char a[FL_TIME_BUF], b[FL_TIME_BUF];
    fprintf(f, "%sfaultline %s%s: %zu verdict%s from %zu input%s, %zu event%s", c(&o, C_BOLD),
            FL_VERSION, c(&o, C_RESET), nv, nv == 1 ? "" : "s", ni, ni == 1 ? "" : "s",
            win->nevents, win->nevents == 1 ? "" : "s");
    if (win->start != FL_TIME_NONE) {
        fl_time_format_rfc3339(win->start, a);
        fl_time_format_rfc3339(win->end, b);
        fprintf(f, ", %s .. %s", a, b);
    }
    fputs("\n\n", f);
    if (nv == 0)
        fputs("No verdicts: nothing in these inputs matched a known failure pattern.\n\n", f);
    for (int s = 0; s < FL_SEV__COUNT; s++) {
        size_t count = 0;
        for (size_t i = 0; i < nv; i++)
            count += v[i].severity == (enum fl_severity)s;
        if (!count)
            continue;
        char name[16];
        upper(name, fl_severity_name((enum fl_severity)s), sizeof name);
        fprintf(f, "%s%s (%zu)%s\n", c(&o, sev_color((enum fl_severity)s)), name, count,
                c(&o, C_RESET));
        for (size_t i = 0; i < nv; i++)
            if (v[i].severity == (enum fl_severity)s)
                print_verdict(&o, win, &v[i], v, nv);
    }
    if (!opts || !opts->quiet) {
        fprintf(f, "%sInputs%s\n", c(&o, C_BOLD), c(&o, C_RESET));
        for (size_t i = 0; i < ni; i++) {
            fprintf(f, "  %s  [%s] %llu records, %llu skipped", in[i].path, in[i].format,
                    (unsigned long long)in[i].records, (unsigned long long)in[i].skipped);
            if (in[i].node)
                fprintf(f, ", node %s (%s)", fl_window_str(win, in[i].node),
                        in[i].node_rule ? in[i].node_rule : "?");
            if (in[i].error)
                fprintf(f, "\n    %sERROR%s %s", c(&o, sev_color(FL_SEV_ERROR)), c(&o, C_RESET),
                        in[i].error_msg ? in[i].error_msg : "cannot read input");
            fputc('\n', f);
        }
        if (total_skipped) {
            fprintf(f, "\n%sSkipped records%s: %llu (first %zu shown)\n", c(&o, C_BOLD),
                    c(&o, C_RESET), (unsigned long long)total_skipped, nk);
            for (size_t i = 0; i < nk; i++) {
                const char *path = in[sk[i].input].path;
                if (sk[i].line)
                    fprintf(f, "  %s:%u  %s\n", path, sk[i].line, sk[i].reason);
                else if (sk[i].offset)
                    fprintf(f, "  %s@%llu  %s\n", path, (unsigned long long)sk[i].offset,
                            sk[i].reason);
                else
                    fprintf(f, "  %s  %s\n", path, sk[i].reason);
            }
        }
    }
    fflush(f);
    return ferror(f) ? FL_EIO : 0;
}

int fl_events_text(const struct fl_engine *e, FILE *f)
{
    const struct fl_window *win = fl_engine_window(e);
    char ts[FL_TIME_BUF], src[1024];
    fprintf(f, "%-30s %-15s %-20s %-14s %s\n", "TS", "KIND", "NODE", "GPU", "SOURCE");
    for (size_t i = 0; i < win->nevents; i++) {
        const struct fl_event *ev = win->events[i];
        if (ev->clock == FL_CLOCK_WALL)
            fl_time_format_rfc3339(ev->ts, ts);
        else if (ev->clock == FL_CLOCK_BOOT)
            snprintf(ts, sizeof ts, "boot+%.6fs", (double)ev->ts / 1e9);
        else
            snprintf(ts, sizeof ts, "-");
        fl_window_source(win, ev, src, sizeof src);
        fprintf(f, "%-30s %-15s %-20s %-14s %s\n", ts,
                fl_event_kind_name((enum fl_event_kind)ev->kind),
                ev->node ? fl_window_str(win, ev->node) : "-",
                ev->gpu.pci ? fl_window_str(win, ev->gpu.pci) : "-", src);
    }
    fflush(f);
    return ferror(f) ? FL_EIO : 0;
}
