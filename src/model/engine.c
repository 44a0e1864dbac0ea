/* The engine: inputs, parsing through the registry, skips, detector runs. */
#include "model/engine_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include "faultline/alloc.h"
#include "ingest/k8s.h"

#define FL_WALK_MAX_DEPTH 32
#define FL_ARENA_CHUNK (64u << 10)    /* first chunk: small inputs stay small */
#define FL_ARENA_MAX_CHUNK (1u << 20) /* chunks double up to this */
#define FL_MAP_MIN (64u << 10)      /* regular files this large are mapped, not read */
#define FL_EVBLOCK_GROUP_AFTER 8 /* blocks an engine holds before grouping starts (new_blocks) */

static struct fl_engine *volatile guarded; /* whose mappings the SIGBUS handler names */

void fl_engine_opts_init(struct fl_engine_opts *o)
{
    memset(o, 0, sizeof *o);
    o->boot_ns = FL_TIME_NONE;
    o->since = FL_TIME_NONE;
    o->until = FL_TIME_NONE;
}

static int init_config(struct fl_engine *e, struct fl_err *err)
{
    e->cfg = fl_calloc(fl_detectors_count ? fl_detectors_count : 1, sizeof *e->cfg);
    if (!e->cfg)
        return fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
    for (size_t d = 0; d < fl_detectors_count; d++) {
        const struct fl_detector *det = fl_detectors[d];
        e->cfg[d] = fl_calloc(det->nparams ? det->nparams : 1, sizeof **e->cfg);
        if (!e->cfg[d])
            return fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
        for (size_t i = 0; i < det->nparams; i++) {
            int rc = fl_cfg_parse_value(&det->params[i], fl_str_from_cstr(det->params[i].def),
                                        &e->cfg[d][i]);
            if (rc)
                return fl_err_set(err, rc, NULL, 0, "detector '%s': bad default for '%s'",
                                  det->name, det->params[i].key);
        }
    }
    e->disabled = fl_calloc(fl_detectors_count ? fl_detectors_count : 1, sizeof *e->disabled);
    if (!e->disabled)
        return fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
    if (!e->opts.detectors)
        return 0;
    for (size_t d = 0; d < fl_detectors_count; d++)
        e->disabled[d] = true;
    struct fl_str list = fl_str_from_cstr(e->opts.detectors);
    while (list.len) {
        const char *comma = memchr(list.ptr, ',', list.len);
        struct fl_str name = fl_str_make(list.ptr, comma ? (size_t)(comma - list.ptr) : list.len);
        list = comma ? fl_str_make(comma + 1, list.len - name.len - 1) : fl_str_make(list.ptr, 0);
        name = fl_str_trim(name);
        const struct fl_detector *det = name.len ? fl_detector_find(name) : NULL;
        if (!det)
            return fl_err_set(err, FL_ENOTFOUND, NULL, 0,
                              "no detector named '%.*s' (faultline detectors lists them)",
                              (int)name.len, name.ptr);
        for (size_t d = 0; d < fl_detectors_count; d++)
            if (fl_detectors[d] == det)
                e->disabled[d] = false;
    }
    return 0;
}

