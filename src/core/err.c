/* Error codes: names and messages from the FL_ERRNO_MAP table. */
#include "faultline/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *fl_strerror(int code)
{
    switch (code) {
    case FL_OK:
        return "success";
#define FL_ERR_MSG_(name, msg)                                                                     \
    case FL_E##name:                                                                               \
        return msg;
        FL_ERRNO_MAP(FL_ERR_MSG_)
#undef FL_ERR_MSG_
    default:
        return "unknown error";
    }
}

const char *fl_errname(int code)
{
    switch (code) {
    case FL_OK:
        return "FL_OK";
#define FL_ERR_NAME_(name, msg)                                                                    \
    case FL_E##name:                                                                               \
        return "FL_E" #name;
        FL_ERRNO_MAP(FL_ERR_NAME_)
#undef FL_ERR_NAME_
    default:
        return "FL_E?";
    }
}

int fl_err_set(struct fl_err *err, int code, const char *path, uint32_t line, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->path = path;
    err->line = line;
    err->offset = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}
