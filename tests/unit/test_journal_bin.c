/* Binary journal files (src/ingest/journal_bin.c) through sd-journal, on a journal written by
 * systemd-journald 252 (tests/unit/data/kernel/gpu-node-21.journal; SOURCES.md says how):
 * kernel entries only, hostname as the node, entry positions as sources, the same bytes from a
 * file and from a buffer, and broken files. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/engine.h"
#include "faultline/ingest.h"

#define JOURNAL FL_SOURCE_DIR "/tests/unit/data/kernel/gpu-node-21.journal"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

static struct fl_engine *ingest(const char *name, const char *buf, size_t len, bool as_path)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    if (as_path)
        cr_assert_eq(fl_engine_add_path(e, name, NULL), 0);
    else
        cr_assert_eq(fl_engine_add_buffer(e, name, buf, len, NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static int temp_files(void)
{
    const char *dir = getenv("TMPDIR");
    DIR *d = opendir(dir && *dir ? dir : "/tmp");
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += strncmp(de->d_name, "faultline-journal-", 18) == 0;
    if (d)
        closedir(d);
    return n;
}

static void check_events(struct fl_engine *e)
{
    const struct fl_window *w = fl_engine_window(e);
    size_t n;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    cr_assert_str_eq(in[0].format, "journal");
    cr_assert_eq(in[0].skipped, 0);
    cr_assert_str_eq(fl_window_str(w, in[0].node), "gpu-node-21");
    cr_assert_str_eq(in[0].node_rule, "journal hostname");
    cr_assert_eq(w->nevents, 11);
    /* Xid 79 and the synthesized one from the multi-line notice, Xid 13; nvidia-persistenced's
     * entry quoting an Xid is not a kernel record */
    struct fl_evlist x = fl_window_kind(w, FL_EV_XID);
    cr_assert_eq(x.n, 3);
    struct fl_evlist a = fl_window_kind(w, FL_EV_PCIE_AER);
    cr_assert_eq(a.n, 1);
    cr_assert_eq(a.v[0]->u.aer.severity, FL_AER_NONFATAL);
    cr_assert_eq(a.v[0]->u.aer.first_bit, 14);
    cr_assert_str_eq(fl_window_str(w, a.v[0]->gpu.uuid),
                     "GPU-5c1c2b9e-04d6-4a6f-9d6b-4f1f0e7d2a11");
    struct fl_evlist s = fl_window_kind(w, FL_EV_SXID);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.v[0]->u.sxid.link, 48);
    for (size_t i = 0; i < w->nevents; i++) {
        const struct fl_event *ev = w->events[i];
        cr_assert_eq(ev->clock, FL_CLOCK_WALL);
        cr_assert_eq(ev->src.line, 0);
        cr_assert_gt(ev->src.offset, 0); /* the entry's position */
        cr_assert_str_eq(fl_window_str(w, ev->node), "gpu-node-21");
    }
    cr_assert_eq(x.v[0]->src.offset, 11);
}

FL_TEST(journal_bin, reads_a_journald_file_by_path)
{
    struct fl_engine *e = ingest(JOURNAL, NULL, 0, true);
    check_events(e);
    fl_engine_free(e);
}

FL_TEST(journal_bin, reads_the_same_bytes_from_a_buffer_through_a_temporary_file)
{
    size_t len;
    char *buf = slurp(JOURNAL, &len);
    int before = temp_files();
    struct fl_engine *e = ingest("-", buf, len, false);
    check_events(e);
    cr_assert_eq(temp_files(), before, "the temporary file was not removed");
    fl_engine_free(e);
    free(buf);
}

FL_TEST(journal_bin, no_temporary_directory_is_a_clear_skip)
{
    size_t len;
    char *buf = slurp(JOURNAL, &len);
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", "/nonexistent/faultline-test", 1);
    struct fl_engine *e = ingest("in-memory.journal", buf, len, false);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    cr_assert_eq(total, 1);
    cr_assert(strstr(s[0].reason, "no temporary file"), "%s", s[0].reason);
    cr_assert_eq(s[0].line, 0);
    cr_assert_eq(fl_engine_window(e)->nevents, 0);
    fl_engine_free(e);
    free(saved);
    free(buf);
}

FL_TEST(journal_bin, garbage_after_the_magic_is_skipped)
{
    char buf[4096];
    memset(buf, 0xab, sizeof buf);
    memcpy(buf, "LPKSHHRH", 8);
    struct fl_engine *e = ingest("bad.journal", buf, sizeof buf, false);
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    cr_assert_eq(total, 1);
    cr_assert(strstr(s[0].reason, "binary journal"), "%s", s[0].reason);
    fl_engine_free(e);
}

FL_TEST(journal_bin, truncated_files_never_crash)
{
    size_t len;
    char *full = slurp(JOURNAL, &len);
    for (size_t n = 8; n <= len; n += 997) {
        struct fl_engine *e = ingest("cut.journal", full, n, false);
        size_t k;
        const struct fl_input *in = fl_engine_inputs(e, &k);
        cr_assert_str_eq(in[0].format, "journal");
        cr_assert(fl_engine_window(e)->nevents <= 11);
        fl_engine_free(e);
    }
    free(full);
}
