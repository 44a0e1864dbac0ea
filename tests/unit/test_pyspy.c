/* The py-spy dump reader: every variant on real and synthetic samples (tests/unit/data/pyspy/,
 * SOURCES.md there), the activity classifier, bad input, every truncation length, sniffing
 * against other formats, the JSON Lines round trip and an allocation-failure loop. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/ingest.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

#define DATA FL_SOURCE_DIR "/tests/unit/data/pyspy/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Ingest buf as the named input (the name matters: ranks come from it). */
static struct fl_engine *ingest_buf(const char *name, const char *buf, size_t len, const char *fmt)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = fmt;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(fl_engine_add_buffer(e, name, buf, len, NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static struct fl_engine *ingest_text(const char *name, const char *text)
{
    return ingest_buf(name, text, strlen(text), "py-spy");
}

static struct fl_engine *ingest_file(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, DATA "%s", file);
    size_t len;
    char *b = slurp(path, &len);
    struct fl_engine *e = ingest_buf(file, b, len, NULL);
    free(b);
    size_t n;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(in[0].format, "py-spy", "%s sniffed as %s", file, in[0].format);
    return e;
}

static const struct fl_ev_pyspy_stack *thread(struct fl_engine *e, int64_t tid)
{
    const struct fl_window *w = fl_engine_window(e);
    for (size_t i = 0; i < w->nevents; i++)
        if (w->events[i]->kind == FL_EV_PYSPY_STACK && w->events[i]->u.pyspy.thread_id == tid)
            return &w->events[i]->u.pyspy;
    cr_assert_fail("no thread %lld", (long long)tid);
    return NULL;
}

static const struct fl_event *thread_ev(struct fl_engine *e, int64_t tid)
{
    const struct fl_ev_pyspy_stack *p = thread(e, tid);
    return (const struct fl_event *)((const char *)p - offsetof(struct fl_event, u));
}

static bool eq(struct fl_str s, const char *c)
{
    return fl_str_eq_cstr(s, c);
}

#define ASSERT_STR(s, c)                                                                           \
    cr_assert(eq((s), (c)), "got \"%.*s\", want \"%s\"", (int)(s).len, (s).ptr ? (s).ptr : "", (c))

static const char *skip_reason(struct fl_engine *e, size_t i, uint32_t *line)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    if (i >= n)
        return NULL;
    if (line)
        *line = s[i].line;
    return s[i].reason;
}

static uint64_t skips(struct fl_engine *e)
{
    size_t n;
    uint64_t total;
    fl_engine_skips(e, &n, &total);
    return total;
}

static const char *str_of(struct fl_engine *e, uint32_t id)
{
    return id ? fl_window_str(fl_engine_window(e), id) : "";
}

/* ---- valid: real and synthetic samples ------------------------------------------------ */

