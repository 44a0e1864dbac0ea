/* py-spy dump reader (docs/formats/py-spy.md).
 *
 * Reads `py-spy dump` text (optional "Process PID: CMDLINE" / "Python vX.Y.Z (path)" headers,
 * "Thread TID (active|idle|active+gil): "NAME"" then frames "    func (file:line)" innermost
 * first; --locals blocks; --native frames; core-dump "Signal N:" headers; several dumps one
 * after another), the same with every line prefixed by a host as pdsh prints it ("node48: ")
 * or a task label as srun --label prints it ("3: ") -- lines of different hosts may interleave,
 * so each prefix is its own stream -- dshbak sections, and `py-spy dump --json` (an array of
 * thread objects, pretty-printed or one per line, prefixed or not).
 *
 * One pyspy_stack event per thread: frames joined innermost first, the activity derived from
 * them (fl_pyspy_classify), rank from "RANK=N" in the command line or the file name, node from
 * the host prefix (else the bundle directory / --node). Strings are views into the input,
 * except the joined frames and anything that had to be rebuilt (ANSI colours stripped, JSON
 * assembled from prefixed lines), which live in the window arena. Per-file scratch (streams,
 * per-thread line lists, JSON assembly) is heap memory reused for the whole file.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "faultline/alloc.h"
#include "faultline/ingest.h"

#define PS_MAX_FRAMES 16384u   /* frames kept per thread (py-spy stops at 4096 Python ones) */
#define PS_MAX_ENTRIES 65536u  /* lines remembered per thread for its raw text */
#define PS_MAX_STREAMS 65536u  /* distinct host prefixes in one file */
#define PS_MAX_JSON (1u << 30) /* bytes of one JSON dump */
#define PS_SNIFF_BYTES 65536u

/* ==== frames and the activity they show =============================================== */

