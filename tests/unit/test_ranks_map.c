/* The ranks map (src/ingest/ranks_map.c, src/model/ranks.c): sniffing, row errors, and the
 * post-ingest join that gives rank-bearing events their node. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/engine.h"
#include "faultline/ingest.h"
#include "fl_test.h"

static const char pyspy3[] = "Process 40119: /usr/bin/python3 -u /workspace/train.py\n"
                             "Python v3.10.12 (/usr/bin/python3.10)\n"
                             "\n"
                             "Thread 40119 (active+gil): \"MainThread\"\n"
                             "    all_reduce (torch/distributed/distributed_c10d.py:2050)\n"
                             "    train_step (/workspace/train.py:198)\n";

static const struct fl_parser *sniff(const char *text, const char *path)
{
    return fl_parser_sniff(text, strlen(text), fl_str_from_cstr(path));
}

FL_TEST(ranks_map, sniff_header_or_name)
{
    const struct fl_parser *p = sniff("rank,node,gpu\n0,gpu-node-01,0\n", "bundle/where.csv");
    cr_assert(p && strcmp(p->name, "ranks-map") == 0);
    p = sniff("# job 42\r\nGlobal_Rank, Hostname\r\n0, a\r\n", "x.txt");
    cr_assert(p && strcmp(p->name, "ranks-map") == 0, "comment, synonyms, CRLF, spaces");
    p = sniff("0,gpu-node-01,0\n1,gpu-node-01,1\n", "bundle/ranks.csv");
    cr_assert(p && strcmp(p->name, "ranks-map") == 0, "headerless, named for ranks");
    p = sniff("0,gpu-node-01,0\n1,gpu-node-01,1\n", "bundle/inventory.csv");
    cr_assert(!p || strcmp(p->name, "ranks-map") != 0, "headerless and not named: not claimed");
    p = sniff("name,value\nfoo,1\n", "ranks.csv");
    cr_assert(!p || strcmp(p->name, "ranks-map") != 0, "another CSV");
}

static struct fl_engine *run(const char *map)
{
    struct fl_engine *e = fl_engine_new(NULL, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(fl_engine_add_buffer(e, "b/ranks.csv", map, strlen(map), NULL), 0);
    cr_assert_eq(fl_engine_add_buffer(e, "b/pyspy-rank3.txt", pyspy3, strlen(pyspy3), NULL), 0);
    cr_assert_eq(fl_engine_add_buffer(e, "b/pyspy-rank9.txt", pyspy3, strlen(pyspy3), NULL), 0);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    return e;
}

FL_TEST(ranks_map, join_gives_node_and_gpu)
{
    struct fl_engine *e = run("rank,node,gpu\n"
                              "3,gpu-node-07,5\n"
                              "4,gpu-node-07,\n"
                              "3,gpu-node-07,5\n" /* the same again: not a conflict */
                              "3,gpu-node-09,5\n" /* conflict: first kept */
                              "x,gpu-node-01,0\n"
                              "5\n"
                              "6,bad node,1\n"
                              "7,n,2048\n"
                              "8,n,1,extra\n");
    size_t n;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(in[0].path, "b/pyspy-rank3.txt");
    cr_assert_str_eq(in[2].path, "b/ranks.csv");
    cr_assert_str_eq(in[2].format, "ranks-map");
    cr_assert_eq(in[2].records, 3, "3 and 4 mapped, the duplicate line counted once more");
    cr_assert_eq(in[2].skipped, 6);
    size_t ns;
    uint64_t total;
    const struct fl_skip *sk = fl_engine_skips(e, &ns, &total);
    const char *want[][2] = {
        {"5", "already mapped to node gpu-node-07 gpu 5 (b/ranks.csv:2)"},
        {"6", "rank is not a whole number"},
        {"7", "no node"},
        {"8", "not a host name"},
        {"9", "gpu is not a whole number"},
        {"10", "too many columns"},
    };
    for (size_t w = 0; w < 6; w++) {
        bool found = false;
        for (size_t i = 0; i < ns; i++)
            found |= sk[i].input == 2 && sk[i].line == (uint32_t)atoi(want[w][0]) &&
                     strstr(sk[i].reason, want[w][1]) != NULL;
        cr_assert(found, "line %s: %s", want[w][0], want[w][1]);
    }
    const struct fl_window *win = fl_engine_window(e);
    size_t joined = 0, unjoined = 0;
    for (size_t i = 0; i < win->nevents; i++) {
        const struct fl_event *ev = win->events[i];
        cr_assert_eq(ev->kind, FL_EV_PYSPY_STACK);
        if (ev->u.pyspy.rank == 3) {
            cr_assert_str_eq(fl_window_str(win, ev->node), "gpu-node-07");
            cr_assert_eq(ev->gpu.index, 5);
            joined++;
        } else {
            cr_assert_eq(ev->u.pyspy.rank, 9);
            cr_assert_eq(ev->node, 0, "rank 9 is not in the map");
            unjoined++;
        }
    }
    cr_assert(joined && unjoined);
    fl_engine_free(e);
}

/* An event whose node is already known (its bundle directory, --node) keeps it. */
FL_TEST(ranks_map, known_node_is_kept)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.node = "given";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    const char *map = "rank,node\n3,gpu-node-07\n";
    fl_engine_add_buffer(e, "ranks.csv", map, strlen(map), NULL);
    fl_engine_add_buffer(e, "pyspy-rank3.txt", pyspy3, strlen(pyspy3), NULL);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    const struct fl_window *win = fl_engine_window(e);
    cr_assert_gt(win->nevents, 0);
    for (size_t i = 0; i < win->nevents; i++)
        cr_assert_str_eq(fl_window_str(win, win->events[i]->node), "given");
    fl_engine_free(e);
}
