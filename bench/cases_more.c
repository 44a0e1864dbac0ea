/* The remaining parsers' cases (bench/README.md): a file or a directory of files on disk, read
 * by a fresh engine as `faultline events PATH` reads it.
 *
 *   pyspy_dumps     one `py-spy dump` file per rank of a hung Megatron job, 512 ranks (--scale
 *                   4,096) as py-spy-dump-rank<N>.txt; unit = a thread (one pyspy_stack)
 *   prom_api_range  a /api/v1/query_range matrix of 11 DCGM metrics for 256 GPUs x 360 steps
 *                   (--scale 2,880); unit = a point (one event)
 *   k8s_pods_nodes  `kubectl get pods -A -o json` and `kubectl get nodes -o json` of a
 *                   2,000-node GPU cluster (--scale 8,000); unit = an event (pod status,
 *                   terminated container, node condition)
 *   nvsmi_q         a bundle of 256 nodes (--scale 2,048), <node>/nvidia-smi-q.txt each, the
 *                   real 8-GPU H100 captures of tests/unit/data/gpu-metrics (the two in turn);
 *                   unit = an event (a GPU reading)
 *   nvsmi_xml       the same with <node>/nvidia-smi-q.xml, the real A100 `nvidia-smi -q -x`
 *                   capture (one GPU)
 *   journal_export  `journalctl -k -o export` of one node: the kernel_log_scan generator's
 *                   lines, 24 MiB of dmesg (--scale 256) as 212k entries; unit = an entry
 *   kernel_log_gz   that generator's dmesg, 32 MiB (--scale 512), gzip-compressed; unit = a
 *                   line of the text
 *
 * Inputs are generated (gen_more.c) or copied once into bench_tmpdir() before their case and
 * removed after it. A timed run is fl_engine_new + fl_engine_add_path + fl_engine_ingest +
 * fl_engine_free. Every run checks, untimed, that each file was claimed by the expected
 * parser, read with no skip, and produced exactly the events its generator counted (or, for
 * the nvidia-smi copies, the count tests/unit/test_nvsmi.c pins for that capture); the
 * window must hold their sum.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <zlib.h>

#include "bench.h"
#include "faultline/alloc.h"
#include "faultline/engine.h"

#ifndef FL_BENCH_GPU_DATA
#error "FL_BENCH_GPU_DATA (tests/unit/data/gpu-metrics) must be defined by the build"
#endif

#define SEED_PYSPY 0x7079737079000001ULL   /* "pyspy" */
#define SEED_PROM 0x70726f6d61706901ULL    /* "promapi" */
#define SEED_K8SPN 0x6b3873706f640001ULL   /* "k8spod" */
#define SEED_KERNEL 0x646d657367000001ULL  /* "dmesg": the kernel_log_scan case's */
#define SEED_JOURNAL 0x6a6f75726e616c01ULL /* "journal" */

/* One file of a case's input and what the reader must make of it. */
struct mfile {
    char *path;
    const char *format;
    uint64_t events;
};

struct minput {
    char root[PATH_MAX]; /* what fl_engine_add_path gets */
    struct mfile *f;
    size_t n, cap;
    uint64_t events, bytes;
    uint64_t units; /* what ns/unit divides by; 0 = the events */
};

static void add_file(struct minput *in, const char *path, const char *format,
                     const struct bench_buf *b, uint64_t events)
{
    bench_write_file(path, b);
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 64;
        struct mfile *nf = fl_realloc(in->f, in->cap * sizeof *in->f);
        if (!nf)
            bench_die("out of memory");
        in->f = nf;
    }
    char *p = fl_strndup_copy(path, strlen(path));
    if (!p)
        bench_die("out of memory");
    in->f[in->n++] = (struct mfile){p, format, events};
    in->events += events;
    in->bytes += b->len;
}

static int cmp_mfile(const void *a, const void *b)
{
    return strcmp(((const struct mfile *)a)->path, ((const struct mfile *)b)->path);
}

static void make_dir(const char *p)
{
    if (mkdir(p, 0755))
        bench_die("cannot create '%s': %s", p, strerror(errno));
}

static void release(struct minput *in)
{
    bench_rm_tree(in->root);
    for (size_t i = 0; i < in->n; i++)
        fl_free(in->f[i].path);
    fl_free(in->f);
}