struct ps_frame {
    struct fl_str func, file;
    bool python; /* a Python frame (file *.py or <frozen ...>), else a native one */
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static struct fl_str rtrim(struct fl_str s)
{
    while (s.len && (is_space(s.ptr[s.len - 1]) || s.ptr[s.len - 1] == '\r'))
        s.len--;
    return s;
}

/* "func (file:line)" or "func (file)" or a bare "func"; the location is the last " (...)". */
static struct ps_frame frame_split(struct fl_str f)
{
    struct ps_frame out = {f, FL_STR_NULL, false};
    if (f.len >= 3 && f.ptr[f.len - 1] == ')') {
        for (size_t i = f.len - 2; i > 0; i--) {
            if (f.ptr[i] == '(' && f.ptr[i - 1] == ' ') {
                out.func = rtrim(fl_str_make(f.ptr, i - 1));
                struct fl_str loc = fl_str_make(f.ptr + i + 1, f.len - i - 2);
                size_t c = loc.len;
                while (c > 0 && loc.ptr[c - 1] != ':')
                    c--;
                bool digits = c > 0 && c < loc.len;
                for (size_t k = c; k < loc.len && digits; k++)
                    digits = is_digit(loc.ptr[k]);
                out.file = digits ? fl_str_make(loc.ptr, c - 1) : loc;
                break;
            }
        }
    }
    struct fl_str file = out.file;
    out.python = file.len > 0 && (file.ptr[0] == '<' || fl_str_ends_with(file, ".py") ||
                                  fl_str_ends_with(file, ".pyx") || fl_str_ends_with(file, ".pyw"));
    return out;
}

/* file is frag, or ends with "/" frag */
static bool path_is(struct fl_str file, const char *frag)
{
    size_t n = strlen(frag);
    if (!fl_str_ends_with(file, frag))
        return false;
    return file.len == n || file.ptr[file.len - n - 1] == '/' || file.ptr[file.len - n - 1] == '\\';
}

/* file lies under the directory frag ("deepspeed/comm/") */
static bool path_under(struct fl_str file, const char *frag)
{
    if (fl_str_starts_with(file, frag))
        return true;
    size_t n = strlen(frag);
    for (size_t i = 1; i + n <= file.len; i++)
        if (file.ptr[i - 1] == '/' && memcmp(file.ptr + i, frag, n) == 0)
            return true;
    return false;
}

static struct fl_str basename_of(struct fl_str file)
{
    size_t i = file.len;
    while (i > 0 && file.ptr[i - 1] != '/' && file.ptr[i - 1] != '\\')
        i--;
    return fl_str_make(file.ptr + i, file.len - i);
}

static bool contains_nocase(struct fl_str s, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= s.len; i++) {
        size_t k = 0;
        while (k < n && lower(s.ptr[i + k]) == needle[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

static bool contains(struct fl_str s, const char *needle)
{
    return fl_str_find(s, fl_str_from_cstr(needle)) >= 0;
}

/* The function is name, also when given qualified ("Stream.synchronize"). */
static bool func_is(struct fl_str func, const char *name)
{
    size_t i = func.len;
    while (i > 0 && func.ptr[i - 1] != '.')
        i--;
    return fl_str_eq_cstr(fl_str_make(func.ptr + i, func.len - i), name);
}

/* The collective a function name stands for, as a static string (FL_STR_NULL when none).
 * Python names ("all_reduce", "_all_gather_base", "TorchBackend.all_reduce") and native ones
 * ("ncclAllReduce", "c10d::ProcessGroupNCCL::allgather") alike: the last component, template
 * arguments cut, lower case without underscores, a leading "nccl" dropped. */
static struct fl_str op_of(struct fl_str func)
{
    size_t end = 0;
    while (end < func.len && func.ptr[end] != '<' && func.ptr[end] != '(')
        end++;
    size_t start = end;
    while (start > 0 && func.ptr[start - 1] != '.' && func.ptr[start - 1] != ':')
        start--;
    struct fl_str last = fl_str_make(func.ptr + start, end - start);
    if (last.len > 4 && memcmp(last.ptr, "nccl", 4) == 0 && last.ptr[4] >= 'A' &&
        last.ptr[4] <= 'Z')
        last = fl_str_sub(last, 4, last.len);
    char b[64];
    size_t n = 0;
    for (size_t i = 0; i < last.len; i++) {
        if (last.ptr[i] == '_')
            continue;
        if (n == sizeof b)
            return FL_STR_NULL;
        b[n++] = lower(last.ptr[i]);
    }
    struct fl_str s = fl_str_make(b, n);
#define HAS(x) contains(s, x)
#define STARTS(x) fl_str_starts_with(s, x)
    if (HAS("allreduce"))
        return FL_STR_LIT("all_reduce");
    if (HAS("allgather"))
        return FL_STR_LIT("all_gather");
    if (HAS("reducescatter"))
        return FL_STR_LIT("reduce_scatter");
    if (HAS("alltoall"))
        return FL_STR_LIT("all_to_all");
    if (HAS("broadcast"))
        return FL_STR_LIT("broadcast");
    if (HAS("barrier"))
        return FL_STR_LIT("barrier");
    if (HAS("isendirecv") || HAS("sendrecv") || (STARTS("send") && HAS("recv")) ||
        (STARTS("recv") && HAS("send")) || fl_str_eq_cstr(s, "communicate"))
        return FL_STR_LIT("send_recv");
    if (STARTS("isend") || STARTS("send"))
        return FL_STR_LIT("send");
    if (STARTS("irecv") || STARTS("recv"))
        return FL_STR_LIT("recv");
    if (fl_str_eq_cstr(s, "reduce") || STARTS("reducemultigpu"))
        return FL_STR_LIT("reduce");
    if (STARTS("gather"))
        return FL_STR_LIT("gather");
    if (STARTS("scatter"))
        return FL_STR_LIT("scatter");
    if (HAS("initprocessgroup") || HAS("rendezvous") || HAS("createc10dstore"))
        return FL_STR_LIT("init_process_group");
    if (STARTS("newgroup") || STARTS("newsubgroups") || HAS("newprocessgrouphelper"))
        return FL_STR_LIT("new_group");
    if (HAS("destroyprocessgroup"))
        return FL_STR_LIT("destroy_process_group");
#undef HAS
#undef STARTS
    return FL_STR_NULL;
}

/* Python frames of torch.distributed, DeepSpeed comm and Megatron p2p/mappings code. */
static bool py_comm_file(struct fl_str file)
{
    struct fl_str base = basename_of(file);
    static const char *const bases[] = {"distributed_c10d.py", "c10d_logger.py",
                                        "_functional_collectives.py",
                                        "_functional_collectives_impl.py"};
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++)
        if (fl_str_eq_cstr(base, bases[i]))
            return true;
    static const char *const paths[] = {
        "torch/distributed/rendezvous.py",
        "torch/distributed/nn/functional.py",
        "deepspeed/runtime/pipe/p2p.py",
        "megatron/core/pipeline_parallel/p2p_communication.py",
        "megatron/core/tensor_parallel/mappings.py",
        "megatron/mpu/mappings.py",
        "megatron/p2p_communication.py",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (path_is(file, paths[i]))
            return true;
    return path_under(file, "deepspeed/comm/");
}

/* Native frames of c10d and NCCL that mean "in a collective". */
static bool native_comm(const struct ps_frame *f, struct fl_str op)
{
    bool c10d = contains(f->func, "c10d::");
    bool nccl = fl_str_starts_with(f->func, "nccl") && f->func.len > 4 && f->func.ptr[4] >= 'A' &&
                f->func.ptr[4] <= 'Z';
    if (!c10d && !nccl)
        return false;
    if (op.ptr)
        return true;
    return c10d && (contains(f->func, "wait") || contains(f->func, "Wait") ||
                    contains(f->func, "ynchronize") || contains(f->func, "Store::"));
}

static bool native_cuda_sync(const struct ps_frame *f)
{
    if (contains(f->func, "c10d::"))
        return false;
    return contains(f->func, "ynchronize") || contains(f->func, "_local_scalar_dense") ||
           contains(f->func, "THPVariable_item");
}

static bool py_data_loading(const struct ps_frame *f)
{
    struct fl_str base = basename_of(f->file);
    return path_under(f->file, "torch/utils/data/") || path_under(f->file, "torchdata/") ||
           path_under(f->file, "nvidia/dali/") || path_under(f->file, "webdataset/") ||
           contains_nocase(base, "dataloader") || contains_nocase(base, "data_loader") ||
           func_is(f->func, "_worker_loop") || func_is(f->func, "_pin_memory_loop");
}

static bool py_checkpoint(const struct ps_frame *f)
{
    return path_is(f->file, "torch/serialization.py") ||
           path_under(f->file, "torch/distributed/checkpoint/") ||
           path_under(f->file, "safetensors/") ||
           path_under(f->file, "deepspeed/runtime/checkpoint_engine/") ||
           path_under(f->file, "megatron/core/dist_checkpointing/") ||
           path_is(f->file, "megatron/checkpointing.py") ||
           path_is(f->file, "megatron/training/checkpointing.py") ||
           contains(f->func, "save_checkpoint") || contains(f->func, "load_checkpoint") ||
           func_is(f->func, "save_pretrained");
}

static bool py_cuda_sync(const struct ps_frame *f)
{
    if (path_under(f->file, "torch/cuda/") && func_is(f->func, "synchronize"))
        return true;
    if (path_is(f->file, "torch/_tensor_str.py"))
        return true;
    return path_is(f->file, "torch/_tensor.py") &&
           (func_is(f->func, "__format__") || func_is(f->func, "__repr__") ||
            func_is(f->func, "__array__") || func_is(f->func, "tolist"));
}

static bool next_frame(struct fl_scan *sc, struct fl_str *line)
{
    while (fl_scan_line(sc, line)) {
        *line = fl_str_trim(*line);
        if (line->len)
            return true;
    }
    return false;
}

void fl_pyspy_classify(struct fl_ev_pyspy_stack *s)
{
    s->activity = FL_PYSPY_UNKNOWN;
    s->op = FL_STR_NULL;
    s->activity_frame = FL_STR_NULL;
    const char *end = s->frames.ptr ? s->frames.ptr + s->frames.len : NULL;
    struct fl_scan sc;
    struct fl_str line;
    /* the collective, from the innermost frame of comm code that names one */
    struct fl_str op = FL_STR_NULL, op_frame = FL_STR_NULL;
    sc = fl_scan_make(s->frames.ptr, end);
    while (!op.ptr && next_frame(&sc, &line)) {
        struct ps_frame f = frame_split(line);
        struct fl_str o = op_of(f.func);
        if (o.ptr && (f.python ? py_comm_file(f.file) : native_comm(&f, o))) {
            op = o;
            op_frame = line;
        }
    }
    /* the innermost Python frame that matches decides; native frames only when none does */
    bool any = false;
    for (int pass = 0; pass < 2 && s->activity == FL_PYSPY_UNKNOWN; pass++) {
        sc = fl_scan_make(s->frames.ptr, end);
        while (next_frame(&sc, &line)) {
            any = true;
            struct ps_frame f = frame_split(line);
            uint8_t a = FL_PYSPY_UNKNOWN;
            if (pass == 0 && f.python) {
                if (py_comm_file(f.file) && (op.ptr || contains(f.func, "wait")))
                    a = FL_PYSPY_COLLECTIVE;
                else if (py_checkpoint(&f))
                    a = FL_PYSPY_CHECKPOINT_IO;
                else if (py_data_loading(&f))
                    a = FL_PYSPY_DATA_LOADING;
                else if (py_cuda_sync(&f))
                    a = FL_PYSPY_CUDA_SYNC;
            } else if (pass == 1 && !f.python) {
                if (native_comm(&f, op_of(f.func)))
                    a = FL_PYSPY_COLLECTIVE;
                else if (native_cuda_sync(&f))
                    a = FL_PYSPY_CUDA_SYNC;
            }
            if (a != FL_PYSPY_UNKNOWN) {
                s->activity = a;
                s->activity_frame = line;
                break;
            }
        }
    }
    if (s->activity == FL_PYSPY_COLLECTIVE) {
        s->op = op;
        if (op.ptr)
            s->activity_frame = op_frame;
    } else if (s->activity == FL_PYSPY_UNKNOWN && any) {
        s->activity = s->active ? FL_PYSPY_ELSEWHERE : FL_PYSPY_IDLE;
    }
}

/* ==== the reader ========================================================================= */

struct ps_entry {
    struct fl_str line; /* the whole line as read (prefix included) */
    struct fl_str text; /* the frame ("func (file:line)"), or empty for other lines */
};

struct ps_thread {
    bool open;
    uint32_t line;       /* header line number */
    size_t indent;       /* header indentation */
    size_t frame_indent; /* indentation of the first line under the header, 0 = none yet */
    bool in_locals;
    bool contiguous;  /* every line follows the previous one in the input */
    const char *next; /* where the next line starts when contiguous */
    int64_t tid;
    struct fl_str name;
    bool active, gil;
    struct ps_entry *e;
    size_t n, cap;
    size_t nframes, frame_bytes;
    uint32_t dropped; /* frames or lines over the caps */
};

struct ps_stream {
    struct fl_str key; /* host prefix, "" for unprefixed lines */
    uint32_t node;     /* interned host, 0 = none (no prefix, or a numeric srun label) */
    int64_t pid;
    uint32_t cmdline, python;
    int32_t rank;
    struct ps_thread t;
    /* JSON being assembled: content + '\n' per line, with the line number each starts at */
    bool json;
    int depth;
    uint64_t kinds[8]; /* bracket kinds of the open levels, 1 bit each (1 = object) */
    bool in_str, esc;
    uint32_t jline; /* line the JSON value started on */
    size_t jlast;   /* bytes up to the end of the last complete element of a top-level array */
    char *jbuf;
    size_t jlen, jcap;
    struct ps_jline {
        size_t off;  /* where the line starts in jbuf */
        uint32_t no; /* its line number in the input */
    } * jl;
    size_t jn, jncap;
    bool orphan; /* a frame line outside any thread was reported (until the next thread) */
};

struct ps_file {
    struct fl_parse_ctx *ctx;
    const char *buf, *end;
    int32_t file_rank; /* from the file name, -1 none */
    bool file_rank_applies;
    struct ps_stream *st;
    size_t nst, capst;
    uint32_t *slots; /* open addressing: stream index + 1 */
    size_t nslots;
    size_t section; /* stream of unprefixed lines (dshbak section), SIZE_MAX = none */
    struct fl_json_parser jp;
    struct ps_jframe {
        struct fl_str name, file;
        int64_t line;
    } * jf; /* frames of one JSON thread */
    size_t jfcap;
    uint64_t ordinal; /* threads emitted so far */
    uint64_t found;   /* threads and processes seen */
    int rc;
};

static void note(struct ps_file *f, uint32_t line, const char *why)
{
    if (!f->rc)
        f->rc = fl_ingest_skip(f->ctx, line, 0, why);
}

/* Room for need elements of size bytes in the array at p (capacity *cap, never above max):
 * the array, moved or not, or NULL when it cannot grow (p is then left as it was). */
static void *grow(void *p, size_t *cap, size_t need, size_t size, size_t max)
{
    if (need <= *cap)
        return p;
    if (need > max)
        return NULL;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > max)
        ncap = max;
    void *np = fl_realloc(p, ncap * size);
    if (np)
        *cap = ncap;
    return np;
}

/* ---- rank ------------------------------------------------------------------------------ */

/* "RANK=N" as a whitespace-separated word of a command line; -1 when absent. */
static int32_t rank_of_cmdline(struct fl_str cmd)
{
    size_t i = 0;
    while (i < cmd.len) {
        while (i < cmd.len && is_space(cmd.ptr[i]))
            i++;
        size_t w = i;
        while (i < cmd.len && !is_space(cmd.ptr[i]))
            i++;
        struct fl_str word = fl_str_make(cmd.ptr + w, i - w);
        uint64_t v;
        if (fl_str_starts_with(word, "RANK=") && fl_str_to_u64(fl_str_sub(word, 5, word.len), &v) &&
            v <= INT32_MAX)
            return (int32_t)v;
    }
    return -1;
}

/* "rank<N>" in a path component ("pyspy-rank3.txt", "dump_rank_12", "rank-5/"), from the
 * file name up; "local_rank", "node_rank", "group_rank" and "ranks" do not count. */
static int32_t rank_of_path(struct fl_str path)
{
    size_t end = path.len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && path.ptr[start - 1] != '/')
            start--;
        struct fl_str comp = fl_str_make(path.ptr + start, end - start);
        for (size_t i = 0; i + 4 <= comp.len; i++) {
            if (lower(comp.ptr[i]) != 'r' || lower(comp.ptr[i + 1]) != 'a' ||
                lower(comp.ptr[i + 2]) != 'n' || lower(comp.ptr[i + 3]) != 'k')
                continue;
            if (i > 0) {
                char p = lower(comp.ptr[i - 1]);
                if (p >= 'a' && p <= 'z')
                    continue;
                if (p == '_' || p == '-' || p == '.') {
                    size_t ws = i - 1;
                    while (ws > 0 && lower(comp.ptr[ws - 1]) >= 'a' &&
                           lower(comp.ptr[ws - 1]) <= 'z')
                        ws--;
                    struct fl_str word = fl_str_make(comp.ptr + ws, i - 1 - ws);
                    if (fl_str_eq_nocase(word, FL_STR_LIT("local")) ||
                        fl_str_eq_nocase(word, FL_STR_LIT("node")) ||
                        fl_str_eq_nocase(word, FL_STR_LIT("group")))
                        continue;
                }
            }
            size_t j = i + 4;
            if (j < comp.len && (comp.ptr[j] == '_' || comp.ptr[j] == '-' || comp.ptr[j] == '.' ||
                                 comp.ptr[j] == '='))
                j++;
            size_t d = j;
            uint64_t v = 0;
            while (d < comp.len && is_digit(comp.ptr[d]) && d - j < 9)
                v = v * 10 + (uint64_t)(comp.ptr[d++] - '0');
            if (d > j && (d == comp.len || !is_digit(comp.ptr[d])))
                return (int32_t)v;
        }
        end = start ? start - 1 : 0;
    }
    return -1;
}

/* ---- line shapes ----------------------------------------------------------------------- */

struct ps_header {
    bool has_tid;
    int64_t tid;
    bool active, gil;
    struct fl_str name;
};

/* "Thread TID (status)[: "name"]"; 1 = header, 0 = not a thread header at all, -1 = meant as
 * one but malformed (*why says how). */
static int parse_thread(struct fl_str body, struct ps_header *h, const char **why)
{
    memset(h, 0, sizeof *h);
    h->tid = -1;
    if (!fl_str_starts_with(body, "Thread"))
        return 0;
    struct fl_scan sc = fl_scan_make(body.ptr + 6, body.ptr + body.len);
    if (!fl_scan_char(&sc, ' '))
        return 0;
    uint64_t v;
    if (fl_scan_lit(&sc, "0x") || fl_scan_lit(&sc, "0X")) {
        if (!fl_scan_hex_u64(&sc, &v) || v > INT64_MAX) {
            *why = "thread id is not a number";
            return -1;
        }
        h->has_tid = true;
        h->tid = (int64_t)v;
        if (!fl_scan_char(&sc, ' '))
            return 0;
    } else if (!fl_scan_eof(&sc) && is_digit(*sc.p)) {
        if (!fl_scan_u64(&sc, &v) || v > INT64_MAX) {
            *why = "thread id is not a number";
            return -1;
        }
        h->has_tid = true;
        h->tid = (int64_t)v;
        if (!fl_scan_char(&sc, ' '))
            return 0;
    }
    if (!fl_scan_char(&sc, '('))
        return 0;
    struct fl_str status;
    if (!fl_scan_until(&sc, ')', &status)) {
        *why = "thread header cut short (no closing parenthesis after the status)";
        return -1;
    }
    sc.p++;
    bool active = false, idle = false, gil = false;
    for (size_t i = 0; i < status.len;) {
        size_t j = i;
        while (j < status.len && status.ptr[j] != '+')
            j++;
        struct fl_str tok = fl_str_make(status.ptr + i, j - i);
        if (fl_str_eq_cstr(tok, "active"))
            active = true;
        else if (fl_str_eq_cstr(tok, "idle"))
            idle = true;
        else if (fl_str_eq_cstr(tok, "gil"))
            gil = true;
        else
            return 0; /* "(most recent call first)", gdb's "(Thread 0x... (LWP n))" ... */
        i = j + 1;
    }
    if (!active && !idle && !gil)
        return 0;
    h->active = active && !idle;
    h->gil = gil;
    struct fl_str rest = rtrim(fl_str_make(sc.p, fl_scan_left(&sc)));
    if (rest.len == 0)
        return 1;
    if (rest.ptr[0] != ':') {
        *why = "unexpected text after the thread status";
        return -1;
    }
    rest = fl_str_trim(fl_str_sub(rest, 1, rest.len));
    if (rest.len && rest.ptr[0] == '"') {
        if (rest.len < 2 || rest.ptr[rest.len - 1] != '"') {
            *why = "thread name cut short (no closing quote)";
            return -1;
        }
        h->name = fl_str_make(rest.ptr + 1, rest.len - 2);
    } else {
        h->name = rest;
    }
    return 1;
}

/* "Process PID: CMDLINE" (also the core-dump form, same shape) */
static bool parse_process(struct fl_str body, int64_t *pid, struct fl_str *cmd)
{
    if (!fl_str_starts_with(body, "Process "))
        return false;
    struct fl_scan sc = fl_scan_make(body.ptr + 8, body.ptr + body.len);
    uint64_t v;
    if (!fl_scan_u64(&sc, &v) || v > INT64_MAX || !fl_scan_char(&sc, ':'))
        return false;
    *pid = (int64_t)v;
    *cmd = fl_str_trim(fl_str_make(sc.p, fl_scan_left(&sc)));
    return true;
}

/* "Python v3.10.12 (/usr/bin/python3.10)" or "Python v3.9.13" (core dumps) */
static bool parse_python(struct fl_str body, struct fl_str *ver)
{
    if (!fl_str_starts_with(body, "Python v") || body.len < 9 || !is_digit(body.ptr[8]))
        return false;
    size_t i = 8;
    while (i < body.len && !is_space(body.ptr[i]))
        i++;
    *ver = fl_str_make(body.ptr + 8, i - 8);
    return true;
}

/* "WORD N:" headers that only end the current thread: core dumps' "Signal 6: core.123",
 * --subprocesses' "Parent Process 12: cmd". */
static bool is_other_header(struct fl_str body)
{
    const char *lits[] = {"Signal ", "Parent Process "};
    for (size_t i = 0; i < 2; i++) {
        if (!fl_str_starts_with(body, lits[i]))
            continue;
        struct fl_scan sc = fl_scan_make(body.ptr + strlen(lits[i]), body.ptr + body.len);
        uint64_t v;
        if (fl_scan_u64(&sc, &v) && fl_scan_char(&sc, ':'))
            return true;
    }
    return false;
}

/* A JSON dump starts here: '[' or '{' followed by nothing, '{', '"', ']' or '}' (so that
 * "[rank3]: ..." log lines are not taken for JSON). */
static bool json_start(struct fl_str body)
{
    if (!body.len || (body.ptr[0] != '[' && body.ptr[0] != '{'))
        return false;
    size_t i = 1;
    while (i < body.len && is_space(body.ptr[i]))
        i++;
    return i == body.len || body.ptr[i] == '{' || body.ptr[i] == '"' || body.ptr[i] == ']' ||
           body.ptr[i] == '}' || body.ptr[i] == '\r';
}

/* What may follow a host prefix: the start of a py-spy line. */
static bool pyspy_ish(struct fl_str rest)
{
    if (rest.len == 0 || is_space(rest.ptr[0]) || rest.ptr[0] == '[' || rest.ptr[0] == ']' ||
        rest.ptr[0] == '{' || rest.ptr[0] == '}' || rest.ptr[0] == '\r')
        return true;
    static const char *const lits[] = {
        "Thread ", "Process ", "Python v",          "Parent Process ",
        "Signal ", "Error:",   "Permission Denied", "py-spy"};
    for (size_t i = 0; i < sizeof lits / sizeof *lits; i++)
        if (fl_str_starts_with(rest, lits[i]))
            return true;
    return false;
}

/* "host: rest" as pdsh prints it, or "  3: rest" as srun --label does. */
static bool split_prefix(struct fl_str line, struct fl_str *key, struct fl_str *rest, bool *numeric)
{
    size_t i = 0;
    while (i < line.len && line.ptr[i] == ' ')
        i++;
    size_t ks = i;
    bool digits = true;
    while (i < line.len) {
        char c = line.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' ||
                  c == '-' || c == '_';
        if (!ok)
            break;
        digits = digits && is_digit(c);
        i++;
    }
    if (i == ks || i >= line.len || line.ptr[i] != ':' ||
        (i + 1 < line.len && line.ptr[i + 1] != ' '))
        return false;
    if (ks > 0 && !digits)
        return false; /* only srun's labels are right-aligned */
    size_t r = i + 2 <= line.len ? i + 2 : line.len;
    struct fl_str after = fl_str_make(line.ptr + r, line.len - r);
    if (!pyspy_ish(after))
        return false;
    *key = fl_str_make(line.ptr + ks, i - ks);
    *rest = after;
    *numeric = digits;
    return true;
}

static bool all_dashes(struct fl_str s)
{
    s = rtrim(s);
    if (s.len < 4)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] != '-')
            return false;
    return true;
}

