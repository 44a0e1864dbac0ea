/* nccl_hang's pairwise matching rules: does one rank's call of a collective agree with
 * another rank's (op, sizes for the op and the pg size, dtypes), as PyTorch's Flight Recorder
 * analyzer (torch/distributed/flight_recorder) defines agreement, with its gaps closed:
 * _all_gather_base and the other single-tensor forms are size-checked, uneven (_v) forms are
 * not, sizes compare whatever the blanks, dtypes as sets. Pure functions over string views;
 * the rules themselves read only facts (fl__nccl_match_facts), so a caller that meets the same
 * texts millions of times can compute them once per text. The interface is
 * src/detect/nccl_hang_match.h. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "detect/nccl_hang_match.h"
#include "faultline/event.h"
#include "faultline/str.h"

enum {
    OPF_SKIP_SIZES = 1u << 0, /* barrier, split, new_window, a coalesced group's closing entry */
    OPF_NO_IN = 1u << 1,      /* inputs legitimately differ between ranks */
    OPF_NO_OUT = 1u << 2,     /* outputs legitimately differ */
    OPF_IN_EQ_OUT = 1u << 3,  /* all_reduce: out has the shape of in */
    OPF_GATHER = 1u << 4,     /* out numel = in numel x pg size */
    OPF_SCATTER = 1u << 5,    /* in numel = out numel x pg size */
    OPF_DT_NO_SELF = 1u << 6, /* in and out dtypes may differ on one rank */
    OPF_DT_NO_IN = 1u << 7,
    OPF_DT_NO_OUT = 1u << 8,
    OPF_ALLTOALL = 1u << 9, /* undecided pairwise; totals over the pg */
    OPF_P2P = 1u << 10,
};

unsigned fl__nccl_op_flags(struct fl_str op)
{
    static const struct {
        const char *name;
        unsigned flags;
    } tab[] = {
        {"all_reduce", OPF_IN_EQ_OUT},
        {"allreduce_coalesced", OPF_IN_EQ_OUT},
        {"all_gather", OPF_GATHER},
        {"_all_gather_base", OPF_GATHER},
        {"all_gather_into_tensor", OPF_GATHER},
        {"all_gather_into_tensor_coalesced", OPF_GATHER},
        {"all_gather_single", OPF_GATHER},
        {"all_gather_v", OPF_NO_IN | OPF_NO_OUT},
        {"reduce_scatter", OPF_SCATTER},
        {"_reduce_scatter_base", OPF_SCATTER},
        {"reduce_scatter_tensor", OPF_SCATTER},
        {"reduce_scatter_tensor_coalesced", OPF_SCATTER},
        {"reduce_scatter_single", OPF_SCATTER},
        {"reduce_scatter_v", OPF_NO_IN | OPF_NO_OUT},
        {"all_to_all", OPF_NO_IN | OPF_NO_OUT | OPF_ALLTOALL},
        {"all_to_all_single", OPF_NO_IN | OPF_NO_OUT | OPF_ALLTOALL},
        {"all_to_all_v_single", OPF_NO_IN | OPF_NO_OUT | OPF_ALLTOALL},
        {"gather", OPF_NO_OUT | OPF_DT_NO_SELF | OPF_DT_NO_OUT},
        {"scatter", OPF_NO_IN | OPF_DT_NO_SELF | OPF_DT_NO_IN},
        {"broadcast", OPF_DT_NO_SELF | OPF_DT_NO_IN},
        {"_broadcast_oop", OPF_DT_NO_SELF | OPF_DT_NO_IN},
        {"barrier", OPF_SKIP_SIZES},
        {"all_reduce_barrier", OPF_SKIP_SIZES},
        {"split", OPF_SKIP_SIZES},
        {"new_window", OPF_SKIP_SIZES},
        {"coalesced", OPF_SKIP_SIZES},
        {"send", OPF_P2P},
        {"recv", OPF_P2P},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (fl_str_eq_cstr(op, tab[i].name))
            return tab[i].flags;
    return 0; /* reduce, _reduce_oop, ALLGATHER_coalesced, ...: sizes compared as they are */
}

static uint64_t mul_sat(uint64_t a, uint64_t b, bool *big)
{
    if (a && b > UINT64_MAX / a) {
        *big = true;
        return UINT64_MAX;
    }
    return a * b;
}

struct fl__nccl_shape fl__nccl_shape_parse(struct fl_str s)
{
    struct fl__nccl_shape sh = {0};
    if (!s.ptr) {
        sh.ok = true; /* absent: nothing to check */
        return sh;
    }
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    fl_scan_skip_ws(&sc);
    if (fl_scan_eof(&sc)) {
        sh.ok = true; /* absent: nothing to check */
        return sh;
    }
    if (!fl_scan_char(&sc, '['))
        return sh;
    fl_scan_skip_ws(&sc);
    if (fl_scan_char(&sc, ']'))
        goto end;
    for (;;) {
        fl_scan_skip_ws(&sc);
        if (!fl_scan_char(&sc, '['))
            return sh;
        uint64_t numel = 1;
        fl_scan_skip_ws(&sc);
        if (!fl_scan_char(&sc, ']')) {
            for (;;) {
                uint64_t d;
                fl_scan_skip_ws(&sc);
                if (!fl_scan_u64(&sc, &d))
                    return sh;
                numel = mul_sat(numel, d, &sh.big);
                sh.ndims++;
                fl_scan_skip_ws(&sc);
                if (fl_scan_char(&sc, ','))
                    continue;
                if (!fl_scan_char(&sc, ']'))
                    return sh;
                break;
            }
        }
        sh.ntensors++;
        if (sh.total > UINT64_MAX - numel)
            sh.big = true;
        else
            sh.total += numel;
        fl_scan_skip_ws(&sc);
        if (fl_scan_char(&sc, ','))
            continue;
        if (!fl_scan_char(&sc, ']'))
            return sh;
        break;
    }
end:
    fl_scan_skip_ws(&sc);
    sh.ok = fl_scan_eof(&sc);
    return sh;
}

/* Same text but for blanks: "[[4,4]]" equals "[[4, 4]]". */
bool fl__nccl_sizes_eq(struct fl_str a, struct fl_str b)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a.len && (a.ptr[i] == ' ' || a.ptr[i] == '\t'))
            i++;
        while (j < b.len && (b.ptr[j] == ' ' || b.ptr[j] == '\t'))
            j++;
        if (i == a.len || j == b.len)
            return i == a.len && j == b.len;
        if (a.ptr[i++] != b.ptr[j++])
            return false;
    }
}

