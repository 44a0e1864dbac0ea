/* Binary journal files (*.journal, /var/log/journal/<machine-id>/), read with libsystemd's
 * sd-journal (docs/formats/kernel-log.md). sd-journal reads files, not buffers: see
 * own_file / temp_file for how the engine's bytes reach it. Kernel entries go through the
 * same rules as journalctl -o json (ingest/kernel_lines.h, fl__journal_entry). Entries have
 * no line: an event's source is "path@N", N the entry's position in the file (1-based). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "faultline/alloc.h"
#include "faultline/ingest.h"
#include "ingest/kernel_lines.h"

#define JB_MAGIC "LPKSHHRH"
#define JB_HOST_MAX 256

static int jb_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    return len >= 8 && memcmp(buf, JB_MAGIC, 8) == 0 ? 100 : 0;
}

/* sd-journal refuses files with no link (EIDRM), so a memfd cannot carry the bytes. The
 * input's own file is used when it still holds exactly these bytes; otherwise (stdin, an
 * in-memory buffer, a file changed since it was read) a private temporary file under
 * $TMPDIR (default /tmp) is written, opened and removed again. */
static bool same_bytes(int fd, const char *buf, size_t len)
{
    char tmp[4096];
    size_t n = len < sizeof tmp ? len : sizeof tmp;
    if (pread(fd, tmp, n, 0) != (ssize_t)n || memcmp(tmp, buf, n) != 0)
        return false;
    if (len > n &&
        (pread(fd, tmp, n, (off_t)(len - n)) != (ssize_t)n || memcmp(tmp, buf + len - n, n) != 0))
        return false;
    return true;
}

static int own_file(const char *path, const char *buf, size_t len)
{
    if (!path || strcmp(path, "-") == 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len ||
        !same_bytes(fd, buf, len)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int temp_file(const char *buf, size_t len, char *name, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if ((size_t)snprintf(name, cap, "%s/faultline-journal-XXXXXX", dir) >= cap)
        return -1;
    int fd = mkostemp(name, O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int en = errno;
            close(fd);
            unlink(name);
            errno = en ? en : EIO;
            return -1;
        }
        off += (size_t)w;
    }
    return fd;
}

/* Value of FIELD=value of the current entry, as a view valid until the next sd-journal
 * call; empty when absent. */
static struct fl_str field(sd_journal *j, const char *name)
{
    const void *d;
    size_t l;
    if (sd_journal_get_data(j, name, &d, &l) < 0)
        return FL_STR_NULL;
    size_t n = strlen(name) + 1; /* "NAME=" */
    if (l < n)
        return FL_STR_NULL;
    return fl_str_make((const char *)d + n, l - n);
}

static int64_t field_u64(sd_journal *j, const char *name)
{
    uint64_t v;
    struct fl_str s = field(j, name);
    if (!s.len || !fl_str_to_u64(s, &v) || v > (uint64_t)INT64_MAX)
        return -1;
    return (int64_t)v;
}

/* Copy s into a reused scratch buffer (grown through the allocation hook). */
static bool keep(char **buf, size_t *cap, struct fl_str s, struct fl_str *out)
{
    if (s.len > *cap) {
        size_t nc = *cap ? *cap : 4096;
        while (nc < s.len)
            nc *= 2;
        char *nb = fl_realloc(*buf, nc);
        if (!nb)
            return false;
        *buf = nb;
        *cap = nc;
    }
    if (s.len)
        memcpy(*buf, s.ptr, s.len);
    *out = fl_str_make(*buf, s.len);
    return true;
}

static int jb_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    char why[512];
    char tmp[4096];
    tmp[0] = 0;
    int fd = own_file(ctx->path, buf, len);
    if (fd < 0 && (fd = temp_file(buf, len, tmp, sizeof tmp)) < 0) {
        snprintf(why, sizeof why,
                 "binary journal cannot be handed to sd-journal: no temporary file in $TMPDIR: "
                 "%s",
                 strerror(errno));
        return fl_ingest_skip(ctx, 0, 0, why);
    }
    sd_journal *j = NULL;
    int fds[1] = {fd};
    int r = sd_journal_open_files_fd(&j, fds, 1, 0);
    if (r < 0) {
        close(fd);
        if (tmp[0])
            unlink(tmp);
        snprintf(why, sizeof why, "binary journal cannot be opened: %s", strerror(-r));
        return fl_ingest_skip(ctx, 0, 0, why);
    }
    (void)sd_journal_set_data_threshold(j, 0); /* whole fields, not the first 64 KiB */
    struct fl_kl kl;
    fl_kl_init(&kl, ctx);
    struct fl_jfeed jf = {.ctx = ctx, .kl = &kl};
    char *msg_buf = NULL;
    size_t msg_cap = 0;
    char host_buf[JB_HOST_MAX];
    uint64_t n = 0;
    while (!kl.err) {
        r = sd_journal_next(j);
        if (r < 0) {
            snprintf(why, sizeof why, "binary journal is unreadable after entry %llu: %s",
                     (unsigned long long)n, strerror(-r));
            if (fl_ingest_skip(ctx, 0, 0, why))
                kl.err = FL_ENOMEM;
            break;
        }
        if (r == 0)
            break;
        n++;
        struct fl_jentry e = {.priority = -1,
                              .realtime_us = -1,
                              .monotonic_us = -1,
                              .source_mono_us = -1,
                              .offset = n};
        /* the cheap checks first: a kernel entry whose message holds a needle */
        struct fl_str tr = field(j, "_TRANSPORT");
        bool kernel = tr.len && fl_str_eq_cstr(tr, "kernel");
        if (!kernel) {
            struct fl_str id = field(j, "SYSLOG_IDENTIFIER");
            kernel = (!tr.len && !id.len) || fl_str_eq_cstr(id, "kernel");
        }
        if (!kernel)
            continue;
        e.transport = FL_STR_LIT("kernel");
        struct fl_str m = field(j, "MESSAGE");
        if (!m.len)
            continue;
        if (!fl_kl_hungry(&kl) && !fl_kl_has_needle(m.ptr, m.ptr + m.len))
            continue;
        if (!keep(&msg_buf, &msg_cap, m, &e.message)) {
            kl.err = FL_ENOMEM;
            break;
        }
        struct fl_str h = field(j, "_HOSTNAME");
        if (h.len && h.len < sizeof host_buf) {
            memcpy(host_buf, h.ptr, h.len);
            e.host = fl_str_make(host_buf, h.len);
        }
        uint64_t us;
        if (sd_journal_get_realtime_usec(j, &us) >= 0 && us <= (uint64_t)INT64_MAX)
            e.realtime_us = (int64_t)us;
        sd_id128_t boot;
        if (sd_journal_get_monotonic_usec(j, &us, &boot) >= 0 && us <= (uint64_t)INT64_MAX)
            e.monotonic_us = (int64_t)us;
        e.source_mono_us = field_u64(j, "_SOURCE_MONOTONIC_TIMESTAMP");
        int64_t pr = field_u64(j, "PRIORITY");
        e.priority = pr >= 0 && pr <= 7 ? (int)pr : -1;
        fl__journal_entry(&jf, &e, true);
    }
    (void)fl_kl_finish(&kl);
    fl_free(msg_buf);
    sd_journal_close(j);
    close(fd);
    if (tmp[0])
        unlink(tmp);
    return kl.err;
}

const struct fl_parser fl_parser_journal = {
    .name = "journal",
    .summary = "binary systemd journal files (*.journal), kernel entries, via sd-journal",
    .sniff = jb_sniff,
    .parse = jb_parse,
};