struct fl_engine *fl_engine_new(const struct fl_engine_opts *opts, struct fl_err *err)
{
    struct fl_engine *e = fl_calloc(1, sizeof *e);
    if (!e) {
        fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    if (opts)
        e->opts = *opts;
    else
        fl_engine_opts_init(&e->opts);
    fl_arena_init(&e->arena, FL_ARENA_CHUNK, 0);
    fl_arena_set_growth(&e->arena, FL_ARENA_MAX_CHUNK);
    e->block_arena = &e->arena;
    e->group_after = FL_EVBLOCK_GROUP_AFTER * FL_EVBLOCK_EVENTS;
    fl_intern_init(&e->intern);
    fl_verdict_sink_init(&e->sink, &e->arena, &e->intern);
    if (opts && opts->node) {
        e->opt_node = fl_strndup_copy(opts->node, strlen(opts->node));
        if (!e->opt_node)
            goto fail_nomem;
        e->opts.node = e->opt_node;
    }
    if (opts && opts->format) {
        e->opt_format = fl_strndup_copy(opts->format, strlen(opts->format));
        if (!e->opt_format)
            goto fail_nomem;
        e->opts.format = e->opt_format;
    }
    if (init_config(e, err))
        goto fail;
    return e;
fail_nomem:
    fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
fail:
    fl_engine_free(e);
    return NULL;
}

void fl_engine_free(struct fl_engine *e)
{
    if (!e)
        return;
    if (guarded == e)
        guarded = NULL;
    for (size_t i = 0; i < e->ninputs; i++) {
        fl_free(e->inputs[i].path);
        if (e->inputs[i].map_len)
            munmap((void *)e->inputs[i].data, e->inputs[i].map_len);
        else
            fl_free((void *)e->inputs[i].data);
        fl_free(e->inputs[i].error_msg);
    }
    fl_free(e->inputs);
    fl_free(e->skips);
    if (e->cfg)
        for (size_t d = 0; d < fl_detectors_count; d++)
            fl_free(e->cfg[d]);
    fl_free(e->cfg);
    fl_free(e->disabled);
    fl_free(e->ranks);
    fl_verdict_sink_release(&e->sink);
    fl_intern_release(&e->intern);
    fl_arena_release(&e->arena);
    fl_free(e->opt_node);
    fl_free(e->opt_format);
    fl_free(e);
}

int fl_engine_set_config(struct fl_engine *e, const char *detector, const char *key,
                         struct fl_str value, struct fl_err *err)
{
    for (size_t d = 0; d < fl_detectors_count; d++) {
        const struct fl_detector *det = fl_detectors[d];
        if (strcmp(det->name, detector) != 0)
            continue;
        for (size_t i = 0; i < det->nparams; i++) {
            if (strcmp(det->params[i].key, key) != 0)
                continue;
            union fl_cfg_value v;
            int rc = fl_cfg_parse_value(&det->params[i], value, &v);
            if (rc == FL_ERANGE)
                return fl_err_set(err, rc, NULL, 0, "%s.%s: value '%.*s' out of range [%s, %s]",
                                  detector, key, FL_STR_FMT(value),
                                  det->params[i].min ? det->params[i].min : "-",
                                  det->params[i].max ? det->params[i].max : "-");
            if (rc)
                return fl_err_set(err, rc, NULL, 0, "%s.%s: cannot read '%.*s' as %s", detector,
                                  key, FL_STR_FMT(value),
                                  det->params[i].type == FL_CFG_DURATION ? "a duration (10m, 90s)"
                                  : det->params[i].type == FL_CFG_BOOL   ? "true or false"
                                  : det->params[i].type == FL_CFG_INT    ? "an integer"
                                                                         : "a number");
            e->cfg[d][i] = v;
            return 0;
        }
        return fl_err_set(err, FL_ENOTFOUND, NULL, 0, "detector '%s' has no setting '%s'", detector,
                          key);
    }
    return fl_err_set(err, FL_ENOTFOUND, NULL, 0, "no detector named '%s'", detector);
}

/* ---- inputs ------------------------------------------------------------------------ */

static struct fl_input *new_input(struct fl_engine *e, const char *path, struct fl_err *err)
{
    if (e->ninputs == e->cap_inputs) {
        size_t cap = e->cap_inputs ? e->cap_inputs * 2 : 16;
        struct fl_input *v = fl_realloc(e->inputs, cap * sizeof *v);
        if (!v) {
            fl_err_set(err, FL_ENOMEM, path, 0, "out of memory");
            return NULL;
        }
        e->inputs = v;
        e->cap_inputs = cap;
    }
    struct fl_input *in = &e->inputs[e->ninputs];
    memset(in, 0, sizeof *in);
    in->path = fl_strndup_copy(path, strlen(path));
    if (!in->path) {
        fl_err_set(err, FL_ENOMEM, path, 0, "out of memory");
        return NULL;
    }
    in->format = "unknown";
    e->ninputs++;
    return in;
}

static void input_fail(struct fl_input *in, int code, const char *what, int errnum)
{
    in->error = code;
    char msg[512];
    snprintf(msg, sizeof msg, "cannot read '%s': %s", in->path, errnum ? strerror(errnum) : what);
    in->error_msg = fl_strndup_copy(msg, strlen(msg));
}

/* Read all of fd into a heap buffer (one allocation growth chain, then exact). */
static int read_fd(int fd, char **out, size_t *outlen, size_t hint)
{
    size_t cap = hint ? hint + 1 : 65536, len = 0;
    char *buf = fl_malloc(cap);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap * 2;
            char *nb = fl_realloc(buf, ncap);
            if (!nb) {
                fl_free(buf);
                return -ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int en = errno;
            fl_free(buf);
            return -en;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* A file that shrinks while it is mapped (truncated or rotated in place by logrotate's
 * copytruncate) turns the next read of a vanished page into SIGBUS. The handler finds the
 * input whose mapping holds the faulting address, names it and exits 2 instead of dumping
 * core. One engine at a time is guarded (the CLI has one); it reads only memory. */

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    static const char a[] = "faultline: input '";
    static const char b[] = "' shrank while it was being read (truncated or rotated in place); "
                            "copy it and analyze the copy\n";
    const char *path = "?";
    struct fl_engine *e = guarded;
    const char *at = si ? (const char *)si->si_addr : NULL;
    for (size_t i = 0; e && at && i < e->ninputs; i++)
        if (e->inputs[i].map_len && at >= e->inputs[i].data &&
            at < e->inputs[i].data + e->inputs[i].map_len)
            path = e->inputs[i].path;
    ssize_t w = write(2, a, sizeof a - 1);
    w = write(2, path, strlen(path));
    w = write(2, b, sizeof b - 1);
    (void)w;
    _exit(2);
}

static void guard_mappings(struct fl_engine *e)
{
    static bool installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        (void)sigaction(SIGBUS, &sa, NULL);
        installed = true;
    }
    guarded = e;
}

/* Map a large regular file read-only and pre-fault it: reading 200 MB into fresh heap pages
 * costs 0.65 s of page faults on the bench machine, mapping the page cache 1 ms
 * (docs/performance.md). Returns false when the file is small or cannot be mapped: the caller
 * reads it instead. */
static bool map_file(struct fl_input *in, int fd, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || st->st_size < (off_t)FL_MAP_MIN ||
        (uint64_t)st->st_size > (uint64_t)SIZE_MAX)
        return false;
    size_t len = (size_t)st->st_size;
    void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED)
        return false;
    (void)madvise(p, len, MADV_SEQUENTIAL);
    in->data = p;
    in->len = len;
    in->map_len = len;
    return true;
}