/* Next item of a ", "-joined list (dtypes); false at the end. */
static bool next_item(struct fl_str *rest, struct fl_str *item)
{
    while (rest->len && (rest->ptr[0] == ' ' || rest->ptr[0] == ','))
        *rest = fl_str_make(rest->ptr + 1, rest->len - 1);
    if (!rest->len)
        return false;
    size_t n = 0;
    while (n < rest->len && rest->ptr[n] != ',')
        n++;
    *item = fl_str_trim(fl_str_make(rest->ptr, n));
    *rest = fl_str_make(rest->ptr + n, rest->len - n);
    return true;
}

static bool in_set(struct fl_str set, struct fl_str item)
{
    struct fl_str rest = set, x;
    while (next_item(&rest, &x))
        if (fl_str_eq(x, item))
            return true;
    return false;
}

/* dtypes compared as sets, as PyTorch's analyzer does ("Float, Float" equals "Float"). */
bool fl__nccl_dtypes_eq(struct fl_str a, struct fl_str b)
{
    struct fl_str rest = a, x;
    while (next_item(&rest, &x))
        if (!in_set(b, x))
            return false;
    rest = b;
    while (next_item(&rest, &x))
        if (!in_set(a, x))
            return false;
    return true;
}

bool fl__nccl_has_size(const struct fl__nccl_shape *sh)
{
    return sh->ok && sh->ndims > 0;
}