/* Dies, naming the file, when the engine did not read the inputs the way they were written. */
static void check(const char *name, struct fl_engine *e, const struct minput *in)
{
    size_t nin, nkept;
    uint64_t skipped;
    const struct fl_input *inp = fl_engine_inputs(e, &nin);
    const struct fl_skip *sk = fl_engine_skips(e, &nkept, &skipped);
    if (skipped)
        bench_die("%s: %llu skipped (first: input %u line %u, %s)", name,
                  (unsigned long long)skipped, nkept ? sk[0].input : 0, nkept ? sk[0].line : 0,
                  nkept ? sk[0].reason : "-");
    if (nin != in->n)
        bench_die("%s: %zu inputs, %zu written", name, nin, in->n);
    for (size_t i = 0; i < nin; i++) {
        struct mfile key = {.path = inp[i].path};
        const struct mfile *f = bsearch(&key, in->f, in->n, sizeof *in->f, cmp_mfile);
        if (!f)
            bench_die("%s: input '%s' was not written by the bench", name, inp[i].path);
        if (inp[i].error)
            bench_die("%s: '%s' unreadable: %s", name, inp[i].path,
                      inp[i].error_msg ? inp[i].error_msg : "?");
        if (strcmp(inp[i].format, f->format) != 0)
            bench_die("%s: '%s' read as %s, expected %s", name, inp[i].path, inp[i].format,
                      f->format);
        if (inp[i].records != f->events || inp[i].skipped)
            bench_die("%s: '%s': %llu events and %llu skipped, generated %llu (generator and "
                      "reader disagree)",
                      name, inp[i].path, (unsigned long long)inp[i].records,
                      (unsigned long long)inp[i].skipped, (unsigned long long)f->events);
    }
    size_t n = fl_engine_window(e)->nevents;
    if (n != in->events)
        bench_die("%s: %zu events in the window, generated %llu", name, n,
                  (unsigned long long)in->events);
}

/* Returns the median CPU ns per event of the timed runs (the check included: a few ms). */
static double run_case(const struct bench_opts *o, struct bench_result *r, struct minput *in)
{
    qsort(in->f, in->n, sizeof *in->f, cmp_mfile);
    uint64_t units = in->units ? in->units : in->events;
    struct bench_counts first = {0};
    uint64_t cpu[MAX_RUNS];
    for (int run = -1; run < o->runs; run++) { /* run -1 warms the page cache */
        struct fl_err err = {0};
        struct bench_counts c0 = bench_counts_now();
        uint64_t u0 = bench_cpu_ns();
        uint64_t t0 = bench_now_ns();
        struct fl_engine *e = bench_new_engine();
        if (fl_engine_add_path(e, in->root, &err) || fl_engine_ingest(e, &err))
            bench_die("%s: cannot read '%s': %s", r->name, in->root, err.msg);
        uint64_t t1 = bench_now_ns();
        check(r->name, e, in); /* untimed; getters only, allocates nothing */
        uint64_t t2 = bench_now_ns();
        fl_engine_free(e);
        uint64_t t3 = bench_now_ns();
        uint64_t u1 = bench_cpu_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        cpu[r->nruns] = u1 - u0;
        r->ns[r->nruns++] = (double)((t1 - t0) + (t3 - t2)) / (double)units;
    }
    r->events = units;
    r->bytes_io = (double)in->bytes;
    bench_set_counts(r, first, units);
    qsort(cpu, (size_t)r->nruns, sizeof cpu[0], bench_cmp_u64);
    int n = r->nruns;
    double med = n % 2 ? (double)cpu[n / 2] : ((double)cpu[n / 2 - 1] + (double)cpu[n / 2]) / 2;
    return med / (double)units;
}

static void root_dir(struct minput *in, const char *name)
{
    if ((size_t)snprintf(in->root, sizeof in->root, "%s/%s", bench_tmpdir(), name) >=
        sizeof in->root)
        bench_die("scratch path too long for '%s'", name);
    make_dir(in->root);
}

/* ---- pyspy_dumps ------------------------------------------------------------------------ */

static void case_pyspy(const struct bench_opts *o, struct bench_result *r)
{
    struct minput in = {0};
    int nranks = o->scale ? 4096 : 512;
    root_dir(&in, "pyspy");
    struct bench_buf b = {0};
    char p[PATH_MAX + 64];
    int nlocals = 0;
    for (int rank = 0; rank < nranks; rank++) {
        b.len = 0;
        bool locals;
        size_t threads = bench_gen_pyspy_dump(SEED_PYSPY, nranks, rank, &b, &locals);
        nlocals += locals;
        snprintf(p, sizeof p, "%s/py-spy-dump-rank%d.txt", in.root, rank);
        add_file(&in, p, "py-spy", &b, threads);
    }
    bench_buf_release(&b);
    double cpu = run_case(o, r, &in);
    snprintf(r->note, sizeof r->note,
             "%d ranks, %llu threads, %d dumps with --locals, %.1f MiB; CPU %.0f ns/thread", nranks,
             (unsigned long long)in.events, nlocals, (double)in.bytes / (double)MIB, cpu);
    release(&in);
}