static void load_file(struct fl_input *in, const char *path, int fd_given)
{
    int fd = fd_given >= 0 ? fd_given : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        input_fail(in, FL_EIO, NULL, errno);
        return;
    }
    struct stat st;
    size_t hint = 0;
    if (fstat(fd, &st) == 0) {
        if (map_file(in, fd, &st)) {
            if (fd_given < 0)
                close(fd);
            return;
        }
        if (S_ISREG(st.st_mode))
            hint = (size_t)st.st_size;
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = read_fd(fd, &buf, &len, hint);
    if (fd_given < 0)
        close(fd);
    if (rc) {
        input_fail(in, rc == -ENOMEM ? FL_ENOMEM : FL_EIO, "out of memory", -rc);
        return;
    }
    in->data = buf;
    in->len = len;
}

static int add_file(struct fl_engine *e, const char *path, const char *bundle_dir_node,
                    struct fl_err *err)
{
    struct fl_input *in = new_input(e, path, err);
    if (!in)
        return FL_ENOMEM;
    if (bundle_dir_node) {
        in->node = fl_intern_put(&e->intern, fl_str_from_cstr(bundle_dir_node));
        if (in->node == FL_INTERN_FAIL)
            return fl_err_set(err, FL_ENOMEM, path, 0, "out of memory");
        in->node_rule = in->node ? "bundle directory" : NULL;
    }
    load_file(in, path, -1);
    return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct fl_engine *e, const char *dir, const char *parent_name, int depth,
                    struct fl_err *err)
{
    if (depth > FL_WALK_MAX_DEPTH)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        struct fl_input *in = new_input(e, dir, err);
        if (!in)
            return FL_ENOMEM;
        input_fail(in, FL_EIO, NULL, errno);
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden files, . and .. */
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nn = fl_realloc(names, ncap * sizeof *nn);
            if (!nn) {
                rc = fl_err_set(err, FL_ENOMEM, dir, 0, "out of memory");
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        names[n] = fl_strndup_copy(de->d_name, strlen(de->d_name));
        if (!names[n]) {
            rc = fl_err_set(err, FL_ENOMEM, dir, 0, "out of memory");
            goto out;
        }
        n++;
    }
    qsort(names, n, sizeof *names, cmp_cstr);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t plen = strlen(dir) + 1 + strlen(names[i]) + 1;
        char *p = fl_malloc(plen);
        if (!p) {
            rc = fl_err_set(err, FL_ENOMEM, dir, 0, "out of memory");
            break;
        }
        size_t dl = strlen(dir);
        snprintf(p, plen, "%s%s%s", dir, (dl && dir[dl - 1] == '/') ? "" : "/", names[i]);
        struct stat st;
        if (stat(p, &st) != 0) {
            struct fl_input *in = new_input(e, p, err);
            if (!in)
                rc = FL_ENOMEM;
            else
                input_fail(in, FL_EIO, NULL, errno);
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(e, p, names[i], depth + 1, err);
        } else if (S_ISREG(st.st_mode)) {
            rc = add_file(e, p, parent_name, err);
        }
        fl_free(p);
    }
out:
    for (size_t i = 0; i < n; i++)
        fl_free(names[i]);
    fl_free(names);
    closedir(d);
    return rc;
}