enum fl__nccl_match fl__nccl_match_facts(const struct fl__nccl_facts *k, int32_t pg_size)
{
    if (!k->same_op)
        return FL__NM_TYPE;
    unsigned f = k->flags;
    if (f & OPF_P2P)
        return k->a_state == k->b_state ? FL__NM_MATCH : FL__NM_STATE_DIFFERS;
    const struct fl__nccl_shape *sh[2][2] = {{k->a_in, k->a_out}, {k->b_in, k->b_out}};
    bool a_in = fl__nccl_has_size(k->a_in), a_out = fl__nccl_has_size(k->a_out);
    bool b_in = fl__nccl_has_size(k->b_in), b_out = fl__nccl_has_size(k->b_out);
    bool sized = !(f & OPF_SKIP_SIZES) && (a_in || a_out || b_in || b_out);
    if (sized) {
        if (!(f & OPF_NO_IN) && !k->in_eq)
            return FL__NM_SIZE;
        if (!(f & OPF_NO_OUT) && !k->out_eq)
            return FL__NM_SIZE;
        if ((f & OPF_IN_EQ_OUT) && !k->a_in_b_out_eq)
            return FL__NM_SIZE;
        if ((f & (OPF_GATHER | OPF_SCATTER)) && pg_size > 0) {
            for (int s = 0; s < 2; s++) {
                const struct fl__nccl_shape *in = sh[s][0], *out = sh[s][1];
                if (!in->ok || !out->ok || in->big || out->big || !in->ndims || !out->ndims)
                    continue;
                bool big = false;
                uint64_t small = f & OPF_GATHER ? in->total : out->total;
                uint64_t large = f & OPF_GATHER ? out->total : in->total;
                if (mul_sat(small, (uint64_t)pg_size, &big) != large && !big)
                    return FL__NM_SIZE;
            }
        }
    }
    /* dtypes, as sets (PyTorch's analyzer rules): a rank's own in and out; in against in,
     * out against out, where both sides have sizes */
    if (!(f & (OPF_DT_NO_SELF | OPF_SKIP_SIZES)) &&
        ((a_in && a_out && !k->a_dt_self_eq) || (b_in && b_out && !k->b_dt_self_eq)))
        return FL__NM_DTYPE;
    if (!(f & (OPF_DT_NO_IN | OPF_SKIP_SIZES)) && a_in && b_in && !k->dt_in_eq)
        return FL__NM_DTYPE;
    if (!(f & (OPF_DT_NO_OUT | OPF_SKIP_SIZES)) && a_out && b_out && !k->dt_out_eq)
        return FL__NM_DTYPE;
    if (k->a_state != k->b_state)
        return FL__NM_STATE_DIFFERS;
    return f & OPF_ALLTOALL ? FL__NM_UNDECIDED : FL__NM_MATCH;
}

enum fl__nccl_match fl__nccl_match_pair(const struct fl__nccl_op *a, const struct fl__nccl_op *b,
                                        int32_t pg_size)
{
    if (!fl_str_eq(a->op, b->op))
        return FL__NM_TYPE;
    struct fl__nccl_shape ai = fl__nccl_shape_parse(a->in_sizes);
    struct fl__nccl_shape ao = fl__nccl_shape_parse(a->out_sizes);
    struct fl__nccl_shape bi = fl__nccl_shape_parse(b->in_sizes);
    struct fl__nccl_shape bo = fl__nccl_shape_parse(b->out_sizes);
    struct fl__nccl_facts k = {
        .same_op = true,
        .flags = fl__nccl_op_flags(a->op),
        .a_state = a->state,
        .b_state = b->state,
        .a_in = &ai,
        .a_out = &ao,
        .b_in = &bi,
        .b_out = &bo,
        .in_eq = fl__nccl_sizes_eq(a->in_sizes, b->in_sizes),
        .out_eq = fl__nccl_sizes_eq(a->out_sizes, b->out_sizes),
        .a_in_b_out_eq = fl__nccl_sizes_eq(a->in_sizes, b->out_sizes),
        .a_dt_self_eq = fl__nccl_dtypes_eq(a->in_dtypes, a->out_dtypes),
        .b_dt_self_eq = fl__nccl_dtypes_eq(b->in_dtypes, b->out_dtypes),
        .dt_in_eq = fl__nccl_dtypes_eq(a->in_dtypes, b->in_dtypes),
        .dt_out_eq = fl__nccl_dtypes_eq(a->out_dtypes, b->out_dtypes),
    };
    return fl__nccl_match_facts(&k, pg_size);
}

/* FNV-1a steps: the keys below need only be equal for equal texts. */
static uint64_t fnv_byte(uint64_t h, unsigned char c)
{
    return (h ^ c) * 0x100000001b3ULL;
}

uint64_t fl__nccl_sizes_key(struct fl_str s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t')
            h = fnv_byte(h, (unsigned char)s.ptr[i]);
    return h;
}

uint64_t fl__nccl_dtypes_key(struct fl_str s)
{
    /* one bit per item: the same for a set written in any order, with repeats */
    uint64_t bits = 0;
    struct fl_str rest = s, x;
    while (next_item(&rest, &x)) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < x.len; i++)
            h = fnv_byte(h, (unsigned char)x.ptr[i]);
        bits |= 1ULL << ((h ^ (h >> 32)) & 63);
    }
    return bits;
}

bool fl__nccl_is_all_to_all(struct fl_str op)
{
    return (fl__nccl_op_flags(op) & OPF_ALLTOALL) != 0;
}

bool fl__nccl_sizes_total(struct fl_str sizes, uint64_t *total)
{
    struct fl__nccl_shape sh = fl__nccl_shape_parse(sizes);
    *total = sh.total;
    return sh.ok && !sh.big && sh.ndims > 0;
}