/* The host line of a dshbak section ("node48", "node[48-49],node51"), or of a clush -b one
 * ("node[48-49] (2)": the count is dropped); false when the line is not one. */
static bool host_token(struct fl_str s, struct fl_str *host)
{
    s = rtrim(s);
    if (s.len > 4 && s.ptr[s.len - 1] == ')') {
        size_t i = s.len - 1;
        while (i > 0 && is_digit(s.ptr[i - 1]))
            i--;
        if (i >= 3 && i < s.len - 1 && s.ptr[i - 1] == '(' && s.ptr[i - 2] == ' ')
            s.len = i - 2;
    }
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' ||
              c == '-' || c == '_' || c == ',' || c == '[' || c == ']'))
            return false;
    }
    *host = s;
    return true;
}

/* ---- streams --------------------------------------------------------------------------- */

static void stream_release(struct ps_stream *s)
{
    fl_free(s->t.e);
    fl_free(s->jbuf);
    fl_free(s->jl);
}

static size_t stream_new(struct ps_file *f, struct fl_str key, bool numeric)
{
    if (f->nst >= PS_MAX_STREAMS)
        return SIZE_MAX;
    struct ps_stream *sts = grow(f->st, &f->capst, f->nst + 1, sizeof *f->st, PS_MAX_STREAMS);
    if (!sts) {
        f->rc = FL_ENOMEM;
        return SIZE_MAX;
    }
    f->st = sts;
    struct ps_stream *s = &f->st[f->nst];
    memset(s, 0, sizeof *s);
    s->key = key;
    s->pid = -1;
    s->rank = f->file_rank_applies ? f->file_rank : -1;
    if (key.len && !numeric && !fl_str_eq_cstr(key, "") &&
        fl_memmem(key.ptr, key.ptr + key.len, "[", 1) == NULL &&
        fl_memmem(key.ptr, key.ptr + key.len, ",", 1) == NULL) {
        s->node = fl_ingest_intern(f->ctx, key);
        if (s->node == FL_INTERN_FAIL) {
            f->rc = FL_ENOMEM;
            return SIZE_MAX;
        }
    }
    return f->nst++;
}