/* ---- prom_api_range --------------------------------------------------------------------- */

static void case_prom(const struct bench_opts *o, struct bench_result *r)
{
    struct minput in = {0};
    uint64_t steps = o->scale ? 2880 : 360;
    root_dir(&in, "prom-api");
    struct bench_buf b = {0};
    size_t points = bench_gen_prom_range(SEED_PROM, 32, steps, &b);
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/query_range.json", in.root);
    add_file(&in, p, "prometheus-api", &b, points);
    bench_buf_release(&b);
    double cpu = run_case(o, r, &in);
    snprintf(r->note, sizeof r->note,
             "256 GPUs x 11 metrics x %llu steps of 15 s, %.1f MiB; CPU %.0f ns/point",
             (unsigned long long)steps, (double)in.bytes / (double)MIB, cpu);
    release(&in);
}

/* ---- k8s_pods_nodes --------------------------------------------------------------------- */

static void case_k8s(const struct bench_opts *o, struct bench_result *r)
{
    struct minput in = {0};
    unsigned nodes = o->scale ? 8000 : 2000;
    root_dir(&in, "k8s");
    struct bench_buf b = {0};
    char p[PATH_MAX + 64];
    size_t npods;
    size_t ev = bench_gen_k8s_pods(SEED_K8SPN, nodes, &b, &npods);
    snprintf(p, sizeof p, "%s/pods.json", in.root);
    add_file(&in, p, "kubernetes", &b, ev);
    b.len = 0;
    ev = bench_gen_k8s_nodes(SEED_K8SPN, nodes, &b);
    snprintf(p, sizeof p, "%s/nodes.json", in.root);
    add_file(&in, p, "kubernetes", &b, ev);
    bench_buf_release(&b);
    double cpu = run_case(o, r, &in);
    snprintf(r->note, sizeof r->note, "%u nodes, %zu pods, %.1f MiB; CPU %.0f ns/event", nodes,
             npods, (double)in.bytes / (double)MIB, cpu);
    release(&in);
}

/* ---- nvsmi_q, nvsmi_xml ----------------------------------------------------------------- */

static void read_capture(const char *file, struct bench_buf *b)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", FL_BENCH_GPU_DATA, file);
    FILE *f = fopen(p, "rb");
    if (!f)
        bench_die("cannot open '%s': %s", p, strerror(errno));
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        bench_buf_put(b, tmp, n);
    if (ferror(f))
        bench_die("cannot read '%s'", p);
    fclose(f);
}

/* A real capture and the events tests/unit/test_nvsmi.c pins for it. */
struct capture {
    const char *file;
    uint64_t events;
};

static void case_nvsmi(const struct bench_opts *o, struct bench_result *r, bool xml)
{
    /* test_nvsmi.c valid_h100x8_index_uuid_pci_map: 120 each (8 GPUs x 15: throttle, 4 ECC,
     * 4 remap, temperature, memory temperature, power, PCIe replay, SM clock, utilization);
     * valid_v12_a100_mig_remapped_rows_na: 10 */
    static const struct capture text[] = {{"gpud-h100x8-535.183.01-q.txt", 120},
                                          {"gpud-h100x8-535.161.08-q.txt", 120}};
    static const struct capture x[] = {{"telegraf-a100-sxm4-v12-q-x.xml", 10}};
    const struct capture *caps = xml ? x : text;
    size_t ncaps = xml ? 1 : 2;
    struct bench_buf b[2] = {{0}};
    for (size_t i = 0; i < ncaps; i++)
        read_capture(caps[i].file, &b[i]);
    struct minput in = {0};
    unsigned nodes = o->scale ? 2048 : 256;
    root_dir(&in, xml ? "nvsmi-x" : "nvsmi-q");
    char p[PATH_MAX + 64];
    for (unsigned n = 0; n < nodes; n++) {
        snprintf(p, sizeof p, "%s/gpu-node-%04u", in.root, n + 1);
        make_dir(p);
        snprintf(p, sizeof p, "%s/gpu-node-%04u/%s", in.root, n + 1,
                 xml ? "nvidia-smi-q.xml" : "nvidia-smi-q.txt");
        add_file(&in, p, xml ? "nvidia-smi-xml" : "nvidia-smi", &b[n % ncaps],
                 caps[n % ncaps].events);
    }
    for (size_t i = 0; i < ncaps; i++)
        bench_buf_release(&b[i]);
    double cpu = run_case(o, r, &in);
    snprintf(r->note, sizeof r->note, "%u nodes x %s, %.1f MiB; CPU %.0f ns/event", nodes,
             xml ? "1 A100 (-q -x)" : "8 H100 (-q)", (double)in.bytes / (double)MIB, cpu);
    release(&in);
}