int fl_engine_add_path(struct fl_engine *e, const char *path, struct fl_err *err)
{
    if (strcmp(path, "-") == 0) {
        struct fl_input *in = new_input(e, "-", err);
        if (!in)
            return FL_ENOMEM;
        in->from_stdin = true;
        load_file(in, "-", STDIN_FILENO);
        return 0;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        int en = errno;
        struct fl_input *in = new_input(e, path, err);
        if (!in)
            return FL_ENOMEM;
        input_fail(in, FL_EIO, NULL, en);
        return fl_err_set(err, FL_EIO, path, 0, "cannot read '%s': %s", path, strerror(en));
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(e, path, NULL, 0, err);
    return add_file(e, path, NULL, err);
}

int fl_engine_add_buffer(struct fl_engine *e, const char *name, const char *buf, size_t len,
                         struct fl_err *err)
{
    struct fl_input *in = new_input(e, name, err);
    if (!in)
        return FL_ENOMEM;
    char *copy = fl_malloc(len ? len : 1);
    if (!copy) {
        input_fail(in, FL_ENOMEM, "out of memory", 0);
        return fl_err_set(err, FL_ENOMEM, name, 0, "out of memory");
    }
    if (len)
        memcpy(copy, buf, len);
    in->data = copy;
    in->len = len;
    return 0;
}

/* ---- parsing ----------------------------------------------------------------------- */

/* Event blocks come one at a time while an engine holds few events, then a group at a time,
 * linked in advance (empty blocks are harmless to every walk), on huge pages: filling 4 KiB
 * pages costs a page fault each, 16 us on the bench VM, a quarter of the run time on a 105 MB
 * List. A group asks the arena for three 2 MiB pages less room for the arena's and malloc's
 * headers (malloc maps them, Linux 6.7 on placing the mapping on a 2 MiB boundary) and uses the
 * two whole huge pages after the first boundary past the headers, advised MADV_HUGEPAGE before
 * anything touches them: their first faults map huge pages. The first 2 MiB is address space
 * only (its one page holding the headers is all it costs in memory). Collapsing a huge page
 * malloc had already written into (MADV_COLLAPSE) cost 6.8% of the Flight Recorder case. */
#define FL_HUGE_PAGE ((size_t)2 << 20)
#define FL_EVBLOCK_GROUP_BYTES (3 * FL_HUGE_PAGE - 256)

static struct fl_evblock *new_blocks(struct fl_engine *e)
{
    struct fl_evblock *nb = e->spare;
    if (nb) {
        e->spare = NULL;
        return nb;
    }
    if (!e->blocks_head && e->first_cap) {
        nb = fl_arena_alloc(&e->arena, FL_EVBLOCK_BYTES(e->first_cap), _Alignof(struct fl_evblock));
        if (nb)
            *nb = (struct fl_evblock){NULL, 0, e->first_cap};
        return nb;
    }
    size_t g = 1, bytes = FL_EVBLOCK_BYTES(FL_EVBLOCK_EVENTS);
    if (e->nevents >= e->group_after) {
        g = FL_EVBLOCK_GROUP_BYTES / bytes;
        bytes = FL_EVBLOCK_GROUP_BYTES;
    }
    nb = fl_arena_alloc(e->block_arena, bytes, _Alignof(struct fl_evblock));
    if (!nb)
        return NULL;
    if (g > 1) {
        uintptr_t at = ((uintptr_t)nb + FL_HUGE_PAGE - 1) & ~(FL_HUGE_PAGE - 1);
        uintptr_t end = (uintptr_t)nb + bytes;
        g = (end - at) / FL_EVBLOCK_BYTES(FL_EVBLOCK_EVENTS);
        nb = (struct fl_evblock *)(void *)at;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        (void)madvise((void *)at, 2 * FL_HUGE_PAGE, MADV_HUGEPAGE);
#endif
    }
    for (size_t i = 0; i < g; i++) {
        struct fl_evblock *b = (struct fl_evblock *)(void *)((char *)nb + i * FL_EVBLOCK_BYTES(FL_EVBLOCK_EVENTS));
        b->next = i + 1 < g ? (struct fl_evblock *)(void *)((char *)b + FL_EVBLOCK_BYTES(FL_EVBLOCK_EVENTS)) : NULL;
        b->n = 0;
        b->cap = FL_EVBLOCK_EVENTS;
    }
    return nb;
}

/* The next free event slot of e's block chain (counted in b->n and e->nevents), or NULL. */
static struct fl_event *next_slot(struct fl_engine *e)
{
    struct fl_evblock *b = e->blocks_tail;
    if (!b || b->n == b->cap) {
        struct fl_evblock *nb = b ? b->next : NULL; /* the next block of a group */
        if (!nb) {
            nb = new_blocks(e);
            if (!nb)
                return NULL;
            if (b)
                b->next = nb;
            else
                e->blocks_head = nb;
        }
        e->blocks_tail = b = nb;
    }
    e->nevents++;
    return &b->ev[b->n++];
}

int fl_ingest_emit(struct fl_parse_ctx *ctx, const struct fl_event *ev)
{
    struct fl_engine *e = ctx->engine;
    struct fl_event *d = next_slot(e);
    if (!d)
        return FL_ENOMEM;
    *d = *ev;
    e->npod_events += d->kind == FL_EV_POD_EVENT;
    d->src.input = ctx->input;
    if (!d->node)
        d->node = ctx->default_node;
    if (!d->uid)
        d->uid = fl_event_compute_uid(d, fl_intern_str(&e->intern, d->node));
    e->inputs[ctx->input].records++;
    return 0;
}

int fl_ingest_skip(struct fl_parse_ctx *ctx, uint32_t line, uint64_t offset, const char *reason)
{
    struct fl_engine *e = ctx->engine;
    struct fl_skip_list *l = &e->skips[ctx->input];
    e->inputs[ctx->input].skipped++;
    e->skipped_total++;
    if (l->n >= FL_SKIPS_KEPT)
        return 0;
    if (!l->v) {
        l->v = FL_ARENA_NEW_N(&e->arena, struct fl_skip, FL_SKIPS_KEPT);
        if (!l->v)
            return FL_ENOMEM;
    }
    const char *r = fl_arena_strndup_copy(&e->arena, reason, strlen(reason));
    if (!r)
        return FL_ENOMEM;
    l->v[l->n++] = (struct fl_skip){ctx->input, line, offset, r};
    return 0;
}

uint32_t fl_ingest_intern(struct fl_parse_ctx *ctx, struct fl_str s)
{
    return fl_intern_put(&ctx->engine->intern, s);
}

struct fl_str fl_ingest_str(struct fl_parse_ctx *ctx, uint32_t id)
{
    return fl_intern_str(&ctx->engine->intern, id);
}

void fl_ingest_set_node(struct fl_parse_ctx *ctx, uint32_t node, const char *rule)
{
    if (!node)
        return;
    struct fl_input *in = &ctx->engine->inputs[ctx->input];
    in->node = node;
    in->node_rule = rule;
    ctx->default_node = node;
}

static int cmp_input(const void *a, const void *b)
{
    const struct fl_input *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    /* identical paths: keep content order deterministic */
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->len ? memcmp(x->data, y->data, x->len) : 0;
}

static int cmp_skip_path(const struct fl_engine *e, const struct fl_skip *a,
                         const struct fl_skip *b)
{
    if (a->input != b->input) {
        int c = strcmp(e->inputs[a->input].path, e->inputs[b->input].path);
        if (c)
            return c;
        return a->input < b->input ? -1 : 1;
    }
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return 0;
}

static int merge_skips(struct fl_engine *e)
{
    /* inputs are already in path order, and each list is in line order as parsed */
    size_t total = 0;
    for (size_t i = 0; i < e->ninputs; i++)
        total += e->skips[i].n;
    if (total > FL_SKIPS_KEPT)
        total = FL_SKIPS_KEPT;
    e->kept_skips = total ? FL_ARENA_NEW_N(&e->arena, struct fl_skip, total) : NULL;
    if (total && !e->kept_skips)
        return FL_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < e->ninputs && k < total; i++)
        for (size_t j = 0; j < e->skips[i].n && k < total; j++)
            e->kept_skips[k++] = e->skips[i].v[j];
    /* parsers may record skips out of line order (e.g. an unfinished multi-line record is
     * reported at end of input): insertion sort, small n */
    for (size_t i = 1; i < k; i++) {
        struct fl_skip s = e->kept_skips[i];
        size_t j = i;
        while (j > 0 && cmp_skip_path(e, &e->kept_skips[j - 1], &s) > 0) {
            e->kept_skips[j] = e->kept_skips[j - 1];
            j--;
        }
        e->kept_skips[j] = s;
    }
    e->nkept_skips = k;
    return 0;
}