static size_t stream_find(struct ps_file *f, struct fl_str key, bool numeric)
{
    if (f->nst * 2 >= f->nslots) {
        size_t ns = f->nslots ? f->nslots * 2 : 64;
        uint32_t *sl = fl_calloc(ns, sizeof *sl);
        if (!sl) {
            f->rc = FL_ENOMEM;
            return SIZE_MAX;
        }
        for (size_t i = 0; i < f->nst; i++) {
            size_t h = fl_hash64(f->st[i].key.ptr, f->st[i].key.len, FL_HASH_SEED) & (ns - 1);
            while (sl[h])
                h = (h + 1) & (ns - 1);
            sl[h] = (uint32_t)i + 1;
        }
        fl_free(f->slots);
        f->slots = sl;
        f->nslots = ns;
    }
    size_t h = fl_hash64(key.ptr, key.len, FL_HASH_SEED) & (f->nslots - 1);
    while (f->slots[h]) {
        size_t i = f->slots[h] - 1;
        if (fl_str_eq(f->st[i].key, key))
            return i;
        h = (h + 1) & (f->nslots - 1);
    }
    size_t i = stream_new(f, key, numeric);
    if (i != SIZE_MAX)
        f->slots[h] = (uint32_t)i + 1;
    return i;
}

/* ---- emitting a thread ----------------------------------------------------------------- */