FL_TEST(pyspy, valid_full_dump_with_headers)
{
    struct fl_engine *e = ingest_file("pyspy-dump-rank3.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(skips(e), 0);
    const struct fl_ev_pyspy_stack *m = thread(e, 40121);
    cr_assert_eq(m->rank, 3);
    cr_assert_eq(m->pid, 40121);
    ASSERT_STR(m->thread_name, "MainThread");
    cr_assert(m->active);
    cr_assert(!m->gil);
    cr_assert_str_eq(str_of(e, m->cmdline),
                     "/usr/bin/python3 -u /workspace/train.py --config configs/70b.yaml");
    cr_assert_str_eq(str_of(e, m->python), "3.10.12");
    cr_assert_eq(m->activity, FL_PYSPY_COLLECTIVE);
    ASSERT_STR(m->op, "all_reduce");
    ASSERT_STR(m->activity_frame, "all_reduce (torch/distributed/distributed_c10d.py:2498)");
    ASSERT_STR(m->top_frame, "_wait_for_work (torch/distributed/distributed_c10d.py:2501)");
    cr_assert(fl_str_starts_with(m->frames, "_wait_for_work (torch/distributed/distributed_c10d."
                                            "py:2501)\nall_reduce ("));
    cr_assert(fl_str_ends_with(m->frames, "\n<module> (/workspace/train.py:320)"));
    const struct fl_event *ev = thread_ev(e, 40121);
    cr_assert_eq(ev->clock, FL_CLOCK_NONE);
    cr_assert_eq(ev->src.line, 4);
    cr_assert(fl_str_starts_with(ev->raw, "Thread 40121 (active): \"MainThread\"\n    _wait"));
    cr_assert(fl_str_ends_with(ev->raw, "<module> (/workspace/train.py:320)"));
    const struct fl_ev_pyspy_stack *pin = thread(e, 40190);
    cr_assert(!pin->active);
    cr_assert_eq(pin->rank, 3);
    cr_assert_eq(pin->activity, FL_PYSPY_DATA_LOADING);
    ASSERT_STR(pin->thread_name, "Thread-2 (_pin_memory_loop)");
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_active_gil_in_dataloader)
{
    struct fl_engine *e = ingest_file("pyspy-dump-rank2.txt");
    const struct fl_ev_pyspy_stack *m = thread(e, 40119);
    cr_assert(m->active && m->gil);
    cr_assert_eq(m->rank, 2);
    cr_assert_eq(m->activity, FL_PYSPY_DATA_LOADING);
    ASSERT_STR(m->activity_frame, "__next__ (torch/utils/data/dataloader.py:631)");
    fl_engine_free(e);
}

FL_TEST(pyspy, real_bigscience_idle_rank_in_dataloader)
{
    struct fl_engine *e = ingest_file("bigscience-tr11-node48-rank-idle-dataloader.txt");
    const struct fl_ev_pyspy_stack *m = thread(e, 688514);
    cr_assert(!m->active);
    cr_assert_eq(m->rank, -1);
    cr_assert_eq(m->pid, -1);
    /* idle in queue.get under the DataLoader: data loading, not plain idle */
    cr_assert_eq(m->activity, FL_PYSPY_DATA_LOADING);
    ASSERT_STR(m->activity_frame, "_try_get_data (torch/utils/data/dataloader.py:1011)");
    ASSERT_STR(m->top_frame, "wait (threading.py:306)");
    fl_engine_free(e);
    e = ingest_file("bigscience-tr11-dataloader-deadlock-idle.txt");
    cr_assert_eq(thread(e, 1439102)->activity, FL_PYSPY_DATA_LOADING);
    fl_engine_free(e);
}

/* Authors grouped identical stacks under several thread headers: a header with no frame is a
 * thread with no frames (py-spy prints those too), never given the next thread's stack. */
FL_TEST(pyspy, real_bigscience_grouped_headers_are_empty_threads)
{
    struct fl_engine *e = ingest_file("bigscience-tr11-node49-4ranks-allreduce-grouped.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 4);
    cr_assert_eq(skips(e), 0);
    for (int64_t t = 686181; t <= 686183; t++) {
        cr_assert_eq(thread(e, t)->activity, FL_PYSPY_UNKNOWN);
        cr_assert_null(thread(e, t)->frames.ptr);
    }
    const struct fl_ev_pyspy_stack *last = thread(e, 686184);
    cr_assert_eq(last->activity, FL_PYSPY_COLLECTIVE);
    ASSERT_STR(last->op, "all_reduce");
    cr_assert_eq(last->rank, -1); /* four MainThreads: several processes, no rank to give */
    fl_engine_free(e);

    e = ingest_file("bigscience-tr11-node49-4ranks-p2p-recv-grouped.txt");
    ASSERT_STR(thread(e, 686188)->op, "recv");
    fl_engine_free(e);
    e = ingest_file("bigscience-tr11-node48-4ranks-broadcast-grouped.txt");
    ASSERT_STR(thread(e, 599213)->op, "broadcast");
    fl_engine_free(e);
    /* broadcast inside megatron's broadcast_data: the collective is innermost */
    e = ingest_file("bigscience-tr11-node48-3ranks-broadcast-data-grouped.txt");
    cr_assert_eq(thread(e, 688517)->activity, FL_PYSPY_COLLECTIVE);
    ASSERT_STR(thread(e, 688517)->op, "broadcast");
    fl_engine_free(e);
    e = ingest_file("bigscience-tr11-prequel-6ranks-in-train-loop.txt");
    cr_assert_eq(thread(e, 835990)->activity, FL_PYSPY_ELSEWHERE);
    ASSERT_STR(thread(e, 835990)->top_frame, "train (megatron/training.py:915)");
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_hex_thread_ids)
{
    struct fl_engine *e = ingest_file("hex-thread-ids-idle.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(thread(e, 0x7F2A51C3E740LL)->activity, FL_PYSPY_IDLE);
    ASSERT_STR(thread(e, 0x7F29E7FFF640LL)->thread_name, "Thread-1 (_poll_events)");
    cr_assert_eq(thread(e, 0x7F29E7FFF640LL)->activity, FL_PYSPY_IDLE);
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_locals_blocks_are_not_frames)
{
    struct fl_engine *e = ingest_file("locals-rank5-all-gather.txt");
    cr_assert_eq(skips(e), 0);
    const struct fl_ev_pyspy_stack *m = thread(e, 51877);
    cr_assert_eq(m->rank, 5);
    ASSERT_STR(m->op, "all_gather");
    ASSERT_STR(m->activity_frame,
               "all_gather_into_tensor (torch/distributed/distributed_c10d.py:2948)");
    ASSERT_STR(m->frames,
               "_wait_for_work (torch/distributed/distributed_c10d.py:2709)\n"
               "all_gather_into_tensor (torch/distributed/distributed_c10d.py:2948)\n"
               "wrapper (torch/distributed/c10d_logger.py:83)\n"
               "_gather_along_first_dim (megatron/core/tensor_parallel/mappings.py:231)\n"
               "forward (megatron/core/tensor_parallel/layers.py:642)\n"
               "train_step (megatron/training/training.py:771)\n"
               "pretrain (megatron/training/training.py:370)\n"
               "<module> (pretrain.py:244)");
    /* the locals stay in raw */
    cr_assert(fl_str_find(thread_ev(e, 51877)->raw, FL_STR_LIT("dim_size: [4096, 1, 8192]")) > 0);
    const struct fl_ev_pyspy_stack *pin = thread(e, 52210);
    ASSERT_STR(pin->top_frame, "select (selectors.py:416)");
    cr_assert_eq(pin->activity, FL_PYSPY_DATA_LOADING);
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_native_frames)
{
    struct fl_engine *e = ingest_file("native-rank1.txt");
    const struct fl_ev_pyspy_stack *m = thread(e, 73301);
    /* barrier called from save_checkpoint: the collective is innermost, so it wins */
    cr_assert_eq(m->activity, FL_PYSPY_COLLECTIVE);
    ASSERT_STR(m->op, "barrier");
    ASSERT_STR(m->top_frame, "__futex_abstimed_wait_common (libc.so.6)");
    cr_assert_eq(m->rank, 1);
    /* .item() only shows in native frames */
    const struct fl_ev_pyspy_stack *t = thread(e, 73412);
    cr_assert_eq(t->activity, FL_PYSPY_CUDA_SYNC);
    ASSERT_STR(t->activity_frame, "cudaStreamSynchronize (libcudart.so.12)");
    const struct fl_ev_pyspy_stack *px = thread(e, 73420);
    cr_assert_null(px->thread_name.ptr);
    cr_assert_eq(px->activity, FL_PYSPY_IDLE); /* NCCL's proxy thread is not a collective */
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_several_processes_rank_from_command_line)
{
    struct fl_engine *e = ingest_file("multiprocess-rank-env.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 4);
    cr_assert_eq(skips(e), 0);
    const struct fl_ev_pyspy_stack *r0 = thread(e, 9101), *r1 = thread(e, 9102),
                                   *r2 = thread(e, 9103), *bg = thread(e, 9170);
    cr_assert_eq(r0->rank, 0);
    cr_assert_eq(r1->rank, 1);
    cr_assert_eq(r2->rank, 2);
    cr_assert_eq(bg->rank, 2);
    cr_assert_eq(bg->pid, 9103);
    cr_assert_eq(r0->activity, FL_PYSPY_COLLECTIVE);
    ASSERT_STR(r0->op, "all_reduce");
    cr_assert_eq(r1->activity, FL_PYSPY_CHECKPOINT_IO);
    cr_assert_eq(r2->activity, FL_PYSPY_CUDA_SYNC);
    cr_assert_eq(bg->activity, FL_PYSPY_IDLE);
    cr_assert_str_eq(str_of(e, r1->python), "3.12.3");
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_json_dump)
{
    struct fl_engine *e = ingest_file("json-rank6.json");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(skips(e), 0);
    const struct fl_ev_pyspy_stack *m = thread(e, 40122); /* os_thread_id */
    cr_assert_eq(m->rank, 6);
    cr_assert_eq(m->pid, 40122);
    cr_assert(m->active && !m->gil);
    ASSERT_STR(m->op, "reduce_scatter");
    ASSERT_STR(m->frames, "_wait_for_work (torch/distributed/distributed_c10d.py:2501)\n"
                          "reduce_scatter_tensor (torch/distributed/distributed_c10d.py:3413)\n"
                          "_reduce_grad (torch/distributed/fsdp/_runtime_utils.py:785)\n"
                          "<module> (train.py:310)");
    cr_assert_eq(thread_ev(e, 40122)->src.line, 2);
    const struct fl_ev_pyspy_stack *w = thread(e, 139920138405440LL); /* no os id: thread_id */
    cr_assert_null(w->thread_name.ptr);
    cr_assert_eq(w->activity, FL_PYSPY_IDLE);
    cr_assert_eq(thread_ev(e, 139920138405440LL)->src.line, 49);
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_json_one_thread_per_line)
{
    struct fl_engine *e = ingest_file("json-lines-jq.json");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    const struct fl_ev_pyspy_stack *m = thread(e, 8811);
    cr_assert_eq(m->rank, 4); /* RANK=4 in process_info.command_line */
    cr_assert(m->gil);
    cr_assert_eq(m->activity, FL_PYSPY_DATA_LOADING);
    cr_assert_eq(thread(e, 8850)->rank, 4); /* same pid, later line */
    cr_assert_str_eq(str_of(e, thread(e, 8850)->cmdline), "python train.py RANK=4");
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_pdsh_prefixed_interleaved_hosts)
{
    struct fl_engine *e = ingest_file("pdsh-interleaved.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(skips(e), 0);
    const struct fl_event *a = thread_ev(e, 31001), *b = thread_ev(e, 42002);
    cr_assert_str_eq(str_of(e, a->node), "gpu-node-01");
    cr_assert_str_eq(str_of(e, b->node), "gpu-node-02");
    ASSERT_STR(a->u.pyspy.frames, "broadcast (torch/distributed/distributed_c10d.py:2051)\n"
                                  "wrapper (torch/distributed/c10d_logger.py:75)\n"
                                  "sync_params (train.py:50)\n<module> (train.py:99)");
    ASSERT_STR(b->u.pyspy.op, "");
    cr_assert_eq(b->u.pyspy.activity, FL_PYSPY_DATA_LOADING);
    cr_assert_eq(a->u.pyspy.pid, 31001);
    cr_assert_str_eq(str_of(e, b->u.pyspy.python), "3.10.12");
    /* raw rebuilt from the host's own lines, prefixes kept */
    cr_assert(fl_str_starts_with(a->raw, "gpu-node-01: Thread 31001 (active): \"MainThread\"\n"
                                         "gpu-node-01:     broadcast"));
    cr_assert(fl_str_find(a->raw, FL_STR_LIT("gpu-node-02")) < 0);
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_srun_labels_and_dshbak_sections)
{
    struct fl_engine *e = ingest_file("srun-label.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 3);
    cr_assert_eq(thread_ev(e, 5120)->node, 0); /* a task number is not a host */
    ASSERT_STR(thread(e, 5120)->op, "recv");
    ASSERT_STR(thread(e, 6230)->op, "send");
    cr_assert_eq(thread(e, 7001)->activity, FL_PYSPY_IDLE);
    fl_engine_free(e);
    e = ingest_file("dshbak-sections.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_str_eq(str_of(e, thread_ev(e, 7707)->node), "node07");
    cr_assert_str_eq(str_of(e, thread_ev(e, 8808)->node), "node08");
    ASSERT_STR(thread(e, 7707)->op, "all_to_all");
    fl_engine_free(e);
    /* clush -b: a host set with its count; not one node */
    e = ingest_text("clush.txt", "---------------\nnode[48-49] (2)\n---------------\n"
                                 "Thread 5 (idle): \"MainThread\"\n    wait (threading.py:320)\n"
                                 "---------------\nnode50\n---------------\n"
                                 "Thread 6 (idle): \"MainThread\"\n    wait (threading.py:320)\n");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(thread_ev(e, 5)->node, 0);
    cr_assert_str_eq(str_of(e, thread_ev(e, 6)->node), "node50");
    fl_engine_free(e);
}

/* Banners, prompts and Markdown fences around dumps are not py-spy output: passed over. */
FL_TEST(pyspy, surrounding_text_is_passed_over)
{
    struct fl_engine *e = ingest_text(
        "notes.md", "$ py-spy dump --pid 11841\n===== node-0 PID 11841 =====\n```\n"
                    "Thread 11841 (active): \"MainThread\"\n"
                    "    all_reduce (torch/distributed/distributed_c10d.py:2050)\n"
                    "    train_step (train.py:214)\n```\n[rank3]:[E1104 14:02:18] Watchdog caught\n"
                    "Note: rank 3 is the culprit\n");
    cr_assert_eq(fl_engine_window(e)->nevents, 1);
    cr_assert_eq(skips(e), 0);
    ASSERT_STR(thread(e, 11841)->frames, "all_reduce (torch/distributed/distributed_c10d.py:2050)\n"
                                         "train_step (train.py:214)");
    cr_assert(fl_str_ends_with(thread_ev(e, 11841)->raw, "train_step (train.py:214)"));
    fl_engine_free(e);
}

FL_TEST(pyspy, valid_core_dump_ansi_crlf_subprocesses)
{
    struct fl_engine *e = ingest_file("coredump-header.txt");
    cr_assert_eq(thread(e, 4242)->pid, 4242);
    cr_assert_str_eq(str_of(e, thread(e, 4242)->python), "3.9.13");
    fl_engine_free(e);

    e = ingest_file("ansi-colour.txt");
    ASSERT_STR(thread(e, 6161)->frames,
               "all_gather (torch/distributed/distributed_c10d.py:2615)\nmain (train.py:12)");
    ASSERT_STR(thread(e, 6161)->op, "all_gather");
    fl_engine_free(e);

    e = ingest_file("crlf.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    ASSERT_STR(thread(e, 77)->frames,
               "get (queue.py:171)\n_try_get_data (torch/utils/data/dataloader.py:1011)");
    ASSERT_STR(thread(e, 78)->thread_name, "pin");
    fl_engine_free(e);

    e = ingest_file("subprocesses.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(thread(e, 500)->rank, -1);
    cr_assert_eq(thread(e, 501)->rank, 3);
    ASSERT_STR(thread(e, 501)->op, "barrier");
    fl_engine_free(e);
}

/* ---- implementation-defined: rank rules ------------------------------------------------ */

FL_TEST(pyspy, rank_from_file_name_rules)
{
    static const struct {
        const char *name;
        int rank;
    } cases[] = {
        {"pyspy-dump-rank2.txt", 2},
        {"dump_rank_12.log", 12},
        {"run/rank-5/stacks.txt", 5},
        {"RANK7.txt", 7},
        {"node48/rank=3.txt", 3},
        {"dump_local_rank3.txt", -1},
        {"node_rank_1/pyspy.txt", -1},
        {"node48-4ranks-x.txt", -1},
        {"frank3.txt", -1},
        {"pyspy.txt", -1},
    };
    const char *text = "Thread 11 (idle): \"MainThread\"\n    wait (threading.py:1)\n";
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct fl_engine *e = ingest_text(cases[i].name, text);
        cr_assert_eq(thread(e, 11)->rank, cases[i].rank, "%s: rank %d", cases[i].name,
                     thread(e, 11)->rank);
        fl_engine_free(e);
    }
    /* two processes in one file: the file's rank belongs to neither */
    struct fl_engine *e = ingest_text(
        "pyspy-rank7.txt", "Process 1: python a.py\nThread 1 (idle): \"MainThread\"\n"
                           "    wait (threading.py:1)\nProcess 2: python a.py\n"
                           "Thread 2 (idle): \"MainThread\"\n    wait (threading.py:1)\n");
    cr_assert_eq(thread(e, 1)->rank, -1);
    cr_assert_eq(thread(e, 2)->rank, -1);
    fl_engine_free(e);
    /* the same process dumped twice: it keeps the rank */
    e = ingest_text("pyspy-rank7.txt",
                    "Process 1: python a.py\nThread 1 (idle): \"MainThread\"\n"
                    "    wait (threading.py:1)\nProcess 1: python a.py\n"
                    "Thread 1 (idle): \"MainThread\"\n    wait (threading.py:2)\n");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(fl_engine_window(e)->events[0]->u.pyspy.rank, 7);
    cr_assert_eq(fl_engine_window(e)->events[1]->u.pyspy.rank, 7);
    cr_assert_neq(fl_engine_window(e)->events[0]->uid, fl_engine_window(e)->events[1]->uid);
    fl_engine_free(e);
    /* RANK= in the command line wins over the file name, and the disagreement is reported */
    e = ingest_text("pyspy-rank2.txt",
                    "Process 9: env RANK=5 python a.py\n"
                    "Thread 9 (idle): \"MainThread\"\n    wait (threading.py:1)\n");
    cr_assert_eq(thread(e, 9)->rank, 5);
    uint32_t line;
    const char *why = skip_reason(e, 0, &line);
    cr_assert_not_null(why);
    cr_assert(strstr(why, "disagrees with rank 2 in the file name") != NULL, "%s", why);
    cr_assert_eq(line, 1);
    fl_engine_free(e);
    /* LOCAL_RANK= is not RANK= */
    e = ingest_text("x.txt", "Process 9: env LOCAL_RANK=5 python a.py --local_rank=5\n"
                             "Thread 9 (idle): \"MainThread\"\n    wait (threading.py:1)\n");
    cr_assert_eq(thread(e, 9)->rank, -1);
    fl_engine_free(e);
}

/* ---- the classifier -------------------------------------------------------------------- */

FL_TEST(pyspy, classify_frames)
{
    static const struct {
        const char *frames;
        bool active;
        uint8_t activity;
        const char *op;
    } cases[] = {
        {"", true, FL_PYSPY_UNKNOWN, NULL},
        {"train (train.py:3)", true, FL_PYSPY_ELSEWHERE, NULL},
        {"wait (threading.py:320)\nget (queue.py:171)\n_worker (concurrent/futures/thread.py:83)",
         false, FL_PYSPY_IDLE, NULL},
        /* py-spy's own idle flag does not hide a collective */
        {"pthread_cond_wait (libc.so.6)\n0x7caaa50b1a9b (?)\n"
         "all_gather_into_tensor (torch/distributed/distributed_c10d.py:4193)\nstep (s.py:2)",
         false, FL_PYSPY_COLLECTIVE, "all_gather"},
        {"_all_gather_base (torch/distributed/distributed_c10d.py:1)", true, FL_PYSPY_COLLECTIVE,
         "all_gather"},
        {"monitored_barrier (torch/distributed/distributed_c10d.py:1)", true, FL_PYSPY_COLLECTIVE,
         "barrier"},
        {"batch_isend_irecv (torch/distributed/distributed_c10d.py:1)", true, FL_PYSPY_COLLECTIVE,
         "send_recv"},
        {"_store_based_barrier (torch/distributed/distributed_c10d.py:1)\n"
         "init_process_group (torch/distributed/distributed_c10d.py:2)",
         true, FL_PYSPY_COLLECTIVE, "barrier"},
        {"_create_c10d_store (torch/distributed/rendezvous.py:1)\n"
         "_env_rendezvous_handler (torch/distributed/rendezvous.py:2)\n"
         "init_process_group (torch/distributed/distributed_c10d.py:3)",
         true, FL_PYSPY_COLLECTIVE, "init_process_group"},
        {"new_group (torch/distributed/distributed_c10d.py:1)", true, FL_PYSPY_COLLECTIVE,
         "new_group"},
        {"destroy_process_group (torch/distributed/distributed_c10d.py:1)", true,
         FL_PYSPY_COLLECTIVE, "destroy_process_group"},
        {"all_to_all_single (torch/distributed/distributed_c10d.py:1)", true, FL_PYSPY_COLLECTIVE,
         "all_to_all"},
        {"gather_object (torch/distributed/distributed_c10d.py:1)\n"
         "_save_state_dict (torch/distributed/checkpoint/state_dict_saver.py:2)",
         true, FL_PYSPY_COLLECTIVE, "gather"},
        {"scatter_object_list (torch/distributed/distributed_c10d.py:1)", true, FL_PYSPY_COLLECTIVE,
         "scatter"},
        {"reduce (torch/distributed/distributed_c10d.py:1)", true, FL_PYSPY_COLLECTIVE, "reduce"},
        {"wait_tensor (torch/distributed/_functional_collectives.py:1)", true, FL_PYSPY_COLLECTIVE,
         NULL},
        {"inference_all_reduce (deepspeed/comm/comm.py:1)", true, FL_PYSPY_COLLECTIVE,
         "all_reduce"},
        {"_communicate (megatron/core/pipeline_parallel/p2p_communication.py:1)\n"
         "send_forward_recv_backward (megatron/core/pipeline_parallel/p2p_communication.py:2)",
         true, FL_PYSPY_COLLECTIVE, "send_recv"},
        /* helpers of distributed_c10d.py that are not collectives */
        {"get_rank (torch/distributed/distributed_c10d.py:1)\nmain (m.py:1)", true,
         FL_PYSPY_ELSEWHERE, NULL},
        /* torchelastic's wrapper sits in every stack */
        {"step (t.py:1)\nwrapper (torch/distributed/elastic/multiprocessing/errors/__init__.py:3)",
         true, FL_PYSPY_ELSEWHERE, NULL},
        {"_worker_loop (torch/utils/data/_utils/worker.py:308)", false, FL_PYSPY_DATA_LOADING,
         NULL},
        {"__getitem__ (my_dataloader.py:20)", true, FL_PYSPY_DATA_LOADING, NULL},
        {"_save (torch/serialization.py:880)\nsave (torch/serialization.py:629)", true,
         FL_PYSPY_CHECKPOINT_IO, NULL},
        {"write_data (torch/distributed/checkpoint/filesystem.py:1)", true, FL_PYSPY_CHECKPOINT_IO,
         NULL},
        {"save_file (safetensors/torch.py:286)", true, FL_PYSPY_CHECKPOINT_IO, NULL},
        {"save_checkpoint (megatron/training/checkpointing.py:1)", true, FL_PYSPY_CHECKPOINT_IO,
         NULL},
        /* activation checkpointing is not checkpoint I/O */
        {"checkpoint (torch/utils/checkpoint.py:1)", true, FL_PYSPY_ELSEWHERE, NULL},
        {"synchronize (torch/cuda/streams.py:227)", true, FL_PYSPY_CUDA_SYNC, NULL},
        {"__format__ (torch/_tensor.py:1)\nlog (l.py:1)", true, FL_PYSPY_CUDA_SYNC, NULL},
        {"cudaDeviceSynchronize (libcudart.so.12)\nstep (s.py:1)", true, FL_PYSPY_CUDA_SYNC, NULL},
        /* native NCCL/c10d frames name the op when Python frames cannot */
        {"ncclAllReduce (libnccl.so.2)\nstep (s.py:1)", true, FL_PYSPY_COLLECTIVE, "all_reduce"},
        {"c10d::ProcessGroupNCCL::allgather (libtorch_cuda.so)", true, FL_PYSPY_COLLECTIVE,
         "all_gather"},
        {"cudaStreamSynchronize (libcudart.so)\n"
         "c10d::ProcessGroupNCCL::WorkNCCL::synchronizeStream (libtorch_cuda.so)\n"
         "wait_tensor (torch/distributed/_functional_collectives.py:1)",
         true, FL_PYSPY_COLLECTIVE, NULL},
        {"ncclProxyService (libnccl.so.2)", true, FL_PYSPY_ELSEWHERE, NULL},
        /* a Python frame that matches beats any native one */
        {"cudaStreamSynchronize (libcudart.so)\nbroadcast "
         "(torch/distributed/distributed_c10d.py:9)",
         true, FL_PYSPY_COLLECTIVE, "broadcast"},
        /* qualified names (newer Pythons) and odd file spellings */
        {"TorchBackend.all_reduce (deepspeed/comm/torch.py:1)", true, FL_PYSPY_COLLECTIVE,
         "all_reduce"},
        {"Stream.synchronize (torch/cuda/streams.py:227)", true, FL_PYSPY_CUDA_SYNC, NULL},
        {"PreTrainedModel.save_pretrained (transformers/modeling_utils.py:2500)", true,
         FL_PYSPY_CHECKPOINT_IO, NULL},
        {"_run_code (<frozen runpy>:88)", true, FL_PYSPY_ELSEWHERE, NULL},
        {"(anonymous namespace)::foo (libx.so)", true, FL_PYSPY_ELSEWHERE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct fl_ev_pyspy_stack s;
        memset(&s, 0, sizeof s);
        s.frames = fl_str_from_cstr(cases[i].frames);
        s.active = cases[i].active;
        fl_pyspy_classify(&s);
        cr_assert_eq(s.activity, cases[i].activity, "case %zu: activity %s, want %s", i,
                     fl_pyspy_activity_name(s.activity), fl_pyspy_activity_name(cases[i].activity));
        if (cases[i].op)
            cr_assert(eq(s.op, cases[i].op), "case %zu: op \"%.*s\", want %s", i, (int)s.op.len,
                      s.op.ptr ? s.op.ptr : "", cases[i].op);
        else
            cr_assert_null(s.op.ptr, "case %zu: op \"%.*s\"", i, (int)s.op.len, s.op.ptr);
        if (s.activity != FL_PYSPY_UNKNOWN && s.activity != FL_PYSPY_IDLE &&
            s.activity != FL_PYSPY_ELSEWHERE)
            cr_assert_not_null(s.activity_frame.ptr, "case %zu", i);
    }
}

/* ---- invalid input ---------------------------------------------------------------------- */

struct bad_case {
    const char *text;
    size_t len; /* 0 = strlen */
    const char *reason;
    uint32_t line;
    size_t events;
};

FL_TEST(pyspy, bad_input_is_skipped_with_reason)
{
    static const struct bad_case cases[] = {
        {"Thread 12 (act", 0, "thread header cut short", 1, 0},
        {"Thread 12 (idle): \"Main\n    f (a.py:1)\n", 0, "thread name cut short", 1, 0},
        {"Thread 0xZZ (idle): \"x\"\n", 0, "thread id is not a number", 1, 0},
        {"Thread 12 (idle) garbage\n", 0, "unexpected text after the thread status", 1, 0},
        {"    f (a.py:1)\n    g (b.py:2)\nThread 1 (idle)\n", 0, "frame line outside any thread", 1,
         1},
        {"Error: Failed to find python version from target process\n", 0,
         "py-spy reported an error: \"Error: Failed to find python version", 1, 0},
        {"node3: Permission Denied: Try running again with elevated permissions\n", 0,
         "py-spy reported an error", 1, 0},
        {"Thread 1 (idle): \"a\"\n    f (a.py:1)\n    g (b.\0py:2)\n", 52, "NUL bytes", 3, 1},
        {"Thread 1 (idle): \"a\"\n    f (a.py:1)\n    g (b.py:2", 0, "frame line cut short", 3, 1},
        {"[\n  {\"pid\": 1, \"frames\": [}\n]\n", 0, "invalid py-spy JSON", 2, 0},
        {"[{\"pid\":1,\"thread_id\":2,\"owns_gil\":false,\"frames\":3}]\n", 0,
         "\"frames\" missing or not an array", 1, 0},
        {"[\n  {\"pid\": 1, \"thread_id\": 2, \"frames\": []},\n  {\"pid\": 1, \"thr", 0,
         "py-spy JSON dump cut short", 3, 1},
        {"[\n  {\"pid\": 1, \"thr", 0, "before its first thread", 1, 0},
        {"[\n  7\n]\n", 0, "not a thread object", 2, 0},
        {"just some text\nand more\n", 0, "no py-spy thread", 0, 0},
        {"\x01\x02\xff\xfe binary", 0, "no py-spy thread", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        struct fl_engine *e = ingest_buf("bad.txt", cases[i].text, len, "py-spy");
        uint32_t line = 99;
        const char *why = skip_reason(e, 0, &line);
        cr_assert_not_null(why, "case %zu not skipped", i);
        cr_assert(strstr(why, cases[i].reason) != NULL, "case %zu: '%s' lacks '%s'", i, why,
                  cases[i].reason);
        cr_assert_eq(line, cases[i].line, "case %zu: line %u", i, line);
        cr_assert_eq(fl_engine_window(e)->nevents, cases[i].events, "case %zu: %zu events", i,
                     fl_engine_window(e)->nevents);
        fl_engine_free(e);
    }
}

FL_TEST(pyspy, cut_mid_thread_keeps_what_was_read)
{
    struct fl_engine *e = ingest_file("truncated-mid-thread.txt");
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    ASSERT_STR(thread(e, 1234)->op, "all_reduce");
    cr_assert_null(thread(e, 1300)->frames.ptr);
    uint32_t line;
    cr_assert(strstr(skip_reason(e, 0, &line), "frame line cut short") != NULL);
    cr_assert_eq(line, 8);
    fl_engine_free(e);
}

FL_TEST(pyspy, caps_on_frames_and_hosts)
{
    /* a thread deeper than the frame cap keeps the innermost frames and says so */
    size_t nfr = 17000;
    size_t cap = 64 + nfr * 24;
    char *t = malloc(cap);
    size_t k = (size_t)snprintf(t, cap, "Thread 5 (active): \"MainThread\"\n");
    for (size_t i = 0; i < nfr; i++)
        k += (size_t)snprintf(t + k, cap - k, "    rec (r.py:%zu)\n", i + 1);
    struct fl_engine *e = ingest_buf("deep.txt", t, k, NULL);
    cr_assert_eq(fl_engine_window(e)->nevents, 1);
    cr_assert(fl_str_starts_with(thread(e, 5)->frames, "rec (r.py:1)\nrec (r.py:2)\n"));
    cr_assert(strstr(skip_reason(e, 0, NULL), "more than 16384 frames") != NULL);
    fl_engine_free(e);
    free(t);
    /* more distinct host prefixes than the cap */
    size_t nh = 65600;
    cap = nh * 48;
    t = malloc(cap);
    k = 0;
    for (size_t i = 0; i < nh; i++)
        k += (size_t)snprintf(t + k, cap - k, "h%zu: Thread %zu (idle)\n", i, i + 1);
    e = ingest_buf("many.txt", t, k, "py-spy");
    cr_assert_eq(fl_engine_window(e)->nevents, 65536);
    cr_assert(strstr(skip_reason(e, 0, NULL), "more than 65536 host prefixes") != NULL);
    fl_engine_free(e);
    free(t);
}

/* ---- every truncation length ------------------------------------------------------------ */

FL_TEST(pyspy, every_truncation_length)
{
    /* one file per reading path (headers, locals, JSON, host streams, colours, CRLF); the fuzz
     * corpus replay covers the rest */
    static const char *files[] = {"pyspy-dump-rank3.txt", "locals-rank5-all-gather.txt",
                                  "json-rank6.json",      "pdsh-interleaved.txt",
                                  "ansi-colour.txt",      "crlf.txt"};
    for (size_t fi = 0; fi < sizeof files / sizeof *files; fi++) {
        char path[512];
        snprintf(path, sizeof path, DATA "%s", files[fi]);
        size_t len;
        char *b = slurp(path, &len);
        for (size_t n = 0; n <= len; n++) {
            /* fl_engine_add_buffer copies into an exact-size heap block: an over-read trips ASan */
            struct fl_engine *e = ingest_buf(files[fi], b, n, "py-spy");
            const struct fl_window *w = fl_engine_window(e);
            for (size_t i = 0; i < w->nevents; i++) {
                const struct fl_ev_pyspy_stack *p = &w->events[i]->u.pyspy;
                cr_assert(p->frames.len == 0 || p->frames.ptr[p->frames.len - 1] == ')',
                          "%s at %zu: frames end \"%.*s\"", files[fi], n, (int)p->frames.len,
                          p->frames.ptr);
            }
            fl_engine_free(e);
        }
        free(b);
    }
}

/* ---- sniffing --------------------------------------------------------------------------- */

static const struct fl_parser *pyspy_parser(void)
{
    const struct fl_parser *p = fl_parser_find(FL_STR_LIT("py-spy"));
    cr_assert_not_null(p);
    return p;
}

FL_TEST(pyspy, sniff_claims_every_sample)
{
    DIR *d = opendir(DATA);
    cr_assert_not_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strstr(de->d_name, ".md"))
            continue;
        char path[512];
        snprintf(path, sizeof path, DATA "%s", de->d_name);
        size_t len;
        char *b = slurp(path, &len);
        int s = pyspy_parser()->sniff(b, len, fl_str_from_cstr(de->d_name));
        cr_assert_geq(s, 80, "%s: %d", de->d_name, s);
        const struct fl_parser *best = fl_parser_sniff(b, len, fl_str_from_cstr(de->d_name));
        cr_assert(best && strcmp(best->name, "py-spy") == 0, "%s went to %s", de->d_name,
                  best ? best->name : "none");
        free(b);
        n++;
    }
    closedir(d);
    cr_assert_geq(n, 20);
}

/* Other readers' samples in the tree (fuzz corpora, golden inputs, unit data) are not py-spy. */
static int walk_not_mine(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "pyspy") == 0 ||
            strcmp(de->d_name, "ingest_pyspy") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        DIR *sub = depth < 6 ? opendir(path) : NULL;
        if (sub) {
            closedir(sub);
            n += walk_not_mine(path, depth + 1);
            continue;
        }
        size_t len;
        char *b = slurp(path, &len);
        int s = pyspy_parser()->sniff(b, len, fl_str_from_cstr(path));
        cr_assert_eq(s, 0, "py-spy sniff claims %s (%d)", path, s);
        free(b);
        n++;
    }
    closedir(d);
    return n;
}

FL_TEST(pyspy, sniff_leaves_other_formats_alone)
{
    int n = walk_not_mine(FL_SOURCE_DIR "/tests/fuzz/corpus", 0) +
            walk_not_mine(FL_SOURCE_DIR "/tests/unit/data", 0);
    cr_assert_gt(n, 10);
    static const char *others[] = {
        ("Thread 4 (Thread 0x7fd09a759000 (LWP 3913167) \"cuda00006000019\"):\n"
         "#0  0x00007fd0b01abac1 in poll () from /lib64/libc.so.6\n"),
        "Thread 0x00007f0e3b5ff700 (most recent call first):\n  File \"x.py\", line 3 in f\n",
        "[rank3]:[E1104 14:02:18.767594328 ProcessGroupNCCL.cpp:688] [Rank 3] Watchdog caught\n",
        "{\"kind\":\"pyspy_stack\",\"ts\":null,\"pyspy_stack\":{\"thread_id\":1,\"frames\":\"f "
        "(a.py:1)\"}}\n",
        "{\"version\": \"2.4\", \"entries\": [{\"thread_id\": \"1\", \"frames\": []}]}\n",
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        cr_assert_eq(pyspy_parser()->sniff(others[i], strlen(others[i]), FL_STR_LIT("x")), 0,
                     "case %zu", i);
}

/* ---- JSON Lines round trip ------------------------------------------------------------- */

static char *events_jsonl(struct fl_engine *e)
{
    const struct fl_window *w = fl_engine_window(e);
    struct fl_jsonw jw;
    fl_jsonw_init(&jw, false);
    for (size_t i = 0; i < w->nevents; i++) {
        fl_event_write_json(&jw, w, w->events[i]);
        fl_jsonw_bytes(&jw, "\n", 1);
    }
    cr_assert_eq(fl_jsonw_error(&jw), 0);
    char *s = strndup(jw.buf ? jw.buf : "", jw.len);
    fl_jsonw_release(&jw);
    return s;
}

FL_TEST(pyspy, jsonl_round_trip)
{
    static const char *files[] = {"pyspy-dump-rank3.txt", "native-rank1.txt",
                                  "multiprocess-rank-env.txt", "json-rank6.json",
                                  "pdsh-interleaved.txt"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        struct fl_engine *e1 = ingest_file(files[i]);
        char *once = events_jsonl(e1);
        cr_assert(strstr(once, "\"activity\":") != NULL);
        struct fl_engine *e2 = ingest_buf("t.jsonl", once, strlen(once), "faultline-jsonl");
        cr_assert_eq(skips(e2), 0, "%s: %s", files[i], skip_reason(e2, 0, NULL));
        cr_assert_eq(fl_engine_window(e2)->nevents, fl_engine_window(e1)->nevents);
        char *twice = events_jsonl(e2);
        cr_assert_str_eq(once, twice);
        free(once);
        free(twice);
        fl_engine_free(e1);
        fl_engine_free(e2);
    }
    /* a converter that does not classify: the reader derives activity from the frames */
    const char *line = "{\"kind\":\"pyspy_stack\",\"ts\":null,\"pyspy_stack\":{\"rank\":1,"
                       "\"active\":false,\"frames\":\"wait (threading.py:1)\\n"
                       "broadcast (torch/distributed/distributed_c10d.py:9)\"}}\n";
    struct fl_engine *e = ingest_buf("t.jsonl", line, strlen(line), "faultline-jsonl");
    cr_assert_eq(fl_engine_window(e)->nevents, 1);
    const struct fl_ev_pyspy_stack *p = &fl_engine_window(e)->events[0]->u.pyspy;
    cr_assert_eq(p->activity, FL_PYSPY_COLLECTIVE);
    ASSERT_STR(p->op, "broadcast");
    fl_engine_free(e);
    line = "{\"kind\":\"pyspy_stack\",\"ts\":null,\"pyspy_stack\":{\"activity\":\"napping\"}}\n";
    e = ingest_buf("t.jsonl", line, strlen(line), "faultline-jsonl");
    cr_assert(strstr(skip_reason(e, 0, NULL), "pyspy_stack.\"activity\": unknown value") != NULL);
    fl_engine_free(e);
}

/* The schema's activity names are the ones the reader and writer use. */
FL_TEST(pyspy, schema_lists_every_activity)
{
    size_t len;
    char *js = slurp(FL_SOURCE_DIR "/schema/events.v1.schema.json", &len);
    struct fl_json_parser jp;
    fl_json_parser_init(&jp, 0);
    struct fl_json j;
    cr_assert_eq(fl_json_parse(&jp, js, len, &j, NULL, NULL), 0);
    int o = fl_json_get(&j, 0, "properties");
    o = fl_json_get(&j, o, "pyspy_stack");
    o = fl_json_get(&j, o, "properties");
    o = fl_json_get(&j, o, "activity");
    int en = fl_json_get(&j, o, "enum");
    cr_assert(en > 0 && fl_json_is_array(&j, en));
    int n = j.tok[en].size;
    cr_assert_eq(n, FL_PYSPY_ELSEWHERE + 1);
    for (int i = 0, t = en + 1; i < n; i++, t = fl_json_skip(&j, t)) {
        struct fl_str name;
        cr_assert(fl_json_str(&j, t, NULL, &name, NULL));
        cr_assert(eq(name, fl_pyspy_activity_name((unsigned)i)), "schema name %d: %.*s", i,
                  (int)name.len, name.ptr);
        cr_assert_eq(fl_pyspy_activity_from(name), i);
    }
    cr_assert_str_eq(fl_pyspy_activity_name(99), "unknown");
    cr_assert_eq(fl_pyspy_activity_from(FL_STR_LIT("napping")), -1);
    fl_json_parser_release(&jp);
    free(js);
}

/* ---- allocation failures ---------------------------------------------------------------- */

FL_TEST(pyspy, allocation_failure_loop)
{
    static const char *files[] = {"pdsh-interleaved.txt", "json-rank6.json", "ansi-colour.txt"};
    for (size_t fi = 0; fi < sizeof files / sizeof *files; fi++) {
        char path[512];
        snprintf(path, sizeof path, DATA "%s", files[fi]);
        size_t len;
        char *b = slurp(path, &len);
        bool completed = false;
        size_t want = 0;
        for (uint64_t n = 1; n < 100000 && !completed; n++) {
            fl_alloc_fail_after(n, 1);
            struct fl_engine_opts o;
            fl_engine_opts_init(&o);
            struct fl_engine *e = fl_engine_new(&o, NULL);
            int rc = FL_ENOMEM;
            if (e && fl_engine_add_buffer(e, files[fi], b, len, NULL) == 0)
                rc = fl_engine_run(e, NULL);
            fl_alloc_fail_after(0, 0);
            if (rc == 0) {
                want = fl_engine_window(e)->nevents;
                completed = true;
            } else {
                cr_assert_eq(rc, FL_ENOMEM, "%s n=%llu: rc %d", files[fi], (unsigned long long)n,
                             rc);
            }
            fl_engine_free(e);
        }
        cr_assert(completed);
        cr_assert_gt(want, 0);
        free(b);
    }
}
