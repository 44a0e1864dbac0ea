/* time.h - timestamps and clocks.
 *
 * Contract: a time is int64 nanoseconds. A wall time is UTC nanoseconds since the Unix epoch;
 * a boot-relative time is nanoseconds since the node booted and means nothing until the
 * node's boot time is known (fl_clock_resolve). Parsing never reads past the end pointer;
 * formatting always writes UTC ("Z").
 */
#ifndef FAULTLINE_TIME_H
#define FAULTLINE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_NS_PER_SEC 1000000000LL
#define FL_NS_PER_MS 1000000LL
#define FL_NS_PER_US 1000LL
#define FL_TIME_NONE INT64_MIN /* "no time" sentinel */

/* Which clock an event's ts is on. */
enum fl_clock {
    FL_CLOCK_NONE = 0, /* the record carried no usable time */
    FL_CLOCK_WALL = 1, /* UTC ns since epoch */
    FL_CLOCK_BOOT = 2, /* ns since boot of the event's node; not yet resolved */
};

/* Days since 1970-01-01 of a proleptic Gregorian date; month 1-12. No range check. */
int64_t fl_days_from_civil(int64_t y, unsigned m, unsigned d);
void fl_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
bool fl_is_leap_year(int64_t y);
unsigned fl_days_in_month(int64_t y, unsigned m);

/* RFC 3339 / ISO 8601 timestamp: YYYY-MM-DD('T'|'t'|' ')hh:mm:ss[(.|,)fraction](Z|z|±hh:mm|±hhmm|±hh).
 * Fractions of 1..9 digits are exact; digits past the 9th are truncated. Seconds 60 (leap
 * second) is accepted and folded onto :59.999999999 of that minute's last second, so order is
 * kept. Consumes exactly the timestamp; *consumed (may be NULL) gets its length. Returns 0 or
 * FL_EPARSE / FL_ERANGE. When require_zone is false a missing zone is read as UTC and
 * *had_zone (may be NULL) says whether one was present. */
int fl_time_parse_rfc3339(const char *p, const char *end, bool require_zone, int64_t *out_ns,
                          size_t *consumed, bool *had_zone);

/* Longest output of fl_time_format_rfc3339, NUL included. */
#define FL_TIME_BUF 40
/* UTC, RFC3339Nano with trailing fraction zeros trimmed (Go's time.RFC3339Nano):
 * "2026-11-24T18:32:51.5512Z", "2026-11-24T18:32:51Z". Returns length. */
size_t fl_time_format_rfc3339(int64_t ns, char out[FL_TIME_BUF]);

/* Durations: "90s", "10m", "1h30m", "250ms", "1.5s", "2d", plain integer = seconds.
 * Units: ns us µs ms s m h d. Returns 0 or FL_EPARSE / FL_ERANGE. */
int fl_duration_parse(const char *p, const char *end, int64_t *out_ns);
/* Shortest exact rendering, e.g. "10m", "1h30m", "1.5s", "0s". Returns length. */
size_t fl_duration_format(int64_t ns, char out[FL_TIME_BUF]);

/* Boot-relative clock model of one node: boot_ns is the wall time at which the node booted,
 * or FL_TIME_NONE when unknown. */
struct fl_boot_clock {
    int64_t boot_ns;
    const char *how; /* static string: where boot_ns came from ("--boot-time", "journal"...) */
};
/* Convert a boot-relative ts; returns false (and leaves *wall alone) when boot_ns unknown. */
bool fl_boot_clock_to_wall(const struct fl_boot_clock *c, int64_t rel_ns, int64_t *wall);
/* Learn boot time from a pair of stamps of the same record (wall and boot-relative), as a
 * journal entry with __REALTIME_TIMESTAMP and __MONOTONIC_TIMESTAMP gives. */
void fl_boot_clock_learn(struct fl_boot_clock *c, int64_t wall_ns, int64_t rel_ns, const char *how);

#endif