static char *arena_join(struct ps_file *f, const struct ps_entry *e, size_t n, bool frames,
                        size_t total)
{
    char *out = fl_arena_alloc(f->ctx->arena, total ? total : 1, 1);
    if (!out)
        return NULL;
    size_t k = 0;
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        struct fl_str s = frames ? e[i].text : e[i].line;
        if (frames && !s.ptr)
            continue;
        if (!first)
            out[k++] = '\n';
        first = false;
        if (s.len)
            memcpy(out + k, s.ptr, s.len);
        k += s.len;
    }
    return out;
}

static void emit(struct ps_file *f, struct ps_stream *st, struct fl_event *ev, uint32_t line)
{
    struct fl_ev_pyspy_stack *p = &ev->u.pyspy;
    p->rank = st->rank;
    p->pid = st->pid;
    p->cmdline = st->cmdline;
    p->python = st->python;
    ev->node = st->node;
    ev->src.line = line;
    fl_pyspy_classify(p);
    uint32_t node = ev->node ? ev->node : f->ctx->default_node;
    uint64_t h = fl_event_compute_uid(ev, fl_ingest_str(f->ctx, node));
    unsigned char mix[8 * 4];
    uint64_t vals[4] = {(uint64_t)p->pid, (uint64_t)p->thread_id, (uint64_t)(int64_t)p->rank,
                        f->ordinal};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 8; b++)
            mix[i * 8 + b] = (unsigned char)(vals[i] >> (8 * b));
    ev->uid = fl_hash64(mix, sizeof mix, h);
    if (!ev->uid)
        ev->uid = 1;
    f->ordinal++;
    if (!f->rc)
        f->rc = fl_ingest_emit(f->ctx, ev);
}

static void thread_flush(struct ps_file *f, struct ps_stream *st)
{
    struct ps_thread *t = &st->t;
    if (!t->open || f->rc)
        return;
    t->open = false;
    struct fl_event ev;
    fl_event_init(&ev, FL_EV_PYSPY_STACK);
    struct fl_ev_pyspy_stack *p = &ev.u.pyspy;
    p->thread_id = t->tid;
    p->thread_name = t->name;
    p->active = t->active;
    p->gil = t->gil;
    if (t->nframes) {
        size_t total = t->frame_bytes + t->nframes - 1;
        char *fr = arena_join(f, t->e, t->n, true, total);
        if (!fr) {
            f->rc = FL_ENOMEM;
            return;
        }
        p->frames = fl_str_make(fr, total);
        size_t i = 0;
        while (i < total && fr[i] != '\n')
            i++;
        p->top_frame = fl_str_make(fr, i);
    }
    if (!t->n) {
        ev.raw = FL_STR_NULL;
    } else if (t->contiguous) {
        const struct fl_str *last = &t->e[t->n - 1].line;
        ev.raw = fl_str_make(t->e[0].line.ptr, (size_t)(last->ptr + last->len - t->e[0].line.ptr));
    } else {
        size_t total = t->n - 1;
        for (size_t i = 0; i < t->n; i++)
            total += t->e[i].line.len;
        char *raw = arena_join(f, t->e, t->n, false, total);
        if (!raw) {
            f->rc = FL_ENOMEM;
            return;
        }
        ev.raw = fl_str_make(raw, total);
    }
    emit(f, st, &ev, t->line);
    if (t->dropped) {
        char why[160];
        snprintf(why, sizeof why,
                 "thread has more than %u frames or %u lines: %u outer ones left out",
                 PS_MAX_FRAMES, PS_MAX_ENTRIES, t->dropped);
        note(f, t->line, why);
    }
}