/* ---- journal_export, kernel_log_gz ------------------------------------------------------- */

/* The records of a node's kernel log as `journalctl -k -o export` writes them: the kernel_log_scan
 * case's generator (its seed, a smaller size), each line turned into an entry. The reader
 * feeds every MESSAGE to the same kernel-line rules as a dmesg, so the generator's event
 * count holds. */
static void case_journal(const struct bench_opts *o, struct bench_result *r)
{
    struct minput in = {0};
    root_dir(&in, "journal");
    struct bench_buf d = {0}, b = {0};
    size_t events;
    size_t lines = bench_gen_kernel_log(SEED_KERNEL, (o->scale ? 256 : 24) * MIB, &d, &events);
    size_t entries = bench_gen_journal_export(SEED_JOURNAL, &d, &b);
    if (entries != lines)
        bench_die("journal_export: %zu entries for %zu lines", entries, lines);
    bench_buf_release(&d);
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/kernel.export", in.root);
    add_file(&in, p, "journal-json", &b, events);
    bench_buf_release(&b);
    in.units = entries;
    double cpu = run_case(o, r, &in);
    snprintf(r->note, sizeof r->note, "%zu entries, %zu GPU events, %.1f MiB; CPU %.0f ns/entry",
             entries, events, (double)in.bytes / (double)MIB, cpu);
    release(&in);
}

/* The same dmesg gzip-compressed (zlib level 6, the gzip header with the file name and mtime
 * as `gzip -6` writes it, then raw deflate, CRC-32 and length): the reader inflates it and
 * hands the text to the kernel-log reader. */
static void gzip_buf(const struct bench_buf *in, struct bench_buf *out)
{
    static const unsigned char head[10] = {
        0x1f, 0x8b, 8, 0x08 /* FNAME */, 0x20, 0x27, 0x05, 0x6b /* mtime */, 0, 3 /* Unix */};
    bench_buf_put(out, (const char *)head, sizeof head);
    bench_buf_put(out, "dmesg.txt", 10); /* with its NUL */
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        bench_die("deflateInit2 failed");
    static unsigned char chunk[1 << 18];
    z.next_in = (Bytef *)in->p;
    z.avail_in = (uInt)in->len;
    int rc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = deflate(&z, Z_FINISH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            bench_die("deflate failed: %d", rc);
        bench_buf_put(out, (const char *)chunk, sizeof chunk - z.avail_out);
    } while (rc != Z_STREAM_END);
    deflateEnd(&z);
    uLong crc = crc32(0L, (const Bytef *)in->p, (uInt)in->len);
    unsigned char tail[8];
    for (int i = 0; i < 4; i++) {
        tail[i] = (unsigned char)(crc >> (8 * i));
        tail[4 + i] = (unsigned char)((uint64_t)in->len >> (8 * i));
    }
    bench_buf_put(out, (const char *)tail, 8);
}

static void case_gz(const struct bench_opts *o, struct bench_result *r)
{
    struct minput in = {0};
    root_dir(&in, "kernel-gz");
    struct bench_buf d = {0}, b = {0};
    size_t events;
    size_t lines = bench_gen_kernel_log(SEED_KERNEL, (o->scale ? 512 : 32) * MIB, &d, &events);
    gzip_buf(&d, &b);
    size_t text = d.len;
    bench_buf_release(&d);
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/dmesg.txt.gz", in.root);
    add_file(&in, p, "gzip", &b, events);
    bench_buf_release(&b);
    in.units = lines;
    double cpu = run_case(o, r, &in);
    snprintf(r->note, sizeof r->note,
             "%.1f MiB dmesg in %.1f MiB of gzip, %zu GPU events; CPU %.0f ns/line",
             (double)text / (double)MIB, (double)in.bytes / (double)MIB, events, cpu);
    release(&in);
}

void bench_cases_more(struct bench_results *rs, const struct bench_opts *o)
{
    struct bench_result *r;
    if ((r = bench_case(rs, o, "pyspy_dumps")) != NULL)
        case_pyspy(o, r);
    if ((r = bench_case(rs, o, "prom_api_range")) != NULL)
        case_prom(o, r);
    if ((r = bench_case(rs, o, "k8s_pods_nodes")) != NULL)
        case_k8s(o, r);
    if ((r = bench_case(rs, o, "nvsmi_q")) != NULL)
        case_nvsmi(o, r, false);
    if ((r = bench_case(rs, o, "nvsmi_xml")) != NULL)
        case_nvsmi(o, r, true);
    if ((r = bench_case(rs, o, "journal_export")) != NULL)
        case_journal(o, r);
    if ((r = bench_case(rs, o, "kernel_log_gz")) != NULL)
        case_gz(o, r);
}
