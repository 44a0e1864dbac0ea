/* verdict_text.c - see verdict_text.h. */
#include "detect/verdict_text.h"

#include <stdio.h>

#include "faultline/time.h"

int64_t fl__elapsed(int64_t a, int64_t b)
{
    uint64_t d = (uint64_t)b - (uint64_t)a;
    return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

void fl__fmt_delay(int64_t ns, char *buf, size_t cap)
{
    int64_t s = ns / FL_NS_PER_SEC;
    if (ns < FL_NS_PER_SEC)
        snprintf(buf, cap, "%lldms", (long long)(ns / FL_NS_PER_MS));
    else if (s < 120)
        snprintf(buf, cap, "%llds", (long long)s);
    else
        snprintf(buf, cap, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
}

const char *fl__node_name(const struct fl_window *w, uint32_t node)
{
    return node ? fl_window_str(w, node) : "(unknown node)";
}

int64_t fl__verdict_when(const struct fl_event *e, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (e->clock == FL_CLOCK_WALL)
        return e->ts;
    snprintf(buf, cap, ", %.1f s after boot (the log has no wall-clock time)",
             (double)e->ts / 1e9);
    return FL_TIME_NONE;
}