static int parse_input(struct fl_engine *e, uint32_t idx, struct fl_err *err)
{
    struct fl_input *in = &e->inputs[idx];
    if (in->error)
        return 0;
    const struct fl_parser *p = NULL;
    if (e->opts.format) {
        p = fl_parser_find(fl_str_from_cstr(e->opts.format));
    } else {
        p = fl_parser_sniff(in->data, in->len, fl_str_from_cstr(in->path));
    }
    struct fl_parse_ctx ctx = {
        .engine = e,
        .input = idx,
        .path = in->path,
        .default_node = in->node,
        .boot_ns = e->opts.boot_ns,
        .arena = &e->arena,
    };
    if (p && p->cluster_scope) {
        /* a cluster-wide dump names its nodes record by record: a directory called "k8s"
         * or a --node meant for kernel logs must not become the node of its other records */
        ctx.default_node = 0;
        in->node = 0;
        in->node_rule = NULL;
    } else if (e->opts.node) {
        ctx.default_node = fl_intern_put(&e->intern, fl_str_from_cstr(e->opts.node));
        if (ctx.default_node == FL_INTERN_FAIL)
            return fl_err_set(err, FL_ENOMEM, in->path, 0, "out of memory");
        in->node = ctx.default_node;
        in->node_rule = "--node";
    }
    if (!p) {
        if (in->len == 0)
            return 0; /* an empty file holds no records: nothing to skip */
        return fl_ingest_skip(&ctx, 0, 0, "format not recognized (see faultline --help, FORMATS)")
                   ? fl_err_set(err, FL_ENOMEM, in->path, 0, "out of memory")
                   : 0;
    }
    in->format = p->name;
    if (e->opts.on_input) /* NULL in a parse task's engine: the merge calls it */
        e->opts.on_input(e->opts.on_input_arg, in);
    int rc = p->parse(&ctx, in->data, in->len);
    if (rc == FL_ENOMEM)
        return fl_err_set(err, FL_ENOMEM, in->path, 0, "out of memory while parsing '%s'",
                          in->path);
    if (rc) {
        in->error = rc;
        char msg[600];
        snprintf(msg, sizeof msg, "cannot read '%s': %s", in->path,
                 ctx.err.msg[0] ? ctx.err.msg : fl_strerror(rc));
        in->error_msg = fl_strndup_copy(msg, strlen(msg));
    }
    return 0;
}