static void thread_add(struct ps_file *f, struct ps_thread *t, struct fl_str full,
                       struct fl_str text, const char *after)
{
    if (text.ptr && t->nframes >= PS_MAX_FRAMES) {
        t->dropped++;
        return;
    }
    struct ps_entry *e = grow(t->e, &t->cap, t->n + 1, sizeof *t->e, PS_MAX_ENTRIES);
    if (!e) {
        if (t->n < PS_MAX_ENTRIES)
            f->rc = FL_ENOMEM;
        t->dropped++;
        t->contiguous = false;
        return;
    }
    t->e = e;
    if (t->n && t->next != full.ptr)
        t->contiguous = false;
    t->e[t->n++] = (struct ps_entry){full, text};
    t->next = after;
    if (text.ptr) {
        t->nframes++;
        t->frame_bytes += text.len;
    }
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void process_header(struct ps_file *f, struct ps_stream *st, int64_t pid, struct fl_str cmd,
                           uint32_t lineno);

static uint32_t json_line_at(const struct ps_stream *st, size_t off)
{
    size_t lo = 0, hi = st->jn;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (st->jl[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    return st->jn ? st->jl[lo].no : st->jline;
}

static bool json_get_str(const struct fl_json *j, int o, const char *key, struct fl_arena *a,
                         struct fl_str *out, bool *oom)
{
    int v = fl_json_get(j, o, key);
    *out = FL_STR_NULL;
    if (v < 0 || !fl_json_is_string(j, v))
        return false;
    return fl_json_str(j, v, a, out, oom);
}

static int64_t json_get_int(const struct fl_json *j, int o, const char *key)
{
    int v = fl_json_get(j, o, key);
    int64_t x;
    if (v < 0 || !fl_json_i64(j, v, false, &x) || x < 0)
        return -1;
    return x;
}

static size_t dec_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static void dec_put(char *out, uint64_t v, size_t n)
{
    for (size_t i = n; i > 0; i--) {
        out[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* One thread object of `py-spy dump --json`. */
static void json_thread(struct ps_file *f, struct ps_stream *st, const struct fl_json *j, int o)
{
    struct fl_arena *a = f->ctx->arena;
    uint32_t line = json_line_at(st, (size_t)j->tok[o].start);
    if (!fl_json_is_object(j, o)) {
        note(f, line, "py-spy JSON: array element is not a thread object");
        return;
    }
    int fr = fl_json_get(j, o, "frames");
    if (fr < 0 || !fl_json_is_array(j, fr)) {
        note(f, line, "py-spy JSON: \"frames\" missing or not an array");
        return;
    }
    bool oom = false;
    struct fl_event ev;
    fl_event_init(&ev, FL_EV_PYSPY_STACK);
    struct fl_ev_pyspy_stack *p = &ev.u.pyspy;
    int64_t os_tid = json_get_int(j, o, "os_thread_id");
    p->thread_id = os_tid >= 0 ? os_tid : json_get_int(j, o, "thread_id");
    json_get_str(j, o, "thread_name", a, &p->thread_name, &oom);
    p->active = true;
    int v = fl_json_get(j, o, "active");
    if (v >= 0)
        fl_json_bool(j, v, &p->active);
    v = fl_json_get(j, o, "owns_gil");
    if (v >= 0)
        fl_json_bool(j, v, &p->gil);
    /* frames: "name (short_filename or filename:line)", innermost first as py-spy lists them */
    int n = j->tok[fr].size;
    size_t want = (size_t)n < PS_MAX_FRAMES ? (size_t)n : PS_MAX_FRAMES;
    struct ps_jframe *jf = grow(f->jf, &f->jfcap, want + 1, sizeof *f->jf, PS_MAX_FRAMES + 1);
    if (!jf) {
        f->rc = FL_ENOMEM;
        return;
    }
    f->jf = jf;
    size_t total = 0, kept = 0;
    int i = fr + 1;
    for (int k = 0; k < n; k++, i = fl_json_skip(j, i)) {
        if (!fl_json_is_object(j, i) || kept >= PS_MAX_FRAMES)
            continue;
        struct fl_str name, file, shortf;
        json_get_str(j, i, "name", a, &name, &oom);
        json_get_str(j, i, "filename", a, &file, &oom);
        json_get_str(j, i, "short_filename", a, &shortf, &oom);
        if (shortf.ptr)
            file = shortf;
        int64_t ln = json_get_int(j, i, "line");
        f->jf[kept].name = name;
        f->jf[kept].file = file;
        f->jf[kept].line = ln;
        total += name.len + 2 + file.len + 1 + (ln > 0 ? 1 + dec_len((uint64_t)ln) : 0);
        kept++;
    }
    if (oom) {
        f->rc = FL_ENOMEM;
        return;
    }
    if (kept) {
        total += kept - 1;
        char *out = fl_arena_alloc(a, total, 1);
        if (!out) {
            f->rc = FL_ENOMEM;
            return;
        }
        size_t w = 0;
        for (size_t k = 0; k < kept; k++) {
            if (k)
                out[w++] = '\n';
            memcpy(out + w, f->jf[k].name.ptr ? f->jf[k].name.ptr : "", f->jf[k].name.len);
            w += f->jf[k].name.len;
            out[w++] = ' ';
            out[w++] = '(';
            if (f->jf[k].file.len)
                memcpy(out + w, f->jf[k].file.ptr, f->jf[k].file.len);
            w += f->jf[k].file.len;
            if (f->jf[k].line > 0) {
                size_t dl = dec_len((uint64_t)f->jf[k].line);
                out[w++] = ':';
                dec_put(out + w, (uint64_t)f->jf[k].line, dl);
                w += dl;
            }
            out[w++] = ')';
            if (k == 0)
                p->top_frame = fl_str_make(out, w);
        }
        p->frames = fl_str_make(out, total);
    }
    /* the process: "process_info" (record/--subprocesses dumps) acts as a "Process" header;
     * later threads of the same pid keep what it said */
    int64_t pid = json_get_int(j, o, "pid");
    int pi = fl_json_get(j, o, "process_info");
    struct fl_str cmd = FL_STR_NULL;
    if (pi >= 0 && fl_json_is_object(j, pi))
        json_get_str(j, pi, "command_line", a, &cmd, &oom);
    if (cmd.len) {
        process_header(f, st, pid, cmd, line);
        if (f->rc)
            return;
    } else if (pid != st->pid) {
        st->pid = pid;
        st->cmdline = st->python = 0;
        st->rank = f->file_rank_applies ? f->file_rank : -1;
    }
    ev.raw = fl_json_raw(j, o);
    f->found++;
    emit(f, st, &ev, line);
    if ((size_t)n > kept && kept >= PS_MAX_FRAMES)
        note(f, line,
             "py-spy JSON: thread has more than 16384 frames; the outer ones are left out");
}

/* Parse the JSON text st->jbuf[0..len) (the whole dump, or what came before a cut). */
static void json_parse(struct ps_file *f, struct ps_stream *st, size_t len, bool close_array)
{
    char *js = fl_arena_alloc(f->ctx->arena, len + 2, 1);
    if (!js) {
        f->rc = FL_ENOMEM;
        return;
    }
    memcpy(js, st->jbuf, len);
    if (close_array)
        js[len++] = ']';
    struct fl_json j;
    size_t pos = 0;
    const char *why = NULL;
    int rc = fl_json_parse(&f->jp, js, len, &j, &pos, &why);
    if (rc == FL_ENOMEM) {
        f->rc = rc;
        return;
    }
    if (rc) {
        char msg[160];
        snprintf(msg, sizeof msg, "invalid py-spy JSON: %s", why ? why : "syntax error");
        note(f, json_line_at(st, pos), msg);
        return;
    }
    if (fl_json_is_array(&j, 0)) {
        int n = j.tok[0].size, i = 1;
        for (int k = 0; k < n && !f->rc; k++, i = fl_json_skip(&j, i))
            json_thread(f, st, &j, i);
    } else if (fl_json_is_object(&j, 0)) {
        json_thread(f, st, &j, 0);
    } else {
        note(f, st->jline, "py-spy JSON: neither a list of threads nor a thread object");
    }
}

static void json_finish(struct ps_file *f, struct ps_stream *st, bool at_eof)
{
    if (!st->json)
        return;
    st->json = false;
    if (!at_eof) {
        json_parse(f, st, st->jlen, false);
    } else if (st->jlast) {
        char why[160];
        snprintf(why, sizeof why,
                 "py-spy JSON dump cut short (the input ends inside it): threads up to line %u "
                 "kept, the cut one left out",
                 json_line_at(st, st->jlast - 1));
        note(f, json_line_at(st, st->jlen ? st->jlen - 1 : 0), why);
        json_parse(f, st, st->jlast, true);
    } else {
        note(f, st->jline, "py-spy JSON dump cut short (input ends before its first thread)");
    }
    st->jlen = st->jn = 0;
}

/* Append one line's content to the JSON being assembled; finishes it when brackets close. */
static void json_line(struct ps_file *f, struct ps_stream *st, struct fl_str content,
                      uint32_t lineno)
{
    if (st->jlen + content.len + 1 > PS_MAX_JSON) {
        note(f, st->jline, "py-spy JSON dump larger than 1 GiB: left out");
        st->json = false;
        st->jlen = st->jn = 0;
        return;
    }
    struct ps_jline *jl = grow(st->jl, &st->jncap, st->jn + 1, sizeof *st->jl, SIZE_MAX / 64);
    if (jl)
        st->jl = jl;
    char *jbuf = jl ? grow(st->jbuf, &st->jcap, st->jlen + content.len + 1, 1, PS_MAX_JSON) : NULL;
    if (!jbuf) {
        f->rc = FL_ENOMEM;
        return;
    }
    st->jbuf = jbuf;
    st->jl[st->jn++] = (struct ps_jline){st->jlen, lineno};
    size_t base = st->jlen;
    memcpy(st->jbuf + base, content.ptr, content.len);
    st->jlen += content.len;
    st->jbuf[st->jlen++] = '\n';
    for (size_t i = 0; i < content.len; i++) {
        char c = content.ptr[i];
        if (st->in_str) {
            if (st->esc)
                st->esc = false;
            else if (c == '\\')
                st->esc = true;
            else if (c == '"')
                st->in_str = false;
            continue;
        }
        if (c == '"') {
            st->in_str = true;
        } else if (c == '[' || c == '{') {
            if (st->depth >= 512) { /* deeper than the validator takes: let it say so */
                st->jlen = base + i + 1;
                json_finish(f, st, false);
                return;
            }
            uint64_t bit = 1ull << (st->depth % 64);
            if (c == '{')
                st->kinds[st->depth / 64] |= bit;
            else
                st->kinds[st->depth / 64] &= ~bit;
            st->depth++;
        } else if (c == ']' || c == '}') {
            bool closes_object =
                st->depth > 0 && (st->kinds[(st->depth - 1) / 64] >> ((st->depth - 1) % 64)) & 1;
            st->depth--;
            if (st->depth == 1 && c == '}' && st->jbuf[0] != '{')
                st->jlast = base + i + 1;
            if (st->depth <= 0 || closes_object != (c == '}')) {
                /* the value is complete, or its brackets do not match: the parser says which */
                st->jlen = base + i + 1;
                json_finish(f, st, false);
                return;
            }
        }
    }
}

static void json_begin(struct ps_file *f, struct ps_stream *st, struct fl_str content,
                       uint32_t lineno)
{
    f->found++;
    st->json = true;
    st->depth = 0;
    st->in_str = st->esc = false;
    st->jline = lineno;
    st->jlast = 0;
    st->jlen = st->jn = 0;
    /* the value starts at its first bracket */
    size_t i = 0;
    while (i < content.len && content.ptr[i] != '[' && content.ptr[i] != '{')
        i++;
    json_line(f, st, fl_str_sub(content, i, content.len), lineno);
}

/* ---- text lines ------------------------------------------------------------------------ */

static void process_header(struct ps_file *f, struct ps_stream *st, int64_t pid, struct fl_str cmd,
                           uint32_t lineno)
{
    f->found++;
    st->pid = pid;
    st->python = 0;
    st->cmdline = 0;
    if (cmd.len) {
        st->cmdline = fl_ingest_intern(f->ctx, cmd);
        if (st->cmdline == FL_INTERN_FAIL) {
            f->rc = FL_ENOMEM;
            return;
        }
    }
    int32_t r = rank_of_cmdline(cmd);
    int32_t fr = f->file_rank_applies ? f->file_rank : -1;
    if (r >= 0 && fr >= 0 && r != fr) {
        char why[160];
        snprintf(why, sizeof why,
                 "rank %d from \"RANK=%d\" in the command line disagrees with rank %d in the "
                 "file name; using %d",
                 (int)r, (int)r, (int)fr, (int)r);
        note(f, lineno, why);
    }
    st->rank = r >= 0 ? r : fr;
}

static void body_line(struct ps_file *f, struct ps_stream *st, struct fl_str full,
                      struct fl_str body, size_t indent, const char *after)
{
    struct ps_thread *t = &st->t;
    if (!t->frame_indent)
        t->frame_indent = indent;
    struct fl_str b = body;
    while (b.len && b.ptr[b.len - 1] == ':')
        b.len--;
    if (indent > t->frame_indent &&
        (fl_str_eq_cstr(b, "Arguments") || fl_str_eq_cstr(b, "Locals"))) {
        t->in_locals = true;
        thread_add(f, t, full, FL_STR_NULL, after);
        return;
    }
    if (t->in_locals && indent > t->frame_indent) {
        thread_add(f, t, full, FL_STR_NULL, after);
        return;
    }
    t->in_locals = false;
    thread_add(f, t, full, body, after);
}

struct ps_line {
    struct fl_str full;    /* the line without its terminator */
    struct fl_str content; /* after the host prefix */
    const char *after;     /* where the next line starts */
    uint32_t no;
    bool cut; /* last line of the input, without a newline */
};

static void text_line(struct ps_file *f, struct ps_stream *st, const struct ps_line *l)
{
    if (st->json) {
        json_line(f, st, l->content, l->no);
        return;
    }
    struct fl_str c = l->content;
    size_t indent = 0;
    while (indent < c.len && is_space(c.ptr[indent]))
        indent++;
    struct fl_str body = rtrim(fl_str_sub(c, indent, c.len));
    if (!body.len)
        return; /* py-spy never puts a blank line inside a thread; blank lines separate nothing */
    struct ps_thread *t = &st->t;
    if (t->open && indent > t->indent) {
        bool local = t->in_locals && t->frame_indent && indent > t->frame_indent;
        if (l->cut && body.ptr[body.len - 1] != ')' && !local) {
            note(f, l->no,
                 "frame line cut short (the input ends inside it): the thread keeps "
                 "the frames before it");
            return;
        }
        body_line(f, st, l->full, body, indent, l->after);
        return;
    }
    struct ps_header h;
    const char *why = NULL;
    int th = parse_thread(body, &h, &why);
    int64_t pid;
    struct fl_str cmd, ver;
    if (th > 0) {
        thread_flush(f, st);
        f->found++;
        t->open = true;
        t->line = l->no;
        t->indent = indent;
        t->frame_indent = 0;
        t->in_locals = false;
        t->contiguous = true;
        t->n = t->nframes = t->frame_bytes = 0;
        t->dropped = 0;
        t->tid = h.tid;
        t->name = h.name;
        st->orphan = false;
        t->active = h.active;
        t->gil = h.gil;
        thread_add(f, t, l->full, FL_STR_NULL, l->after);
    } else if (th < 0) {
        thread_flush(f, st);
        f->found++;
        char msg[160];
        snprintf(msg, sizeof msg, "%s%s", why,
                 l->cut ? " (the input ends inside the thread header)" : "");
        note(f, l->no, msg);
    } else if (parse_process(body, &pid, &cmd)) {
        thread_flush(f, st);
        process_header(f, st, pid, cmd, l->no);
    } else if (parse_python(body, &ver)) {
        thread_flush(f, st);
        st->python = fl_ingest_intern(f->ctx, ver);
        if (st->python == FL_INTERN_FAIL)
            f->rc = FL_ENOMEM;
    } else if (is_other_header(body)) {
        thread_flush(f, st);
    } else if (json_start(body)) {
        thread_flush(f, st);
        json_begin(f, st, body, l->no);
    } else if (t->open && t->in_locals) {
        /* a local's value that spilled over lines (a '\r' in a string, ...) */
        thread_add(f, t, l->full, FL_STR_NULL, l->after);
    } else {
        thread_flush(f, st);
        if (fl_str_starts_with(body, "Error:") || fl_str_starts_with(body, "Permission Denied") ||
            fl_str_starts_with(body, "py-spy: error")) {
            char msg[200];
            f->found++;
            snprintf(msg, sizeof msg, "py-spy reported an error%s%.*s%s: \"%.*s\"",
                     st->key.len ? " (" : "", (int)(st->key.len > 64 ? 64 : st->key.len),
                     st->key.ptr, st->key.len ? ")" : "", (int)(body.len > 120 ? 120 : body.len),
                     body.ptr);
            note(f, l->no, msg);
        } else if (indent > 0 && !st->orphan && frame_split(body).file.ptr) {
            st->orphan = true;
            note(f, l->no, "frame line outside any thread (no \"Thread ...\" header before it)");
        }
        /* anything else (banners, shell prompts, Markdown fences) is not py-spy output */
    }
}

/* A copy of line without ANSI escape sequences (colours when py-spy wrote to a terminal). */
static struct fl_str strip_ansi(struct ps_file *f, struct fl_str s)
{
    char *out = fl_arena_alloc(f->ctx->arena, s.len ? s.len : 1, 1);
    if (!out) {
        f->rc = FL_ENOMEM;
        return s;
    }
    size_t k = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == 0x1b && i + 1 < s.len && s.ptr[i + 1] == '[') {
            i += 2;
            while (i < s.len && (unsigned char)s.ptr[i] >= 0x20 && (unsigned char)s.ptr[i] <= 0x3f)
                i++;
            while (i < s.len && (unsigned char)s.ptr[i] >= 0x20 && (unsigned char)s.ptr[i] <= 0x2f)
                i++;
            continue; /* i is at the final byte, skipped by the loop */
        }
        out[k++] = s.ptr[i];
    }
    return fl_str_make(out, k);
}

/* ---- prescan: may the rank in the file name be applied? --------------------------------- */

static void prescan(struct ps_file *f)
{
    struct fl_scan sc = fl_scan_make(f->buf, f->end);
    struct fl_str line, first_key = FL_STR_NULL;
    bool multi_key = false, any_key = false, any_proc = false, multi_pid = false;
    int64_t first_pid = -1;
    unsigned mainthreads = 0;
    while (fl_scan_line(&sc, &line)) {
        struct fl_str key, rest = line;
        bool numeric;
        bool keyed = split_prefix(line, &key, &rest, &numeric);
        if (!keyed && all_dashes(line)) {
            struct fl_scan peek = sc;
            struct fl_str h, d;
            if (fl_scan_line(&peek, &h) && host_token(h, &key) && fl_scan_line(&peek, &d) &&
                all_dashes(d)) {
                keyed = true;
                sc = peek;
            }
        }
        if (keyed) {
            if (!any_key)
                first_key = key;
            else if (!fl_str_eq(key, first_key))
                multi_key = true;
            any_key = true;
        }
        struct fl_str body = fl_str_trim(rest);
        int64_t pid = -1;
        struct fl_str cmd;
        ptrdiff_t at;
        if (parse_process(body, &pid, &cmd)) {
            any_proc = true;
        } else if ((at = fl_str_find(body, FL_STR_LIT("\"pid\":"))) >= 0 && at <= 2 &&
                   (at == 0 || body.ptr[at - 1] == '{')) {
            /* a JSON thread's "pid" (first key of py-spy's objects), not a local's repr */
            struct fl_scan n = fl_scan_make(body.ptr + at + 6, body.ptr + body.len);
            fl_scan_skip_ws(&n);
            int64_t v;
            if (fl_scan_i64(&n, &v))
                pid = v;
        } else if (fl_str_starts_with(body, "Thread ") &&
                   fl_str_ends_with(body, "\"MainThread\"")) {
            mainthreads++;
        }
        if (pid >= 0) {
            if (first_pid >= 0 && pid != first_pid)
                multi_pid = true;
            first_pid = pid;
        }
    }
    f->file_rank_applies =
        f->file_rank >= 0 && !multi_key && !multi_pid && (any_proc || mainthreads <= 1);
}

/* ---- the parser ------------------------------------------------------------------------ */

static int pyspy_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct ps_file f = {.ctx = ctx, .buf = buf, .end = buf + len, .section = SIZE_MAX};
    f.file_rank = rank_of_path(fl_str_from_cstr(ctx->path));
    fl_json_parser_init(&f.jp, 0);
    prescan(&f);
    struct fl_scan sc = fl_scan_make(buf, buf + len);
    struct fl_str line;
    uint32_t lineno = 0;
    size_t unprefixed = SIZE_MAX;
    while (!f.rc) {
        const char *start = sc.p;
        if (!fl_scan_line(&sc, &line))
            break;
        lineno++;
        struct ps_line l = {.full = line, .after = sc.p, .no = lineno};
        l.cut = sc.p == sc.end && (start == sc.end || sc.end[-1] != '\n');
        if (memchr(line.ptr, '\0', line.len)) {
            note(&f, lineno, "line holds NUL bytes: not py-spy output");
            continue;
        }
        if (memchr(line.ptr, 0x1b, line.len)) {
            l.full = strip_ansi(&f, line);
            l.after = NULL; /* a rebuilt line never continues the previous one in place */
        }
        struct fl_str key, rest;
        bool numeric;
        size_t si;
        if (split_prefix(l.full, &key, &rest, &numeric)) {
            si = stream_find(&f, key, numeric);
            l.content = rest;
        } else {
            /* dshbak: "-----" / host / "-----" starts a host's section */
            if (all_dashes(l.full)) {
                struct fl_scan peek = sc;
                struct fl_str h, d, host;
                if (fl_scan_line(&peek, &h) && host_token(h, &host) && fl_scan_line(&peek, &d) &&
                    all_dashes(d)) {
                    for (size_t i = 0; i < f.nst; i++) {
                        thread_flush(&f, &f.st[i]);
                        if (f.st[i].json)
                            json_finish(&f, &f.st[i], true);
                    }
                    f.section = stream_find(&f, host, false);
                    sc = peek;
                    lineno += 2;
                    continue;
                }
            }
            if (f.section != SIZE_MAX) {
                si = f.section;
            } else {
                if (unprefixed == SIZE_MAX)
                    unprefixed = stream_find(&f, fl_str_make(buf, 0), true);
                si = unprefixed;
            }
            l.content = l.full;
        }
        if (si == SIZE_MAX) {
            if (!f.rc)
                note(&f, lineno, "more than 65536 host prefixes in one file: line left out");
            continue;
        }
        text_line(&f, &f.st[si], &l);
    }
    for (size_t i = 0; i < f.nst && !f.rc; i++) {
        thread_flush(&f, &f.st[i]);
        if (f.st[i].json)
            json_finish(&f, &f.st[i], true);
    }
    if (!f.rc && !f.found && len) {
        struct fl_str all = fl_str_trim(fl_str_make(buf, len));
        if (all.len)
            note(&f, 0, "no py-spy thread, process header or JSON dump found in the input");
    }
    for (size_t i = 0; i < f.nst; i++)
        stream_release(&f.st[i]);
    fl_free(f.st);
    fl_free(f.slots);
    fl_free(f.jf);
    fl_json_parser_release(&f.jp);
    return f.rc;
}

/* ---- sniffing -------------------------------------------------------------------------- */

static int pyspy_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    size_t n = len < PS_SNIFF_BYTES ? len : PS_SNIFF_BYTES;
    /* py-spy prints text: a NUL in the first bytes is a binary file (a pickled Flight
     * Recorder dump, a journal file), not worth reading line by line */
    if (memchr(buf, '\0', n < 512 ? n : 512))
        return 0;
    struct fl_scan sc = fl_scan_make(buf, buf + n);
    struct fl_str line;
    unsigned threads = 0, framed = 0, procs = 0, pythons = 0;
    bool expect_frame = false, owns_gil = false, thread_id = false, frames = false;
    size_t hindent = 0;
    bool json_first = false, first = true;
    char clean[1024];
    while (fl_scan_line(&sc, &line)) {
        if (line.len <= sizeof clean && memchr(line.ptr, 0x1b, line.len)) {
            size_t k = 0;
            for (size_t i = 0; i < line.len; i++) {
                if (line.ptr[i] == 0x1b && i + 1 < line.len && line.ptr[i + 1] == '[') {
                    i += 2;
                    while (i < line.len && (unsigned char)line.ptr[i] >= 0x20 &&
                           (unsigned char)line.ptr[i] <= 0x3f)
                        i++;
                    continue; /* the final byte */
                }
                clean[k++] = line.ptr[i];
            }
            line = fl_str_make(clean, k);
        }
        struct fl_str key, c = line;
        bool numeric;
        split_prefix(line, &key, &c, &numeric);
        size_t indent = 0;
        while (indent < c.len && is_space(c.ptr[indent]))
            indent++;
        struct fl_str body = rtrim(fl_str_sub(c, indent, c.len));
        if (!body.len)
            continue;
        if (first) {
            json_first = body.ptr[0] == '[' || body.ptr[0] == '{';
            first = false;
        }
        owns_gil = owns_gil || fl_str_find(body, FL_STR_LIT("\"owns_gil\"")) >= 0;
        thread_id = thread_id || fl_str_find(body, FL_STR_LIT("\"thread_id\"")) >= 0;
        frames = frames || fl_str_find(body, FL_STR_LIT("\"frames\"")) >= 0;
        struct ps_header h;
        const char *why;
        int64_t pid;
        struct fl_str cmd, ver;
        if (parse_thread(body, &h, &why) > 0) {
            threads++;
            expect_frame = true;
            hindent = indent;
            continue;
        }
        if (expect_frame && indent > hindent) {
            struct ps_frame fr = frame_split(body);
            if (fr.file.ptr)
                framed++;
        } else if (parse_process(body, &pid, &cmd)) {
            procs++;
        } else if (parse_python(body, &ver)) {
            pythons++;
        }
        expect_frame = false;
    }
    if (json_first && owns_gil && thread_id && frames)
        return 90;
    if (threads && framed && (procs || pythons))
        return 95;
    if (threads && framed)
        return 85;
    if (procs && pythons)
        return 80;
    return 0;
}

const struct fl_parser fl_parser_pyspy = {
    .name = "py-spy",
    .summary = "py-spy dump text (--locals, --native, host-prefixed pdsh/srun output) and --json",
    .sniff = pyspy_sniff,
    .parse = pyspy_parse,
};
