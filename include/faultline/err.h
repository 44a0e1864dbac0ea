/* err.h - error codes and the error record.
 *
 * Contract: actions return 0 or a negative FL_E* code; constructors return NULL and fill a
 * struct fl_err. One X-macro table gives each code its name and message.
 */
#ifndef FAULTLINE_ERR_H
#define FAULTLINE_ERR_H

#include <stddef.h>
#include <stdint.h>

#define FL_ERRNO_MAP(X)                                                                            \
    X(NOMEM, "out of memory")                                                                      \
    X(IO, "input/output error")                                                                    \
    X(INVAL, "invalid argument")                                                                   \
    X(PARSE, "malformed input")                                                                    \
    X(TRUNC, "truncated input")                                                                    \
    X(LIMIT, "limit exceeded")                                                                     \
    X(UNSUPPORTED, "unsupported format")                                                           \
    X(NOTFOUND, "not found")                                                                       \
    X(RANGE, "value out of range")

enum fl_errcode {
    FL_OK = 0,
#define FL_ERR_ENUM_(name, msg) FL_E##name,
    FL_E__BASE = -100,
    FL_ERRNO_MAP(FL_ERR_ENUM_)
#undef FL_ERR_ENUM_
};

/* Name ("FL_EPARSE") and message of a code; "unknown error" for anything else. */
const char *fl_strerror(int code);
const char *fl_errname(int code);

struct fl_err {
    int code;
    char msg[256];  /* lower case, what failed, subject quoted */
    const char *path; /* borrowed; may be NULL */
    uint32_t line;    /* 1-based, 0 = not applicable */
    uint64_t offset;
};

/* Fill err (if not NULL) and return code. printf-style message. */
int fl_err_set(struct fl_err *err, int code, const char *path, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