/* ---- parallel ingest ----------------------------------------------------------------
 *
 * With opts.jobs > 1 each input is one task, parsed by a worker thread into a task engine of
 * its own: the parser sees an ordinary struct fl_engine (so fl_ingest_* need no locks), which
 * shares the inputs and skips arrays with the real engine (a task writes only its own input's
 * element) and owns its arena, intern table and ranks. Workers take inputs largest first; the
 * calling thread merges the tasks in input order as they finish, which is exactly the order a
 * sequential parse takes:
 *   - the task's strings are put into the engine's intern table in the task's id order (the
 *     order the parse first met them), so each new string gets the id the sequential parse
 *     would have given it, and the task's events, ranks and input node are rewritten to those
 *     ids (fl__event_map_ids);
 *   - its events follow the engine's in the block chain, in place: a task's first block is a
 *     small one in its arena (a 10-line file costs 16 KiB, not a 124 KiB block), the others
 *     come from its worker's block memory, which grows as one engine's does (single blocks,
 *     then 4 MiB huge-page groups; a task starts in the empty blocks the previous task of its
 *     worker left), so events are written once and no more memory is touched than with one
 *     thread. Task and worker arenas are adopted by the engine's (fl_arena_adopt): nothing is
 *     copied.
 * So ids, uids, event order, skips and every output byte do not depend on the thread count or
 * on which thread finished first. No parser keeps state across inputs (the k8s pod -> node
 * join and the ranks maps are applied after the merge), so every input can be a task. */

#define FL_TASK_ARENA_CHUNK (32u << 10) /* a task's first arena chunk: holds its first block */
#define FL_TASK_FIRST_BLOCK 64          /* events in a task's first block */

struct parse_task {
    struct fl_engine sh;    /* the task engine the parser writes into */
    struct fl_str node;     /* the input's bundle-directory node, as a string */
    struct fl_err err;
    int rc;
    bool done; /* under pool.mu */
};

/* What a worker keeps from one task to the next: the memory its tasks' event blocks come from. */
struct parse_worker {
    struct parse_pool *pool;
    struct fl_arena blocks;
    struct fl_evblock *spare; /* empty blocks the last task left */
    size_t nevents;           /* events its tasks emitted: when to start grouping blocks */
    pthread_t th;
};

struct parse_pool {
    struct fl_engine *e;
    struct parse_task *tasks; /* parallel to e->inputs */
    uint32_t *order;          /* input indexes, largest first */
    size_t n, next;           /* next: next index into order, under mu */
    bool stop;                /* under mu: a merge failed, take no more tasks */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a task is done */
};

static void task_init(struct parse_pool *pool, uint32_t idx)
{
    struct fl_engine *e = pool->e;
    struct parse_task *t = &pool->tasks[idx];
    memset(t, 0, sizeof *t);
    t->sh.opts = e->opts;
    t->sh.opts.on_input = NULL;
    t->sh.inputs = e->inputs;
    t->sh.ninputs = e->ninputs;
    t->sh.skips = e->skips;
    fl_arena_init(&t->sh.arena, FL_TASK_ARENA_CHUNK, 0);
    fl_arena_set_growth(&t->sh.arena, FL_ARENA_MAX_CHUNK);
    fl_intern_init(&t->sh.intern);
    fl_arena_init(&t->sh.intern.arena, 4096, 0); /* strings: most inputs intern a few names */
    fl_arena_set_growth(&t->sh.intern.arena, FL_ARENA_DEFAULT_CHUNK);
    t->sh.first_cap = FL_TASK_FIRST_BLOCK;
    /* the engine's table is the merge's to write while tasks run: take the string now */
    t->node = fl_intern_str(&e->intern, e->inputs[idx].node);
}

static void task_release(struct parse_task *t)
{
    fl_free(t->sh.ranks);
    fl_intern_release(&t->sh.intern);
    fl_arena_release(&t->sh.arena);
}

static void task_run(struct parse_worker *w, struct parse_task *t, uint32_t idx)
{
    struct fl_engine *sh = &t->sh;
    struct fl_input *in = &sh->inputs[idx];
    sh->block_arena = &w->blocks;
    sh->spare = w->spare;
    sh->group_after = w->nevents >= FL_EVBLOCK_GROUP_AFTER * FL_EVBLOCK_EVENTS
                          ? 0
                          : FL_EVBLOCK_GROUP_AFTER * FL_EVBLOCK_EVENTS - w->nevents;
    if (in->node) {
        in->node = fl_intern_put(&sh->intern, t->node);
        if (in->node == FL_INTERN_FAIL) {
            in->node = 0;
            t->rc = fl_err_set(&t->err, FL_ENOMEM, in->path, 0, "out of memory");
        }
    }
    if (!t->rc)
        t->rc = parse_input(sh, idx, &t->err);
    /* the empty blocks after the task's last one are the worker's again */
    struct fl_evblock *rest = sh->spare;
    if (sh->blocks_tail && sh->blocks_tail->next) {
        rest = sh->blocks_tail->next;
        sh->blocks_tail->next = NULL;
    }
    w->spare = rest;
    sh->spare = NULL;
    sh->block_arena = NULL;
    w->nevents += sh->nevents;
}

static void *pool_worker(void *arg)
{
    struct parse_worker *w = arg;
    struct parse_pool *pool = w->pool;
    pthread_mutex_lock(&pool->mu);
    while (!pool->stop && pool->next < pool->n) {
        uint32_t idx = pool->order[pool->next++];
        pthread_mutex_unlock(&pool->mu);
        task_run(w, &pool->tasks[idx], idx);
        pthread_mutex_lock(&pool->mu);
        pool->tasks[idx].done = true;
        pthread_cond_broadcast(&pool->cv);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

/* Take task idx into e (see above). On failure what was taken stays valid and owned by e. */
static int task_merge(struct fl_engine *e, struct parse_task *t, uint32_t idx)
{
    struct fl_engine *sh = &t->sh;
    struct fl_input *in = &e->inputs[idx];
    /* first what cannot fail: the skips, decoded bytes and first block live as long as e */
    fl_arena_adopt(&e->arena, &sh->arena);
    fl_arena_adopt(&e->arena, &sh->intern.arena); /* views a parser took of its strings */
    e->skipped_total += sh->skipped_total;
    uint32_t n = sh->intern.count;
    uint32_t *map = fl_malloc(((size_t)n + 1) * sizeof *map);
    if (!map)
        return FL_ENOMEM;
    map[0] = 0;
    bool same = true;
    for (uint32_t id = 1; id <= n; id++) {
        map[id] = fl_intern_put(&e->intern, sh->intern.strs[id]);
        if (map[id] == FL_INTERN_FAIL) {
            fl_free(map);
            return FL_ENOMEM;
        }
        same &= map[id] == id;
    }
    if (in->node <= n)
        in->node = map[in->node];
    if (sh->nranks) {
        if (e->nranks + sh->nranks > e->cap_ranks) {
            size_t cap = e->cap_ranks ? e->cap_ranks : 64;
            while (cap < e->nranks + sh->nranks)
                cap *= 2;
            struct fl_rank_entry *v = fl_realloc(e->ranks, cap * sizeof *v);
            if (!v) {
                fl_free(map);
                return FL_ENOMEM;
            }
            e->ranks = v;
            e->cap_ranks = cap;
        }
        for (size_t i = 0; i < sh->nranks; i++) {
            struct fl_rank_entry r = sh->ranks[i];
            if (r.node <= n)
                r.node = map[r.node];
            e->ranks[e->nranks++] = r;
        }
    }
    if (!same)
        for (struct fl_evblock *b = sh->blocks_head; b; b = b->next)
            for (size_t i = 0; i < b->n; i++)
                fl__event_map_ids(&b->ev[i], map, n);
    fl_free(map);
    if (sh->blocks_head) {
        if (e->blocks_tail)
            e->blocks_tail->next = sh->blocks_head;
        else
            e->blocks_head = sh->blocks_head;
        e->blocks_tail = sh->blocks_tail;
        e->nevents += sh->nevents;
        e->npod_events += sh->npod_events;
        sh->blocks_head = sh->blocks_tail = NULL;
    }
    return 0;
}

struct order_key {
    size_t len;
    uint32_t idx;
};

static int cmp_order(const void *a, const void *b)
{
    const struct order_key *x = a, *y = b;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int ingest_parallel(struct fl_engine *e, unsigned jobs, struct fl_err *err)
{
    struct parse_pool pool = {.e = e, .n = e->ninputs};
    pool.tasks = fl_calloc(pool.n, sizeof *pool.tasks);
    pool.order = fl_malloc(pool.n * sizeof *pool.order);
    struct order_key *keys = fl_malloc(pool.n * sizeof *keys);
    struct parse_worker *wk = fl_calloc(jobs, sizeof *wk);
    if (!pool.tasks || !pool.order || !keys || !wk) {
        fl_free(pool.tasks);
        fl_free(pool.order);
        fl_free(keys);
        fl_free(wk);
        return fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
    }
    for (uint32_t i = 0; i < pool.n; i++) {
        task_init(&pool, i);
        keys[i] = (struct order_key){e->inputs[i].len, i};
    }
    qsort(keys, pool.n, sizeof *keys, cmp_order);
    for (uint32_t i = 0; i < pool.n; i++)
        pool.order[i] = keys[i].idx;
    fl_free(keys);
    for (unsigned i = 0; i < jobs; i++) {
        wk[i].pool = &pool;
        fl_arena_init(&wk[i].blocks, FL_EVBLOCK_BYTES(FL_EVBLOCK_EVENTS) + 64, 0);
    }
    pthread_mutex_init(&pool.mu, NULL);
    pthread_cond_init(&pool.cv, NULL);
    unsigned started = 0;
    while (started < jobs && pthread_create(&wk[started].th, NULL, pool_worker, &wk[started]) == 0)
        started++;
    int rc = 0;
    uint32_t merged = 0;
    for (; merged < pool.n; merged++) {
        struct parse_task *t = &pool.tasks[merged];
        if (!started) {
            task_run(&wk[0], t, merged); /* no thread could start: parse here, in order */
        } else {
            pthread_mutex_lock(&pool.mu);
            while (!t->done)
                pthread_cond_wait(&pool.cv, &pool.mu);
            pthread_mutex_unlock(&pool.mu);
        }
        if (t->rc) {
            rc = t->rc;
            *err = t->err;
            break;
        }
        if (e->opts.on_input && strcmp(e->inputs[merged].format, "unknown") != 0)
            e->opts.on_input(e->opts.on_input_arg, &e->inputs[merged]);
        if (task_merge(e, t, merged)) {
            rc = fl_err_set(err, FL_ENOMEM, e->inputs[merged].path, 0,
                            "out of memory while parsing '%s'", e->inputs[merged].path);
            merged++; /* what it took is e's */
            break;
        }
    }
    if (rc) {
        pthread_mutex_lock(&pool.mu);
        pool.stop = true;
        pthread_mutex_unlock(&pool.mu);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(wk[i].th, NULL);
    /* every event block lives in a worker's memory (those of tasks not merged too: released
     * with the engine) */
    for (unsigned i = 0; i < jobs; i++)
        fl_arena_adopt(&e->arena, &wk[i].blocks);
    for (uint32_t i = 0; i < pool.n; i++) {
        if (i >= merged)
            e->skips[i] = (struct fl_skip_list){NULL, 0}; /* they live in the task's arena */
        task_release(&pool.tasks[i]);
    }
    pthread_cond_destroy(&pool.cv);
    pthread_mutex_destroy(&pool.mu);
    fl_free(wk);
    fl_free(pool.order);
    fl_free(pool.tasks);
    return rc;
}

int fl_engine_ingest(struct fl_engine *e, struct fl_err *err)
{
    if (e->ingested)
        return 0;
    e->ingested = true;
    for (size_t i = 0; i < e->ninputs; i++)
        if (e->inputs[i].map_len) {
            guard_mappings(e); /* a library caller that maps nothing keeps its own SIGBUS */
            break;
        }
    if (e->ninputs)
        qsort(e->inputs, e->ninputs, sizeof *e->inputs, cmp_input);
    e->skips = fl_calloc(e->ninputs ? e->ninputs : 1, sizeof *e->skips);
    if (!e->skips)
        return fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
    unsigned jobs = e->opts.jobs;
    if (jobs > e->ninputs)
        jobs = (unsigned)e->ninputs;
    if (jobs > 1) {
        int rc = ingest_parallel(e, jobs, err);
        if (rc)
            return rc;
    } else {
        for (uint32_t i = 0; i < e->ninputs; i++) {
            int rc = parse_input(e, i, err);
            if (rc)
                return rc;
        }
    }
    /* pod events whose record named no node take it from another file (ingest/k8s.h) */
    if (fl__pod_nodes_resolve(e) || fl__ranks_resolve(e) || merge_skips(e))
        return fl_err_set(err, FL_ENOMEM, NULL, 0, "out of memory");
    int rc = fl__window_build(e);
    if (rc)
        return fl_err_set(err, rc, NULL, 0, "out of memory while building the window");
    return 0;
}

int fl_engine_run(struct fl_engine *e, struct fl_err *err)
{
    int rc = fl_engine_ingest(e, err);
    if (rc)
        return rc;
    if (e->ran)
        return 0;
    e->ran = true;
    for (size_t d = 0; d < fl_detectors_count; d++) {
        if (e->disabled[d])
            continue;
        size_t before = e->sink.n;
        rc = fl_detectors[d]->run(&e->window, e->cfg[d], &e->sink);
        if (rc || e->sink.error)
            return fl_err_set(err, rc ? rc : e->sink.error, NULL, 0, "detector '%s' failed: %s",
                              fl_detectors[d]->name, fl_strerror(rc ? rc : e->sink.error));
        /* docs/detectors.md lists every pattern a detector emits: hold it to that */
        for (size_t i = before; i < e->sink.n; i++) {
            const struct fl_pattern *p = fl_detectors[d]->patterns;
            while (p->id && strcmp(p->id, e->sink.v[i].pattern_id) != 0)
                p++;
            if (!p->id)
                return fl_err_set(err, FL_EINVAL, NULL, 0,
                                  "detector '%s' emitted pattern '%s', which it does not declare",
                                  fl_detectors[d]->name, e->sink.v[i].pattern_id);
        }
    }
    if ((rc = fl_verdict_sink_link(&e->sink)))
        return fl_err_set(err, rc, NULL, 0, "linking verdicts: %s", fl_strerror(rc));
    fl_verdict_sink_sort(&e->sink);
    return 0;
}

const struct fl_window *fl_engine_window(const struct fl_engine *e)
{
    return &e->window;
}

const struct fl_input *fl_engine_inputs(const struct fl_engine *e, size_t *n)
{
    *n = e->ninputs;
    return e->inputs;
}

const struct fl_verdict *fl_engine_verdicts(const struct fl_engine *e, size_t *n)
{
    *n = e->sink.n;
    return e->sink.v;
}

const struct fl_skip *fl_engine_skips(const struct fl_engine *e, size_t *n, uint64_t *total)
{
    *n = e->nkept_skips;
    *total = e->skipped_total;
    return e->kept_skips;
}

size_t fl_engine_input_errors(const struct fl_engine *e)
{
    size_t n = 0;
    for (size_t i = 0; i < e->ninputs; i++)
        n += e->inputs[i].error != 0;
    return n;
}
