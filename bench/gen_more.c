/* Deterministic generators for bench/cases_more.c: per-rank `py-spy dump` files of a hung
 * Megatron job, a Prometheus `/api/v1/query_range` matrix of DCGM metrics, and `kubectl get
 * pods -A -o json` / `kubectl get nodes -o json` of a 2,000-node GPU cluster. Same rules as
 * gen.c and gen_ingest.c: a fixed-seed splitmix64, integers only, every PRNG draw a statement
 * of its own (argument evaluation order is unspecified).
 *
 * Each generator counts what the faultline reader must make of its output, from the format's
 * rules as the reader applies them (src/ingest/pyspy.c: one pyspy_stack per `Thread` header;
 * src/ingest/prom_api.c: one event per point of a DCGM series whose value is a number;
 * src/ingest/k8s.c: one pod_event per Pod plus one per terminated container state that is not
 * a clean exit (reason Completed, exit code 0), one node_condition per condition of a Node).
 *
 * Shapes: py-spy's src/dump.rs (and tests/unit/data/pyspy/), Prometheus' JSON API (compact,
 * labels sorted by name, series sorted by their labels, times as seconds with the milliseconds
 * trimmed, values as Go's strconv.FormatFloat(v, 'f', -1, 64); tests/unit/data/gpu-metrics/
 * prom-api-query-range.json), kubectl's JSON printer (4-space indent, keys sorted, a `List`
 * with `"metadata": {"resourceVersion": ""}`, no managedFields; tests/unit/data/k8s/).
 */
#include "bench.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/time.h"

/* ---- small writers ------------------------------------------------------------------- */

static void put_hex(struct bench_buf *b, uint64_t v, unsigned digits)
{
    const char *d = "0123456789abcdef";
    char t[16];
    for (unsigned i = 0; i < digits && i < 16; i++)
        t[digits - 1 - i] = d[(v >> (4 * i)) & 15];
    bench_buf_put(b, t, digits);
}

/* %llx: lower-case hex without padding */
static void put_xu(struct bench_buf *b, uint64_t v)
{
    unsigned d = 1;
    while (d < 16 && v >> (4 * d))
        d++;
    put_hex(b, v, d);
}

static uint64_t rb(struct bench_rng *r, uint64_t n)
{
    return bench_rng_below(r, n);
}

static void put_uuid(struct bench_buf *b, struct bench_rng *r)
{
    uint64_t a = bench_rng_next(r);
    uint64_t c = bench_rng_next(r);
    put_hex(b, a >> 32, 8);
    bench_put(b, "-");
    put_hex(b, (a >> 16) & 0xffff, 4);
    bench_put(b, "-");
    put_hex(b, 0x4000 | (a & 0x0fff), 4);
    bench_put(b, "-");
    put_hex(b, 0x8000 | ((c >> 48) & 0x3fff), 4);
    bench_put(b, "-");
    put_hex(b, c & 0xffffffffffffULL, 12);
}

static void put_time(struct bench_buf *b, int64_t sec)
{
    char t[FL_TIME_BUF];
    size_t n = fl_time_format_rfc3339(sec * FL_NS_PER_SEC, t);
    bench_buf_put(b, t, n);
}

/* Kubernetes' random name suffixes ("x2k4p"). */
static void put_suffix(struct bench_buf *b, struct bench_rng *r, size_t n)
{
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
    for (size_t i = 0; i < n; i++) {
        uint64_t k = rb(r, sizeof alnum - 1);
        bench_buf_put(b, &alnum[k], 1);
    }
}

/* 2026-11-25T06:00:00Z: the hang, the query's end, the clusters' "now". */
#define T_NOW 1795586400LL

/* ==== py-spy dumps ======================================================================== */

struct pyframe {
    const char *func, *file;
    unsigned line;
    /* --locals: arguments and locals as py-spy prints them (name: repr), NULL-terminated */
    const char *args[4];
    const char *locals[4];
};

/* Frame tables: one frame a row. */
/* clang-format off */
/* Innermost first, as py-spy prints them. */
static const struct pyframe py_tail[] = {
    {"train_step", "megatron/training/training.py", 745, {"forward_step_func", "data_iterator", "model", "optimizer"}, {"timers", "rerun_state_machine", NULL, NULL}},
    {"train", "megatron/training/training.py", 1243, {"forward_step_func", "model", "optimizer", "opt_param_scheduler"}, {"iteration", "num_floating_point_operations_so_far", NULL, NULL}},
    {"pretrain", "megatron/training/training.py", 335, {"train_valid_test_dataset_provider", "model_provider", "model_type", "forward_step_func"}, {"args", "timers", NULL, NULL}},
    {"<module>", "pretrain_gpt.py", 243, {NULL}, {NULL}},
};

/* Data-parallel gradient all-reduce at the end of the step: most ranks of the hung job. */
static const struct pyframe py_dp_allreduce[] = {
    {"all_reduce", "torch/distributed/distributed_c10d.py", 2501, {"tensor", "op", "group", "async_op"}, {"opts", "work", NULL, NULL}},
    {"wrapper", "torch/distributed/c10d_logger.py", 83, {"args", "kwargs", NULL, NULL}, {"func_return", NULL, NULL, NULL}},
    {"start_grad_sync", "megatron/core/distributed/param_and_grad_buffer.py", 351, {"self", NULL, NULL, NULL}, {"communication_group", "reduce_op", "async_op", NULL}},
    {"finish_grad_sync", "megatron/core/distributed/param_and_grad_buffer.py", 402, {"self", NULL, NULL, NULL}, {NULL}},
    {"finish_grad_sync", "megatron/core/distributed/distributed_data_parallel.py", 441, {"self", NULL, NULL, NULL}, {"bucket_group", NULL, NULL, NULL}},
    {"finalize_model_grads", "megatron/core/distributed/finalize_model_grads.py", 237, {"model", "num_tokens", NULL, NULL}, {"config", "model_chunk", NULL, NULL}},
    {"forward_backward_pipelining_without_interleaving", "megatron/core/pipeline_parallel/schedules.py", 1530, {"forward_step_func", "data_iterator", "model", "num_microbatches"}, {"config", "input_tensors", "output_tensors", "total_num_tokens"}},
};

/* Pipeline p2p: waiting on batch_isend_irecv requests for the previous stage's activations. */
static const struct pyframe py_pp_recv[] = {
    {"_communicate", "megatron/core/pipeline_parallel/p2p_communication.py", 382, {"tensor_send_next", "tensor_send_prev", "recv_prev", "recv_next"}, {"reqs", "tensor_recv_prev", "tensor_recv_next", NULL}},
    {"recv_forward", "megatron/core/pipeline_parallel/p2p_communication.py", 425, {"tensor_shape", "config", NULL, NULL}, {"input_tensor", NULL, NULL, NULL}},
    {"recv_forward", "megatron/core/pipeline_parallel/schedules.py", 1153, {"tensor_shapes", "config", NULL, NULL}, {"input_tensors", NULL, NULL, NULL}},
    {"forward_backward_pipelining_without_interleaving", "megatron/core/pipeline_parallel/schedules.py", 1383, {"forward_step_func", "data_iterator", "model", "num_microbatches"}, {"config", "input_tensors", "output_tensors", "total_num_tokens"}},
};

/* Tensor parallel: the sequence-parallel all-gather in the attention's column-parallel linear,
 * deep in the forward pass. */
static const struct pyframe py_tp_allgather[] = {
    {"_all_gather_base", "torch/distributed/distributed_c10d.py", 3370, {"output_tensor", "input_tensor", "group", "async_op"}, {NULL}},
    {"wrapper", "torch/distributed/c10d_logger.py", 83, {"args", "kwargs", NULL, NULL}, {NULL}},
    {"_gather_along_first_dim", "megatron/core/tensor_parallel/mappings.py", 251, {"input_", "output_split_sizes", NULL, NULL}, {"world_size", "dim_size", "output", NULL}},
    {"forward", "megatron/core/tensor_parallel/mappings.py", 283, {"ctx", "input_", "tensor_parallel_output_grad", NULL}, {NULL}},
    {"apply", "torch/autograd/function.py", 575, {"cls", "args", "kwargs", NULL}, {"bind_default_args", "is_setup_ctx_defined", NULL, NULL}},
    {"gather_from_sequence_parallel_region", "megatron/core/tensor_parallel/mappings.py", 503, {"input_", "tensor_parallel_output_grad", NULL, NULL}, {NULL}},
    {"forward", "megatron/core/tensor_parallel/layers.py", 938, {"self", "input_", "weight", NULL}, {"bias", "input_parallel", NULL, NULL}},
    {"_call_impl", "torch/nn/modules/module.py", 1747, {"self", "args", "kwargs", NULL}, {"forward_call", NULL, NULL, NULL}},
    {"_wrapped_call_impl", "torch/nn/modules/module.py", 1736, {"self", "args", "kwargs", NULL}, {NULL}},
    {"get_query_key_value_tensors", "megatron/core/transformer/attention.py", 685, {"self", "hidden_states", "key_value_states", NULL}, {NULL}},
    {"forward", "megatron/core/transformer/attention.py", 432, {"self", "hidden_states", "attention_mask", "key_value_states"}, {"inference_params", NULL, NULL, NULL}},
    {"_call_impl", "torch/nn/modules/module.py", 1747, {"self", "args", "kwargs", NULL}, {"forward_call", NULL, NULL, NULL}},
    {"_wrapped_call_impl", "torch/nn/modules/module.py", 1736, {"self", "args", "kwargs", NULL}, {NULL}},
    {"forward", "megatron/core/transformer/transformer_layer.py", 390, {"self", "hidden_states", "attention_mask", "context"}, {"residual", "input_layernorm_output", NULL, NULL}},
    {"_call_impl", "torch/nn/modules/module.py", 1747, {"self", "args", "kwargs", NULL}, {"forward_call", NULL, NULL, NULL}},
    {"_wrapped_call_impl", "torch/nn/modules/module.py", 1736, {"self", "args", "kwargs", NULL}, {NULL}},
    {"forward", "megatron/core/transformer/transformer_block.py", 549, {"self", "hidden_states", "attention_mask", "context"}, {"l_no", "layer", NULL, NULL}},
    {"_call_impl", "torch/nn/modules/module.py", 1747, {"self", "args", "kwargs", NULL}, {"forward_call", NULL, NULL, NULL}},
    {"_wrapped_call_impl", "torch/nn/modules/module.py", 1736, {"self", "args", "kwargs", NULL}, {NULL}},
    {"forward", "megatron/core/models/gpt/gpt_model.py", 264, {"self", "input_ids", "position_ids", "attention_mask"}, {"decoder_input", "rotary_pos_emb", NULL, NULL}},
    {"_call_impl", "torch/nn/modules/module.py", 1747, {"self", "args", "kwargs", NULL}, {"forward_call", NULL, NULL, NULL}},
    {"_wrapped_call_impl", "torch/nn/modules/module.py", 1736, {"self", "args", "kwargs", NULL}, {NULL}},
    {"forward", "megatron/core/transformer/module.py", 178, {"self", "inputs", "kwargs", NULL}, {"outputs", NULL, NULL, NULL}},
    {"_call_impl", "torch/nn/modules/module.py", 1747, {"self", "args", "kwargs", NULL}, {"forward_call", NULL, NULL, NULL}},
    {"_wrapped_call_impl", "torch/nn/modules/module.py", 1736, {"self", "args", "kwargs", NULL}, {NULL}},
    {"forward", "megatron/core/distributed/data_parallel_base.py", 22, {"self", "inputs", "kwargs", NULL}, {NULL}},
    {"_call_impl", "torch/nn/modules/module.py", 1747, {"self", "args", "kwargs", NULL}, {"forward_call", NULL, NULL, NULL}},
    {"_wrapped_call_impl", "torch/nn/modules/module.py", 1736, {"self", "args", "kwargs", NULL}, {NULL}},
    {"forward_step", "pretrain_gpt.py", 204, {"data_iterator", "model", NULL, NULL}, {"timers", "tokens", "labels", "loss_mask"}},
    {"forward_step", "megatron/core/pipeline_parallel/schedules.py", 275, {"forward_step_func", "data_iterator", "model", "num_microbatches"}, {"config", "context_manager", NULL, NULL}},
    {"forward_backward_pipelining_without_interleaving", "megatron/core/pipeline_parallel/schedules.py", 1337, {"forward_step_func", "data_iterator", "model", "num_microbatches"}, {"config", "input_tensors", "output_tensors", "total_num_tokens"}},
};

/* The odd rank out: its DataLoader stuck waiting for a worker's batch. */
static const struct pyframe py_dataloader[] = {
    {"wait", "threading.py", 324, {"self", "timeout", NULL, NULL}, {"waiter", "saved_state", "gotit", NULL}},
    {"get", "queue.py", 180, {"self", "block", "timeout", NULL}, {"endtime", "remaining", NULL, NULL}},
    {"_try_get_data", "torch/utils/data/dataloader.py", 1133, {"self", "timeout", NULL, NULL}, {NULL}},
    {"_get_data", "torch/utils/data/dataloader.py", 1294, {"self", NULL, NULL, NULL}, {NULL}},
    {"_next_data", "torch/utils/data/dataloader.py", 1327, {"self", NULL, NULL, NULL}, {"idx", NULL, NULL, NULL}},
    {"__next__", "torch/utils/data/dataloader.py", 701, {"self", NULL, NULL, NULL}, {NULL}},
    {"get_batch_on_this_tp_rank", "megatron/training/utils.py", 312, {"data_iterator", NULL, NULL, NULL}, {"args", "_broadcast", NULL, NULL}},
    {"get_batch", "pretrain_gpt.py", 150, {"data_iterator", NULL, NULL, NULL}, {NULL}},
    {"forward_step", "pretrain_gpt.py", 198, {"data_iterator", "model", NULL, NULL}, {"timers", NULL, NULL, NULL}},
    {"forward_step", "megatron/core/pipeline_parallel/schedules.py", 275, {"forward_step_func", "data_iterator", "model", "num_microbatches"}, {"config", "context_manager", NULL, NULL}},
    {"forward_backward_pipelining_without_interleaving", "megatron/core/pipeline_parallel/schedules.py", 1337, {"forward_step_func", "data_iterator", "model", "num_microbatches"}, {"config", "input_tensors", "output_tensors", "total_num_tokens"}},
};

/* Python threads beside the main one (py-spy shows Python threads only). */
static const struct pyframe py_pin_memory[] = {
    {"select", "selectors.py", 415, {"self", "timeout", NULL, NULL}, {"max_ev", "ready", NULL, NULL}},
    {"wait", "multiprocessing/connection.py", 947, {"object_list", "timeout", NULL, NULL}, {"selector", NULL, NULL, NULL}},
    {"_poll", "multiprocessing/connection.py", 440, {"self", "timeout", NULL, NULL}, {"r", NULL, NULL, NULL}},
    {"poll", "multiprocessing/connection.py", 257, {"self", "timeout", NULL, NULL}, {NULL}},
    {"get", "multiprocessing/queues.py", 113, {"self", "block", "timeout", NULL}, {"deadline", NULL, NULL, NULL}},
    {"do_one_step", "torch/utils/data/_utils/pin_memory.py", 31, {"in_queue", "out_queue", "device_id", "done_event"}, {NULL}},
    {"_pin_memory_loop", "torch/utils/data/_utils/pin_memory.py", 55, {"in_queue", "out_queue", "device_id", "done_event"}, {NULL}},
    {"run", "threading.py", 953, {"self", NULL, NULL, NULL}, {NULL}},
    {"_bootstrap_inner", "threading.py", 1016, {"self", NULL, NULL, NULL}, {NULL}},
    {"_bootstrap", "threading.py", 973, {"self", NULL, NULL, NULL}, {NULL}},
};
static const struct pyframe py_tb_writer[] = {
    {"wait", "threading.py", 324, {"self", "timeout", NULL, NULL}, {"waiter", "saved_state", NULL, NULL}},
    {"get", "queue.py", 180, {"self", "block", "timeout", NULL}, {"endtime", "remaining", NULL, NULL}},
    {"run", "tensorboard/summary/writer/event_file_writer.py", 244, {"self", NULL, NULL, NULL}, {"data", NULL, NULL, NULL}},
    {"_bootstrap_inner", "threading.py", 1016, {"self", NULL, NULL, NULL}, {NULL}},
    {"_bootstrap", "threading.py", 973, {"self", NULL, NULL, NULL}, {NULL}},
};
static const struct pyframe py_wandb[] = {
    {"wait", "threading.py", 324, {"self", "timeout", NULL, NULL}, {"waiter", "saved_state", NULL, NULL}},
    {"wait", "threading.py", 607, {"self", "timeout", NULL, NULL}, {"signaled", NULL, NULL, NULL}},
    {"_loop_check_status", "wandb/sdk/wandb_run.py", 286, {"self", "lock", "set_handle", "timeout"}, {"local_handle", "join_requested", NULL, NULL}},
    {"check_network_status", "wandb/sdk/wandb_run.py", 224, {"self", NULL, NULL, NULL}, {NULL}},
    {"run", "threading.py", 953, {"self", NULL, NULL, NULL}, {NULL}},
    {"_bootstrap_inner", "threading.py", 1016, {"self", NULL, NULL, NULL}, {NULL}},
    {"_bootstrap", "threading.py", 973, {"self", NULL, NULL, NULL}, {NULL}},
};
static const struct pyframe py_pool[] = {
    {"_worker", "concurrent/futures/thread.py", 81, {"executor_reference", "work_queue", "initializer", "initargs"}, {"work_item", NULL, NULL, NULL}},
    {"run", "threading.py", 953, {"self", NULL, NULL, NULL}, {NULL}},
    {"_bootstrap_inner", "threading.py", 1016, {"self", NULL, NULL, NULL}, {NULL}},
    {"_bootstrap", "threading.py", 973, {"self", NULL, NULL, NULL}, {NULL}},
};
/* clang-format on */

/* A repr as py-spy's --locals prints it (src/python_data_access.rs: "<Tensor at 0x...>"). */
static void py_repr(struct bench_buf *b, struct bench_rng *r, const char *name)
{
    uint64_t addr = 0x7f0000000000ULL + (rb(r, 0x10000000) << 4);
    if (!strcmp(name, "self") || !strcmp(name, "model") || !strcmp(name, "optimizer") ||
        !strcmp(name, "config") || !strcmp(name, "layer") || !strcmp(name, "executor_reference")) {
        static const char *const types[] = {"Float16Module", "DistributedDataParallel",
                                            "TransformerConfig", "TransformerLayer", "Thread"};
        size_t k = !strcmp(name, "model")                ? 1
                   : !strcmp(name, "config")             ? 2
                   : !strcmp(name, "layer")              ? 3
                   : !strcmp(name, "executor_reference") ? 4
                                                         : 0;
        bench_put(b, "<");
        bench_put(b, k || strcmp(name, "self") ? types[k] : "object");
        bench_put(b, " at 0x");
        put_hex(b, addr, 12);
        bench_put(b, ">");
    } else if (!strcmp(name, "group") || !strcmp(name, "communication_group")) {
        bench_put(b, "<ProcessGroup at 0x");
        put_hex(b, addr, 12);
        bench_put(b, ">");
    } else if (!strcmp(name, "op") || !strcmp(name, "reduce_op")) {
        bench_put(b, "<RedOpType at 0x");
        put_hex(b, addr, 12);
        bench_put(b, ">");
    } else if (!strcmp(name, "opts") || !strcmp(name, "work") || !strcmp(name, "work_item") ||
               !strcmp(name, "waiter") || !strcmp(name, "selector")) {
        static const char *const t[] = {"AllreduceOptions", "Work", "_WorkItem", "lock",
                                        "EpollSelector"};
        size_t k = !strcmp(name, "opts")        ? 0
                   : !strcmp(name, "work")      ? 1
                   : !strcmp(name, "work_item") ? 2
                   : !strcmp(name, "waiter")    ? 3
                                                : 4;
        bench_put(b, "<");
        bench_put(b, t[k]);
        bench_put(b, " at 0x");
        put_hex(b, addr, 12);
        bench_put(b, ">");
    } else if (!strcmp(name, "async_op") || !strcmp(name, "block") || !strcmp(name, "recv_prev") ||
               !strcmp(name, "recv_next")) {
        bench_put(b, rb(r, 2) ? "True" : "False");
    } else if (!strcmp(name, "timeout") || !strcmp(name, "remaining")) {
        bench_put(b, rb(r, 3) ? "None" : "5.0");
    } else if (!strcmp(name, "num_microbatches") || !strcmp(name, "iteration") ||
               !strcmp(name, "l_no") || !strcmp(name, "world_size") || !strcmp(name, "max_ev")) {
        bench_put_u(b, rb(r, 20000));
    } else if (!strcmp(name, "dim_size") || !strcmp(name, "tensor_shape")) {
        bench_put(b, "[4096, 1, 16384]");
    } else if (!strcmp(name, "args") || !strcmp(name, "initargs")) {
        bench_put(b, "(<Tensor at 0x");
        put_hex(b, addr, 12);
        bench_put(b, ">, <Tensor at 0x");
        put_hex(b, addr + 0x140, 12);
        bench_put(b, ">)");
    } else if (!strcmp(name, "kwargs")) {
        bench_put(b, "{\"group\": <ProcessGroup at 0x");
        put_hex(b, addr, 12);
        bench_put(b, ">}");
    } else if (!strcmp(name, "ready") || !strcmp(name, "reqs")) {
        bench_put(b, "[]");
    } else {
        bench_put(b, "<Tensor at 0x");
        put_hex(b, addr, 12);
        bench_put(b, ">");
    }
}

static void py_frames(struct bench_buf *b, struct bench_rng *r, const struct pyframe *f, size_t n,
                      bool locals)
{
    for (size_t i = 0; i < n; i++) {
        bench_put(b, "    ");
        bench_put(b, f[i].func);
        bench_put(b, " (");
        bench_put(b, f[i].file);
        bench_put(b, ":");
        bench_put_u(b, f[i].line);
        bench_put(b, ")\n");
        if (!locals)
            continue;
        for (int k = 0; k < 2; k++) {
            const char *const *v = k ? f[i].locals : f[i].args;
            if (!v[0])
                continue;
            bench_put(b, k ? "        Locals:\n" : "        Arguments:\n");
            for (int j = 0; j < 4 && v[j]; j++) {
                bench_put(b, "            ");
                bench_put(b, v[j]);
                bench_put(b, ": ");
                py_repr(b, r, v[j]);
                bench_put(b, "\n");
            }
        }
    }
}

#define N(a) (sizeof(a) / sizeof *(a))

size_t bench_gen_pyspy_dump(uint64_t seed, int nranks, int rank, struct bench_buf *out,
                            bool *locals)
{
    struct bench_rng r = {seed ^ ((uint64_t)(unsigned)rank * 0x9e3779b97f4a7c15ULL)};
    struct bench_buf *b = out;
    /* one rank in 8 was dumped with --locals */
    *locals = rb(&r, 8) == 0;
    uint64_t pid = 20000 + (uint64_t)rank % 8 * 131 + rb(&r, 9000);
    bench_put(b, "Process ");
    bench_put_u(b, pid);
    bench_put(b, ": /usr/bin/python -u pretrain_gpt.py --local-rank=");
    bench_put_u(b, (uint64_t)rank % 8);
    bench_put(b, " --tensor-model-parallel-size 8 --pipeline-model-parallel-size 4 "
           "--sequence-parallel --num-layers 96 --hidden-size 16384 --num-attention-heads 128 "
           "--seq-length 4096 --micro-batch-size 1 --global-batch-size ");
    bench_put_u(b, (uint64_t)nranks / 32 * 64);
    bench_put(b, " --bf16 --use-distributed-optimizer --overlap-grad-reduce "
           "--data-path /lustre/datasets/pile/pile_text_document --save /lustre/ckpt/gpt-175b "
           "--tensorboard-dir /lustre/tb/gpt-175b --wandb-project gpt-175b\n");
    bench_put(b, "Python v3.10.12 (/usr/bin/python3.10)\n\n");
    size_t threads = 0;
    /* the main thread: where the hang left this rank (rank 7 of stage 2 is the odd one out) */
    const struct pyframe *mf;
    size_t mn;
    int stage = rank / 8 % 4;
    if (rank == nranks / 2 + 7) {
        mf = py_dataloader;
        mn = N(py_dataloader);
    } else if (stage > 0 && rank % 8 == 0) {
        mf = py_pp_recv;
        mn = N(py_pp_recv);
    } else if (stage > 1) {
        mf = py_tp_allgather;
        mn = N(py_tp_allgather);
    } else {
        mf = py_dp_allreduce;
        mn = N(py_dp_allreduce);
    }
    bool gil = rb(&r, 4) == 0;
    bench_put(b, "Thread ");
    bench_put_u(b, pid);
    bench_put(b, gil ? " (active+gil): \"MainThread\"\n" : " (idle): \"MainThread\"\n");
    py_frames(b, &r, mf, mn, *locals);
    py_frames(b, &r, py_tail, N(py_tail), *locals);
    threads++;
    /* DataLoader pin-memory thread, TensorBoard's writer, wandb's status checker, a pool of
     * 1-3 idle executor threads: py-spy lists threads in the interpreter's order */
    struct {
        const char *name;
        const struct pyframe *f;
        size_t n;
    } aux[] = {
        {"Thread-1 (_pin_memory_loop)", py_pin_memory, N(py_pin_memory)},
        {"Thread-2", py_tb_writer, N(py_tb_writer)},
        {"ChkStopThr", py_wandb, N(py_wandb)},
        {"NetStatThr", py_wandb, N(py_wandb)},
    };
    uint64_t tid = pid + 40 + rb(&r, 20);
    for (size_t i = 0; i < N(aux); i++) {
        tid += 1 + rb(&r, 30);
        bench_put(b, "Thread ");
        bench_put_u(b, tid);
        bench_put(b, " (idle): \"");
        bench_put(b, aux[i].name);
        bench_put(b, "\"\n");
        py_frames(b, &r, aux[i].f, aux[i].n, *locals);
        threads++;
    }
    uint64_t pool = 1 + rb(&r, 3);
    for (uint64_t i = 0; i < pool; i++) {
        tid += 1 + rb(&r, 30);
        bench_put(b, "Thread ");
        bench_put_u(b, tid);
        bench_put(b, " (idle): \"ThreadPoolExecutor-0_");
        bench_put_u(b, i);
        bench_put(b, "\"\n");
        py_frames(b, &r, py_pool, N(py_pool), *locals);
        threads++;
    }
    return threads;
}

/* ==== Prometheus /api/v1/query_range ====================================================== */

/* Sorted by name: Prometheus sorts a matrix by its series' labels, and for one GPU only
 * __name__ differs. */
static const char *const prom_metrics[] = {
    "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
    "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
    "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
    "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_MEMORY_TEMP",
    "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_DEV_ROW_REMAP_FAILURE",
    "DCGM_FI_DEV_SM_CLOCK",
    "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
    "DCGM_FI_DEV_XID_ERRORS",
};

struct pgpu {
    char uuid[48];
    unsigned idx;
};

static int cmp_pgpu(const void *a, const void *b)
{
    return strcmp(((const struct pgpu *)a)->uuid, ((const struct pgpu *)b)->uuid);
}

static const unsigned char prom_bus[8] = {0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb};

/* One value in Go's FormatFloat(v, 'f', -1, 64) for the metric at point k. */
static void prom_value(struct bench_buf *b, struct bench_rng *r, unsigned m, unsigned node,
                       unsigned gpu, uint64_t k, uint64_t npoints)
{
    bool sick = node % 37 == 5 && gpu == 3; /* one GPU in 37 nodes goes bad half way */
    bool late = k >= npoints / 2;
    switch (m) {
    case 0: { /* clocks event reasons: idle at first, power cap now and then, thermal on sick */
        static const unsigned v[] = {0, 0, 0, 0, 0, 4, 4, 1};
        bench_put_u(b, sick && late ? 96 : k < 8 ? 1 : v[rb(r, 8)]);
        break;
    }
    case 2: /* DBE volatile */
        bench_put_u(b, sick && late ? 1 + (k - npoints / 2) / 64 : 0);
        break;
    case 3: /* SBE volatile: a slow counter */
        bench_put_u(b, (node * 8 + gpu) % 11 == 0 ? k / 40 : 0);
        break;
    case 4: { /* GPU temperature */
        uint64_t t = 38 + rb(r, 8) + (k > 8 ? 24 : 0);
        bench_put_u(b, sick && late ? t + 20 : t);
        break;
    }
    case 5: { /* memory temperature */
        uint64_t t = 40 + rb(r, 6) + (k > 8 ? 20 : 0);
        bench_put_u(b, t);
        break;
    }
    case 6: { /* power: watts with three decimals, trailing zeros trimmed as Go does */
        uint64_t mw = (k > 8 ? 520000 : 72000) + rb(r, 180000);
        bench_put_u(b, mw / 1000);
        uint64_t f = mw % 1000;
        if (f) {
            unsigned d = 3;
            while (f % 10 == 0) {
                f /= 10;
                d--;
            }
            bench_put(b, ".");
            bench_put_upad(b, f, d, '0');
        }
        break;
    }
    case 7: /* row remap failure */
        bench_put(b, "0");
        break;
    case 8: { /* SM clock */
        static const unsigned v[] = {1980, 1980, 1980, 1755, 1410};
        bench_put_u(b, k < 8 ? 345 : v[rb(r, 5)]);
        break;
    }
    case 9: /* uncorrectable remapped rows */
        bench_put_u(b, sick && late ? 1 : 0);
        break;
    case 10: /* last XID */
        bench_put_u(b, sick && late ? 48 : 0);
        break;
    default: /* correctable remapped rows */
        bench_put_u(b, (node * 8 + gpu) % 29 == 0 ? 2 : 0);
        break;
    }
}

size_t bench_gen_prom_range(uint64_t seed, unsigned nodes, uint64_t npoints, struct bench_buf *out)
{
    struct bench_rng r = {seed};
    struct bench_buf *b = out;
    size_t events = 0;
    /* start = end - (npoints - 1) * step, the end as a client sends it (time.time(): ms) */
    const int64_t step = 15;
    int64_t end = T_NOW;
    int64_t start = end - (int64_t)(npoints - 1) * step;
    bench_put(b, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
    bool first = true;
    for (unsigned n = 0; n < nodes; n++) {
        struct pgpu g[8];
        struct bench_buf t = {0};
        for (unsigned i = 0; i < 8; i++) {
            t.len = 0;
            bench_put(&t, "GPU-");
            put_uuid(&t, &r);
            snprintf(g[i].uuid, sizeof g[i].uuid, "%.*s", (int)t.len, t.p);
            g[i].idx = i;
        }
        qsort(g, 8, sizeof g[0], cmp_pgpu);
        char exporter[48];
        t.len = 0;
        bench_put(&t, "nvidia-dcgm-exporter-");
        put_suffix(&t, &r, 5);
        snprintf(exporter, sizeof exporter, "%.*s", (int)t.len, t.p);
        bench_buf_release(&t);
        unsigned ip3 = n / 250, ip4 = n % 250 + 2;
        for (unsigned gi = 0; gi < 8; gi++) {
            unsigned gpu = g[gi].idx;
            /* the job's pods each hold a whole node; one node in 16 is idle */
            bool alloc = n % 16 != 9;
            for (unsigned m = 0; m < N(prom_metrics); m++) {
                if (!first)
                    bench_put(b, ",");
                first = false;
                bench_put(b, "{\"metric\":{\"DCGM_FI_DRIVER_VERSION\":\"550.90.07\",\"Hostname\":\"");
                bench_put(b, exporter);
                bench_put(b, "\",\"UUID\":\"");
                bench_put(b, g[gi].uuid);
                bench_put(b, "\",\"__name__\":\"");
                bench_put(b, prom_metrics[m]);
                bench_put(b, "\",\"container\":\"nvidia-dcgm-exporter\",\"device\":\"nvidia");
                bench_put_u(b, gpu);
                bench_put(b, "\",\"endpoint\":\"gpu-metrics\",");
                if (alloc) {
                    bench_put(b, "\"exported_container\":\"pytorch\",\"exported_namespace\":\"team-llm\","
                           "\"exported_pod\":\"pretrain-175b-worker-");
                    bench_put_u(b, n);
                    bench_put(b, "\",");
                }
                bench_put(b, "\"gpu\":\"");
                bench_put_u(b, gpu);
                bench_put(b, "\",\"instance\":\"10.244.");
                bench_put_u(b, ip3);
                bench_put(b, ".");
                bench_put_u(b, ip4);
                bench_put(b, ":9400\",\"job\":\"nvidia-dcgm-exporter\",\"kubernetes_node\":\"gpu-node-");
                bench_put_upad(b, n + 1, 4, '0');
                bench_put(b, "\",\"modelName\":\"NVIDIA H100 80GB HBM3\",\"namespace\":\"gpu-operator\","
                       "\"pci_bus_id\":\"00000000:");
                char bus[4];
                snprintf(bus, sizeof bus, "%02X", prom_bus[gpu]);
                bench_put(b, bus);
                bench_put(b, ":00.0\",\"pod\":\"");
                bench_put(b, exporter);
                bench_put(b, "\",\"service\":\"nvidia-dcgm-exporter\"},\"values\":[");
                /* one node in 50 missed a few scrapes: Prometheus leaves those steps out */
                uint64_t gap_at = n % 50 == 17 ? npoints / 3 : UINT64_MAX;
                bool pfirst = true;
                for (uint64_t k = 0; k < npoints; k++) {
                    if (k >= gap_at && k < gap_at + 6)
                        continue;
                    if (!pfirst)
                        bench_put(b, ",");
                    pfirst = false;
                    bench_put(b, "[");
                    bench_put_u(b, (uint64_t)(start + (int64_t)k * step));
                    bench_put(b, ".781");
                    bench_put(b, ",\"");
                    prom_value(b, &r, m, n, gpu, k, npoints);
                    bench_put(b, "\"]");
                    events++;
                }
                bench_put(b, "]}");
            }
        }
    }
    bench_put(b, "]}}");
    return events;
}

/* ==== kubectl get pods -A -o json / kubectl get nodes -o json ============================= */

/* kubectl's printer: json.MarshalIndent with 4 spaces; {} and [] when empty. */
struct jw {
    struct bench_buf *b;
    int depth;
    bool first[32];
};

static void jw_indent(struct jw *w)
{
    bench_put(w->b, "\n");
    for (int i = 0; i < w->depth; i++)
        bench_put(w->b, "    ");
}

/* separator and key (NULL: an array element) */
static void jw_key(struct jw *w, const char *k)
{
    if (!w->first[w->depth])
        bench_put(w->b, ",");
    w->first[w->depth] = false;
    jw_indent(w);
    if (k) {
        bench_put(w->b, "\"");
        bench_put(w->b, k);
        bench_put(w->b, "\": ");
    }
}

static void jw_open(struct jw *w, const char *k, char c)
{
    jw_key(w, k);
    bench_buf_put(w->b, &c, 1);
    w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
    bool empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        jw_indent(w);
    bench_buf_put(w->b, &c, 1);
}

static void jw_str(struct jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    bench_put(w->b, "\"");
    bench_put(w->b, v);
    bench_put(w->b, "\"");
}

static void jw_raw(struct jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    bench_put(w->b, v);
}

static void jw_u(struct jw *w, const char *k, uint64_t v)
{
    jw_key(w, k);
    bench_put_u(w->b, v);
}

static void jw_time(struct jw *w, const char *k, int64_t t)
{
    jw_key(w, k);
    bench_put(w->b, "\"");
    put_time(w->b, t);
    bench_put(w->b, "\"");
}

static void jw_uuid(struct jw *w, const char *k, struct bench_rng *r)
{
    jw_key(w, k);
    bench_put(w->b, "\"");
    put_uuid(w->b, r);
    bench_put(w->b, "\"");
}

static void jw_list_end(struct jw *w)
{
    jw_close(w, ']');
    jw_str(w, "kind", "List");
    jw_open(w, "metadata", '{');
    jw_str(w, "resourceVersion", "");
    jw_close(w, '}');
    jw_close(w, '}');
    bench_put(w->b, "\n");
}

/* A pod of the cluster: what its status says, and what the reader must make of it. */
struct kp {
    const char *ns, *app, *image, *sa, *qos, *priority_class;
    char name[80];
    char node[24]; /* "" = not scheduled */
    unsigned node_idx;
    uint64_t priority;
    unsigned gpus;    /* nvidia.com/gpu limit, 0 none */
    const char *init; /* init container name (GPU operator's validation), or NULL */
    /* status */
    int state;               /* 0 running, 1 running after restarts (lastState terminated),
                                2 failed (terminated), 3 evicted, 4 pending unschedulable */
    const char *term_reason; /* for 1 and 2 */
    int exit_code;
    unsigned restarts;
    int64_t created;
};

static void k8s_tolerations(struct jw *w, bool gpu)
{
    jw_open(w, "tolerations", '[');
    if (gpu) {
        jw_open(w, NULL, '{');
        jw_str(w, "effect", "NoSchedule");
        jw_str(w, "key", "nvidia.com/gpu");
        jw_str(w, "operator", "Exists");
        jw_close(w, '}');
    }
    static const char *const keys[] = {"node.kubernetes.io/not-ready",
                                       "node.kubernetes.io/unreachable"};
    for (int i = 0; i < 2; i++) {
        jw_open(w, NULL, '{');
        jw_str(w, "effect", "NoExecute");
        jw_str(w, "key", keys[i]);
        jw_str(w, "operator", "Exists");
        jw_u(w, "tolerationSeconds", 300);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void k8s_terminated(struct jw *w, struct bench_rng *r, const char *key, const char *reason,
                           int code, int64_t started, int64_t fin)
{
    jw_open(w, key, '{');
    jw_open(w, "terminated", '{');
    jw_key(w, "containerID");
    bench_put(w->b, "\"containerd://");
    for (int i = 0; i < 4; i++) {
        uint64_t v = bench_rng_next(r);
        put_hex(w->b, v, 16);
    }
    bench_put(w->b, "\"");
    char c[16];
    snprintf(c, sizeof c, "%d", code);
    jw_raw(w, "exitCode", c);
    jw_time(w, "finishedAt", fin);
    jw_str(w, "reason", reason);
    jw_time(w, "startedAt", started);
    jw_close(w, '}');
    jw_close(w, '}');
}

static void k8s_container_status(struct jw *w, struct bench_rng *r, const struct kp *p,
                                 const char *cname, const char *image, bool init, size_t *events)
{
    int64_t start = p->created + 4 + (init ? 0 : 20);
    jw_open(w, NULL, '{');
    jw_key(w, "containerID");
    bench_put(w->b, "\"containerd://");
    for (int i = 0; i < 4; i++) {
        uint64_t v = bench_rng_next(r);
        put_hex(w->b, v, 16);
    }
    bench_put(w->b, "\"");
    jw_str(w, "image", image);
    jw_key(w, "imageID");
    bench_put(w->b, "\"");
    bench_put(w->b, image);
    bench_put(w->b, "@sha256:");
    for (int i = 0; i < 4; i++) {
        uint64_t v = bench_rng_next(r);
        put_hex(w->b, v, 16);
    }
    bench_put(w->b, "\"");
    if (!init && p->state == 1) {
        k8s_terminated(w, r, "lastState", p->term_reason, p->exit_code, start,
                       T_NOW - 3600 - (int64_t)rb(r, 7200));
        (*events)++;
    } else {
        jw_open(w, "lastState", '{');
        jw_close(w, '}');
    }
    jw_str(w, "name", cname);
    bool done = init || p->state >= 2;
    jw_raw(w, "ready", done ? "false" : "true");
    jw_u(w, "restartCount", init ? 0 : p->restarts);
    if (!init)
        jw_raw(w, "started", done ? "false" : "true");
    if (init) {
        /* the GPU operator's validation init container: a clean exit, no event */
        k8s_terminated(w, r, "state", "Completed", 0, start, start + 9);
    } else if (p->state >= 2) {
        k8s_terminated(w, r, "state", p->term_reason, p->exit_code, start,
                       T_NOW - (int64_t)rb(r, 1800));
        (*events)++;
    } else {
        jw_open(w, "state", '{');
        jw_open(w, "running", '{');
        jw_time(w, "startedAt", p->state == 1 ? T_NOW - 3000 : start);
        jw_close(w, '}');
        jw_close(w, '}');
    }
    jw_close(w, '}');
}

static void k8s_pod_cond(struct jw *w, const char *type, const char *status, int64_t t,
                         const char *reason, const char *msg)
{
    jw_open(w, NULL, '{');
    jw_raw(w, "lastProbeTime", "null");
    jw_time(w, "lastTransitionTime", t);
    if (msg)
        jw_str(w, "message", msg);
    if (reason)
        jw_str(w, "reason", reason);
    jw_str(w, "status", status);
    jw_str(w, "type", type);
    jw_close(w, '}');
}

/* One Pod item; returns the events the reader makes of it. */
static size_t k8s_pod(struct jw *w, struct bench_rng *r, const struct kp *p, unsigned nnodes)
{
    size_t events = 1; /* the pod's status */
    bool ds = p->gpus == 0;
    char buf[512];
    jw_open(w, NULL, '{');
    jw_str(w, "apiVersion", "v1");
    jw_str(w, "kind", "Pod");
    jw_open(w, "metadata", '{');
    if (!ds) {
        jw_open(w, "annotations", '{');
        jw_str(w, "kubectl.kubernetes.io/default-container", "pytorch");
        jw_close(w, '}');
    }
    jw_time(w, "creationTimestamp", p->created);
    if (ds) {
        snprintf(buf, sizeof buf, "%s-", p->app);
        jw_str(w, "generateName", buf);
    }
    jw_open(w, "labels", '{');
    if (ds) {
        jw_str(w, "app", p->app);
        jw_str(w, "controller-revision-hash", "6c8f9d7b5d");
        jw_str(w, "pod-template-generation", "1");
    } else {
        jw_str(w, "training.kubeflow.org/job-name", "pretrain-175b");
        jw_str(w, "training.kubeflow.org/operator-name", "pytorchjob-controller");
        jw_str(w, "training.kubeflow.org/replica-index", p->name + 21);
        jw_str(w, "training.kubeflow.org/replica-type", "worker");
    }
    jw_close(w, '}');
    jw_str(w, "name", p->name);
    jw_str(w, "namespace", p->ns);
    jw_open(w, "ownerReferences", '[');
    jw_open(w, NULL, '{');
    jw_str(w, "apiVersion", ds ? "apps/v1" : "kubeflow.org/v1");
    jw_raw(w, "blockOwnerDeletion", "true");
    jw_raw(w, "controller", "true");
    jw_str(w, "kind", ds ? "DaemonSet" : "PyTorchJob");
    jw_str(w, "name", ds ? p->app : "pretrain-175b");
    jw_uuid(w, "uid", r);
    jw_close(w, '}');
    jw_close(w, ']');
    jw_u(w, "resourceVersion", 4000000 + rb(r, 900000));
    jw_uuid(w, "uid", r);
    jw_close(w, '}');

    jw_open(w, "spec", '{');
    if (ds && p->node[0]) {
        jw_open(w, "affinity", '{');
        jw_open(w, "nodeAffinity", '{');
        jw_open(w, "requiredDuringSchedulingIgnoredDuringExecution", '{');
        jw_open(w, "nodeSelectorTerms", '[');
        jw_open(w, NULL, '{');
        jw_open(w, "matchFields", '[');
        jw_open(w, NULL, '{');
        jw_str(w, "key", "metadata.name");
        jw_str(w, "operator", "In");
        jw_open(w, "values", '[');
        jw_str(w, NULL, p->node);
        jw_close(w, ']');
        jw_close(w, '}');
        jw_close(w, ']');
        jw_close(w, '}');
        jw_close(w, ']');
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, '}');
    }
    jw_open(w, "containers", '[');
    jw_open(w, NULL, '{');
    if (!ds) {
        jw_open(w, "command", '[');
        jw_str(w, NULL, "torchrun");
        jw_str(w, NULL, "--nproc-per-node=8");
        jw_str(w, NULL, "pretrain_gpt.py");
        jw_close(w, ']');
    }
    jw_open(w, "env", '[');
    if (ds) {
        jw_open(w, NULL, '{');
        jw_str(w, "name", "NODE_NAME");
        jw_open(w, "valueFrom", '{');
        jw_open(w, "fieldRef", '{');
        jw_str(w, "apiVersion", "v1");
        jw_str(w, "fieldPath", "spec.nodeName");
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, '}');
    } else {
        static const char *const env[][2] = {{"NCCL_DEBUG", "WARN"},
                                             {"NCCL_IB_HCA", "mlx5"},
                                             {"PET_NPROC_PER_NODE", "8"},
                                             {"PET_NNODES", "2000"},
                                             {"PYTHONUNBUFFERED", "1"}};
        for (size_t i = 0; i < N(env); i++) {
            jw_open(w, NULL, '{');
            jw_str(w, "name", env[i][0]);
            jw_str(w, "value", env[i][1]);
            jw_close(w, '}');
        }
    }
    jw_close(w, ']');
    jw_str(w, "image", p->image);
    jw_str(w, "imagePullPolicy", "IfNotPresent");
    jw_str(w, "name", p->app);
    jw_open(w, "resources", '{');
    if (p->gpus) {
        jw_open(w, "limits", '{');
        jw_str(w, "memory", "1600Gi");
        jw_str(w, "nvidia.com/gpu", "8");
        jw_str(w, "rdma/ib", "8");
        jw_close(w, '}');
        jw_open(w, "requests", '{');
        jw_str(w, "cpu", "160");
        jw_str(w, "memory", "1600Gi");
        jw_str(w, "nvidia.com/gpu", "8");
        jw_str(w, "rdma/ib", "8");
        jw_close(w, '}');
    }
    jw_close(w, '}');
    jw_str(w, "terminationMessagePath", "/dev/termination-log");
    jw_str(w, "terminationMessagePolicy", "File");
    jw_open(w, "volumeMounts", '[');
    jw_open(w, NULL, '{');
    jw_str(w, "mountPath", "/var/run/secrets/kubernetes.io/serviceaccount");
    jw_str(w, "name", "kube-api-access-");
    w->b->len -= 1;
    put_suffix(w->b, r, 5);
    bench_put(w->b, "\"");
    jw_raw(w, "readOnly", "true");
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_str(w, "dnsPolicy", "ClusterFirst");
    jw_raw(w, "enableServiceLinks", "true");
    if (p->init) {
        jw_open(w, "initContainers", '[');
        jw_open(w, NULL, '{');
        jw_open(w, "args", '[');
        jw_str(w, NULL,
               "until [ -f /run/nvidia/validations/toolkit-ready ]; do echo waiting for "
               "nvidia container stack to be setup; sleep 5; done");
        jw_close(w, ']');
        jw_open(w, "command", '[');
        jw_str(w, NULL, "sh");
        jw_str(w, NULL, "-c");
        jw_close(w, ']');
        jw_str(w, "image", "nvcr.io/nvidia/cloud-native/gpu-operator-validator:v24.9.0");
        jw_str(w, "imagePullPolicy", "IfNotPresent");
        jw_str(w, "name", p->init);
        jw_open(w, "resources", '{');
        jw_close(w, '}');
        jw_str(w, "terminationMessagePath", "/dev/termination-log");
        jw_str(w, "terminationMessagePolicy", "File");
        jw_close(w, '}');
        jw_close(w, ']');
    }
    if (p->node[0])
        jw_str(w, "nodeName", p->node);
    jw_str(w, "preemptionPolicy", "PreemptLowerPriority");
    jw_u(w, "priority", p->priority);
    if (p->priority_class)
        jw_str(w, "priorityClassName", p->priority_class);
    jw_str(w, "restartPolicy", ds ? "Always" : "OnFailure");
    jw_str(w, "schedulerName", "default-scheduler");
    jw_open(w, "securityContext", '{');
    jw_close(w, '}');
    jw_str(w, "serviceAccount", p->sa);
    jw_str(w, "serviceAccountName", p->sa);
    jw_u(w, "terminationGracePeriodSeconds", 30);
    k8s_tolerations(w, true);
    jw_close(w, '}');

    jw_open(w, "status", '{');
    int64_t sched = p->created + 1;
    if (p->state == 4) {
        jw_open(w, "conditions", '[');
        snprintf(buf, sizeof buf,
                 "0/%u nodes are available: %u Insufficient nvidia.com/gpu, 3 node(s) had "
                 "untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/%u nodes "
                 "are available: 3 Preemption is not helpful for scheduling, %u No preemption "
                 "victims found for incoming pod.",
                 nnodes, nnodes - 3, nnodes, nnodes - 3);
        k8s_pod_cond(w, "PodScheduled", "False", p->created, "Unschedulable", buf);
        jw_close(w, ']');
        jw_str(w, "phase", "Pending");
        jw_str(w, "qosClass", p->qos);
        jw_close(w, '}');
        jw_close(w, '}');
        return events;
    }
    bool failed = p->state >= 2;
    const char *evict_msg = "The node was low on resource: ephemeral-storage. Threshold quantity: "
                            "10Gi, available: 9871224Ki. Container pytorch was using 412Gi, "
                            "request is 0, has larger consumption of ephemeral-storage. ";
    jw_open(w, "conditions", '[');
    if (p->state == 3)
        k8s_pod_cond(w, "DisruptionTarget", "True", T_NOW - 600, "TerminationByKubelet", evict_msg);
    k8s_pod_cond(w, "PodReadyToStartContainers", failed ? "False" : "True",
                 failed ? T_NOW - 590 : sched + 3, NULL, NULL);
    k8s_pod_cond(w, "Initialized", "True", sched + (p->init ? 14 : 2), NULL, NULL);
    int64_t ready_t = failed ? T_NOW - 590 : p->state == 1 ? T_NOW - 2990 : sched + 30;
    k8s_pod_cond(w, "Ready", failed ? "False" : "True", ready_t, failed ? "PodFailed" : NULL, NULL);
    k8s_pod_cond(w, "ContainersReady", failed ? "False" : "True", ready_t,
                 failed ? "PodFailed" : NULL, NULL);
    k8s_pod_cond(w, "PodScheduled", "True", p->created, NULL, NULL);
    jw_close(w, ']');
    jw_open(w, "containerStatuses", '[');
    k8s_container_status(w, r, p, p->app, p->image, false, &events);
    jw_close(w, ']');
    char ip[40];
    snprintf(ip, sizeof ip, "10.0.%u.%u", p->node_idx / 250, p->node_idx % 250 + 2);
    jw_str(w, "hostIP", ip);
    jw_open(w, "hostIPs", '[');
    jw_open(w, NULL, '{');
    jw_str(w, "ip", ip);
    jw_close(w, '}');
    jw_close(w, ']');
    if (p->init) {
        jw_open(w, "initContainerStatuses", '[');
        k8s_container_status(w, r, p, p->init,
                             "nvcr.io/nvidia/cloud-native/gpu-operator-validator:v24.9.0", true,
                             &events);
        jw_close(w, ']');
    }
    if (p->state == 3)
        jw_str(w, "message", evict_msg);
    jw_str(w, "phase", failed ? "Failed" : "Running");
    if (!failed) {
        snprintf(ip, sizeof ip, "10.244.%u.%u", p->node_idx / 250, 10 + (unsigned)rb(r, 200));
        jw_str(w, "podIP", ip);
        jw_open(w, "podIPs", '[');
        jw_open(w, NULL, '{');
        jw_str(w, "ip", ip);
        jw_close(w, '}');
        jw_close(w, ']');
    }
    jw_str(w, "qosClass", p->qos);
    if (p->state == 3)
        jw_str(w, "reason", "Evicted");
    jw_time(w, "startTime", sched);
    jw_close(w, '}');
    jw_close(w, '}');
    return events;
}

struct dsdef {
    const char *ns, *app, *image, *init;
};
/* Namespaces in kubectl's order (the API lists by namespace, then name). */
static const struct dsdef k8s_ds[] = {
    {"gpu-operator", "gpu-feature-discovery", "nvcr.io/nvidia/k8s-device-plugin:v0.17.0",
     "toolkit-validation"},
    {"gpu-operator", "nvidia-container-toolkit-daemonset",
     "nvcr.io/nvidia/k8s/container-toolkit:v1.17.0-ubuntu20.04", "driver-validation"},
    {"gpu-operator", "nvidia-dcgm-exporter",
     "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.8-3.6.0-ubuntu22.04", "toolkit-validation"},
    {"gpu-operator", "nvidia-device-plugin-daemonset", "nvcr.io/nvidia/k8s-device-plugin:v0.17.0",
     "toolkit-validation"},
    {"kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:v1.30.6", NULL},
};

struct sfx {
    char s[8];
    unsigned node;
};

static int cmp_sfx(const void *a, const void *b)
{
    return strcmp(((const struct sfx *)a)->s, ((const struct sfx *)b)->s);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void node_name(char *out, size_t cap, unsigned i)
{
    snprintf(out, cap, "gpu-node-%04u", i + 1);
}

size_t bench_gen_k8s_pods(uint64_t seed, unsigned nnodes, struct bench_buf *out, size_t *npods)
{
    struct bench_rng r = {seed};
    struct jw w = {.b = out, .depth = 1, .first = {false, true}};
    size_t events = 0;
    *npods = 0;
    bench_put(out, "{");
    jw_str(&w, "apiVersion", "v1");
    jw_open(&w, "items", '[');
    struct sfx *order = fl_calloc(nnodes, sizeof *order);
    if (!order)
        bench_die("out of memory");
    for (size_t d = 0; d < N(k8s_ds); d++) {
        for (unsigned i = 0; i < nnodes; i++) {
            struct bench_buf t = {0};
            put_suffix(&t, &r, 5);
            snprintf(order[i].s, sizeof order[i].s, "%.*s", (int)t.len, t.p);
            bench_buf_release(&t);
            order[i].node = i;
        }
        qsort(order, nnodes, sizeof *order, cmp_sfx);
        for (unsigned i = 0; i < nnodes; i++) {
            struct kp p = {.ns = k8s_ds[d].ns,
                           .app = k8s_ds[d].app,
                           .image = k8s_ds[d].image,
                           .init = k8s_ds[d].init,
                           .qos = "BestEffort",
                           .priority_class = "system-node-critical",
                           .priority = 2000001000};
            p.sa = p.app;
            snprintf(p.name, sizeof p.name, "%s-%s", p.app, order[i].s);
            p.node_idx = order[i].node;
            node_name(p.node, sizeof p.node, p.node_idx);
            p.created = T_NOW - 86400 * 30 + (int64_t)rb(&r, 3600);
            /* dcgm-exporter restarts now and then (its liveness probe during a driver hang) */
            if (d == 2 && rb(&r, 40) == 0) {
                p.state = 1;
                p.term_reason = "Error";
                p.exit_code = 1;
                p.restarts = 1 + (unsigned)rb(&r, 4);
            }
            events += k8s_pod(&w, &r, &p, nnodes);
            (*npods)++;
        }
    }
    fl_free(order);
    /* the training job: one 8-GPU worker per node, names in the API's (string) order, then
     * a few replacement workers the scheduler cannot place */
    unsigned nworkers = nnodes + 24;
    char **names = fl_calloc(nworkers, sizeof *names);
    if (!names)
        bench_die("out of memory");
    for (unsigned i = 0; i < nworkers; i++) {
        names[i] = fl_malloc(32);
        if (!names[i])
            bench_die("out of memory");
        snprintf(names[i], 32, "pretrain-175b-worker-%u", i);
    }
    qsort(names, nworkers, sizeof *names, cmp_name); /* "worker-10" before "worker-2" */
    for (unsigned k = 0; k < nworkers; k++) {
        unsigned i = (unsigned)strtoul(names[k] + 21, NULL, 10);
        struct kp p = {.ns = "team-llm",
                       .app = "pytorch",
                       .image = "nvcr.io/nvidia/pytorch:24.10-py3",
                       .sa = "default",
                       .qos = "Burstable",
                       .gpus = 8};
        snprintf(p.name, sizeof p.name, "%s", names[k]);
        p.created = T_NOW - 86400 * 2 + (int64_t)(i % 60);
        if (i >= nnodes) {
            p.state = 4;
            p.created = T_NOW - 500;
        } else {
            p.node_idx = i;
            node_name(p.node, sizeof p.node, i);
            uint64_t fate = rb(&r, 1000);
            if (fate < 4) {
                p.state = 2; /* the container was OOM-killed, the pod failed */
                p.term_reason = "OOMKilled";
                p.exit_code = 137;
            } else if (fate < 8) {
                p.state = 3; /* evicted: the kubelet killed the container */
                p.term_reason = "ContainerStatusUnknown";
                p.exit_code = 137;
            } else if (fate < 30) {
                p.state = 1; /* restarted after an NCCL error */
                p.term_reason = "Error";
                p.exit_code = 1;
                p.restarts = 1 + (unsigned)rb(&r, 3);
            }
        }
        events += k8s_pod(&w, &r, &p, nnodes);
        (*npods)++;
        fl_free(names[k]);
    }
    fl_free(names);
    jw_list_end(&w);
    return events;
}

static void k8s_node_cond(struct jw *w, const char *type, const char *status, int64_t hb,
                          int64_t tr, const char *reason, const char *msg)
{
    jw_open(w, NULL, '{');
    jw_time(w, "lastHeartbeatTime", hb);
    jw_time(w, "lastTransitionTime", tr);
    jw_str(w, "message", msg);
    jw_str(w, "reason", reason);
    jw_str(w, "status", status);
    jw_str(w, "type", type);
    jw_close(w, '}');
}

static void k8s_resources(struct jw *w, const char *key, bool alloc, unsigned gpus)
{
    jw_open(w, key, '{');
    jw_str(w, "cpu", alloc ? "190" : "192");
    jw_str(w, "ephemeral-storage", alloc ? "28337014700187" : "30747451124Ki");
    jw_str(w, "hugepages-1Gi", "0");
    jw_str(w, "hugepages-2Mi", "0");
    jw_str(w, "memory", alloc ? "2043417Mi" : "2113623288Ki");
    char g[8];
    snprintf(g, sizeof g, "%u", gpus);
    jw_str(w, "nvidia.com/gpu", g);
    jw_str(w, "pods", "110");
    jw_str(w, "rdma/ib", "8");
    jw_close(w, '}');
}

size_t bench_gen_k8s_nodes(uint64_t seed, unsigned nnodes, struct bench_buf *out)
{
    struct bench_rng r = {seed};
    struct jw w = {.b = out, .depth = 1, .first = {false, true}};
    size_t events = 0;
    static const char *const images[][3] = {
        {"nvcr.io/nvidia/pytorch@sha256:", "nvcr.io/nvidia/pytorch:24.10-py3", "21938570122"},
        {"nvcr.io/nvidia/k8s/dcgm-exporter@sha256:",
         "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.8-3.6.0-ubuntu22.04", "353186927"},
        {"nvcr.io/nvidia/k8s/container-toolkit@sha256:",
         "nvcr.io/nvidia/k8s/container-toolkit:v1.17.0-ubuntu20.04", "137207522"},
        {"nvcr.io/nvidia/cloud-native/gpu-operator-validator@sha256:",
         "nvcr.io/nvidia/cloud-native/gpu-operator-validator:v24.9.0", "130418296"},
        {"nvcr.io/nvidia/k8s-device-plugin@sha256:", "nvcr.io/nvidia/k8s-device-plugin:v0.17.0",
         "120317112"},
        {"registry.k8s.io/kube-proxy@sha256:", "registry.k8s.io/kube-proxy:v1.30.6", "29056489"},
        {"docker.io/calico/node@sha256:", "docker.io/calico/node:v3.28.2", "138226427"},
        {"registry.k8s.io/node-problem-detector/node-problem-detector@sha256:",
         "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.20", "56322138"},
        {"registry.k8s.io/pause@sha256:", "registry.k8s.io/pause:3.9", "321520"},
    };
    bench_put(out, "{");
    jw_str(&w, "apiVersion", "v1");
    jw_open(&w, "items", '[');
    for (unsigned i = 0; i < nnodes; i++) {
        char name[24], ip[24], buf[96];
        node_name(name, sizeof name, i);
        snprintf(ip, sizeof ip, "10.0.%u.%u", i / 250, i % 250 + 2);
        bool notready = i % 400 == 123; /* the kubelet stopped posting status */
        bool sickgpu = i % 37 == 5;     /* a GPU fell off the bus: 7 allocatable */
        bool npd = i % 50 != 49;        /* node-problem-detector runs on most nodes */
        int64_t created = T_NOW - 86400 * 60 + (int64_t)i * 17;
        int64_t hb = notready ? T_NOW - 900 : T_NOW - (int64_t)rb(&r, 40);
        jw_open(&w, NULL, '{');
        jw_str(&w, "apiVersion", "v1");
        jw_str(&w, "kind", "Node");
        jw_open(&w, "metadata", '{');
        jw_open(&w, "annotations", '{');
        jw_str(&w, "csi.volume.kubernetes.io/nodeid", "{\\\"csi.tigera.io\\\":\\\"");
        w.b->len -= 1;
        bench_put(w.b, name);
        bench_put(w.b, "\\\"}\"");
        jw_str(&w, "kubeadm.alpha.kubernetes.io/cri-socket",
               "unix:///var/run/containerd/containerd.sock");
        jw_str(&w, "nfd.node.kubernetes.io/feature-labels",
               "cpu-cpuid.AVX512F,cpu-hardware_multithreading,kernel-version.full,"
               "nvidia.com/cuda.driver.major,nvidia.com/gpu.product,pci-10de.present");
        jw_str(&w, "node.alpha.kubernetes.io/ttl", "0");
        snprintf(buf, sizeof buf, "%s/16", ip);
        jw_str(&w, "projectcalico.org/IPv4Address", buf);
        jw_str(&w, "volumes.kubernetes.io/controller-managed-attach-detach", "true");
        jw_close(&w, '}');
        jw_time(&w, "creationTimestamp", created);
        jw_open(&w, "labels", '{');
        jw_str(&w, "beta.kubernetes.io/arch", "amd64");
        jw_str(&w, "beta.kubernetes.io/os", "linux");
        jw_str(&w, "feature.node.kubernetes.io/pci-10de.present", "true");
        jw_str(&w, "kubernetes.io/arch", "amd64");
        jw_str(&w, "kubernetes.io/hostname", name);
        jw_str(&w, "kubernetes.io/os", "linux");
        jw_str(&w, "nvidia.com/cuda.driver.major", "550");
        jw_str(&w, "nvidia.com/cuda.driver.minor", "90");
        jw_str(&w, "nvidia.com/cuda.driver.rev", "07");
        jw_str(&w, "nvidia.com/gpu.count", "8");
        jw_str(&w, "nvidia.com/gpu.deploy.dcgm-exporter", "true");
        jw_str(&w, "nvidia.com/gpu.deploy.device-plugin", "true");
        jw_str(&w, "nvidia.com/gpu.family", "hopper");
        jw_str(&w, "nvidia.com/gpu.memory", "81559");
        jw_str(&w, "nvidia.com/gpu.present", "true");
        jw_str(&w, "nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
        jw_str(&w, "nvidia.com/mig.capable", "true");
        snprintf(buf, sizeof buf, "rack-%02u", i / 32);
        jw_str(&w, "topology.kubernetes.io/zone", buf);
        jw_close(&w, '}');
        jw_str(&w, "name", name);
        jw_u(&w, "resourceVersion", 4900000 + rb(&r, 90000));
        jw_uuid(&w, "uid", &r);
        jw_close(&w, '}');
        jw_open(&w, "spec", '{');
        snprintf(buf, sizeof buf, "10.244.%u.0/24", i);
        jw_str(&w, "podCIDR", buf);
        jw_open(&w, "podCIDRs", '[');
        jw_str(&w, NULL, buf);
        jw_close(&w, ']');
        if (notready) {
            jw_open(&w, "taints", '[');
            static const char *const eff[] = {"NoSchedule", "NoExecute"};
            for (int k = 0; k < 2; k++) {
                jw_open(&w, NULL, '{');
                jw_str(&w, "effect", eff[k]);
                jw_str(&w, "key", "node.kubernetes.io/unreachable");
                if (k)
                    jw_time(&w, "timeAdded", T_NOW - 860);
                jw_close(&w, '}');
            }
            jw_close(&w, ']');
        }
        jw_close(&w, '}');
        jw_open(&w, "status", '{');
        jw_open(&w, "addresses", '[');
        jw_open(&w, NULL, '{');
        jw_str(&w, "address", ip);
        jw_str(&w, "type", "InternalIP");
        jw_close(&w, '}');
        jw_open(&w, NULL, '{');
        jw_str(&w, "address", name);
        jw_str(&w, "type", "Hostname");
        jw_close(&w, '}');
        jw_close(&w, ']');
        k8s_resources(&w, "allocatable", true, sickgpu ? 7 : 8);
        k8s_resources(&w, "capacity", false, 8);
        jw_open(&w, "conditions", '[');
        int64_t boot = created + 600;
        if (npd) {
            k8s_node_cond(&w, "KernelDeadlock", "False", hb, boot, "KernelHasNoDeadlock",
                          "kernel has no deadlock");
            k8s_node_cond(&w, "ReadonlyFilesystem", "False", hb, boot, "FilesystemIsNotReadOnly",
                          "Filesystem is not read-only");
            events += 2;
        }
        k8s_node_cond(&w, "NetworkUnavailable", "False", boot + 20, boot + 20, "CalicoIsUp",
                      "Calico is running on this node");
        const char *st = notready ? "Unknown" : "False";
        const char *unk = "Kubelet stopped posting node status.";
        k8s_node_cond(&w, "MemoryPressure", st, hb, notready ? T_NOW - 860 : boot,
                      notready ? "NodeStatusUnknown" : "KubeletHasSufficientMemory",
                      notready ? unk : "kubelet has sufficient memory available");
        k8s_node_cond(&w, "DiskPressure", st, hb, notready ? T_NOW - 860 : boot,
                      notready ? "NodeStatusUnknown" : "KubeletHasNoDiskPressure",
                      notready ? unk : "kubelet has no disk pressure");
        k8s_node_cond(&w, "PIDPressure", st, hb, notready ? T_NOW - 860 : boot,
                      notready ? "NodeStatusUnknown" : "KubeletHasSufficientPID",
                      notready ? unk : "kubelet has sufficient PID available");
        k8s_node_cond(&w, "Ready", notready ? "Unknown" : "True", hb,
                      notready ? T_NOW - 860 : boot + 30,
                      notready ? "NodeStatusUnknown" : "KubeletReady",
                      notready ? unk : "kubelet is posting ready status");
        events += 5;
        jw_close(&w, ']');
        jw_open(&w, "daemonEndpoints", '{');
        jw_open(&w, "kubeletEndpoint", '{');
        jw_u(&w, "Port", 10250);
        jw_close(&w, '}');
        jw_close(&w, '}');
        jw_open(&w, "images", '[');
        for (size_t k = 0; k < N(images); k++) {
            jw_open(&w, NULL, '{');
            jw_open(&w, "names", '[');
            jw_key(&w, NULL);
            bench_put(w.b, "\"");
            bench_put(w.b, images[k][0]);
            uint64_t h = 0x6d6167650000ULL + k; /* the same digest on every node */
            struct bench_rng hr = {h};
            for (int q = 0; q < 4; q++) {
                uint64_t v = bench_rng_next(&hr);
                put_hex(w.b, v, 16);
            }
            bench_put(w.b, "\"");
            jw_str(&w, NULL, images[k][1]);
            jw_close(&w, ']');
            jw_raw(&w, "sizeBytes", images[k][2]);
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_open(&w, "nodeInfo", '{');
        jw_str(&w, "architecture", "amd64");
        jw_str(&w, "bootID", "");
        w.b->len -= 1;
        put_uuid(w.b, &r);
        bench_put(w.b, "\"");
        jw_str(&w, "containerRuntimeVersion", "containerd://1.7.22");
        jw_str(&w, "kernelVersion", "5.15.0-122-generic");
        jw_str(&w, "kubeProxyVersion", "v1.30.6");
        jw_str(&w, "kubeletVersion", "v1.30.6");
        jw_str(&w, "machineID", "");
        w.b->len -= 1;
        uint64_t m1 = bench_rng_next(&r);
        uint64_t m2 = bench_rng_next(&r);
        put_hex(w.b, m1, 16);
        put_hex(w.b, m2, 16);
        bench_put(w.b, "\"");
        jw_str(&w, "operatingSystem", "linux");
        jw_str(&w, "osImage", "Ubuntu 22.04.5 LTS");
        jw_str(&w, "systemUUID", "");
        w.b->len -= 1;
        put_uuid(w.b, &r);
        bench_put(w.b, "\"");
        jw_close(&w, '}');
        jw_close(&w, '}');
        jw_close(&w, '}');
    }
    jw_list_end(&w);
    return events;
}

/* ==== journalctl -o export ================================================================ */

/* The kernel lines of a dmesg ("[ 8123.456789] msg", bench_gen_kernel_log) as `journalctl -o
 * export` writes the same records of a node's journal: the cursor, realtime and monotonic
 * receive stamps (journald reads /dev/kmsg a few microseconds after the kernel stamps it),
 * the boot and machine ids, then the entry's fields as journald stores kernel records
 * (tests/unit/data/kernel/journal-kernel.export); each entry ends with a blank line. A
 * message with a byte outside printable UTF-8 (control characters) is written in the binary
 * form (name, newline, little-endian 64-bit size, bytes, newline). Returns the entries. */
size_t bench_gen_journal_export(uint64_t seed, const struct bench_buf *dmesg, struct bench_buf *out)
{
    struct bench_rng r = {seed};
    struct bench_buf *b = out;
    const int64_t boot_us = (T_NOW - 86400 * 3) * 1000000LL;
    char seqid[40], bootid[40], machine[40];
    struct bench_buf t = {0};
    for (int k = 0; k < 3; k++) {
        t.len = 0;
        uint64_t v1 = bench_rng_next(&r);
        uint64_t v2 = bench_rng_next(&r);
        put_hex(&t, v1, 16);
        put_hex(&t, v2, 16);
        snprintf(k == 0 ? seqid : k == 1 ? bootid : machine, 40, "%.*s", (int)t.len, t.p);
    }
    bench_buf_release(&t);
    size_t n = 0;
    uint64_t seq = 1 + rb(&r, 100000);
    const char *p = dmesg->p, *end = dmesg->p + dmesg->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        /* "[ 8123.456789] msg" */
        const char *q = p + 1;
        while (q < le && *q == ' ')
            q++;
        uint64_t sec = 0, usec = 0;
        while (q < le && *q >= '0' && *q <= '9')
            sec = sec * 10 + (uint64_t)(*q++ - '0');
        if (q < le && *q == '.')
            q++;
        while (q < le && *q >= '0' && *q <= '9')
            usec = usec * 10 + (uint64_t)(*q++ - '0');
        if (*p != '[' || q + 2 > le || q[0] != ']' || q[1] != ' ')
            bench_die("journal export: not a dmesg line: %.*s", (int)(le - p), p);
        const char *msg = q + 2;
        size_t mlen = (size_t)(le - msg);
        uint64_t src = sec * 1000000 + usec;
        uint64_t mono = src + 3 + rb(&r, 40);
        uint64_t real = (uint64_t)boot_us + mono;
        uint64_t xor = bench_rng_next(&r);
        /* sd_journal_get_cursor(): "s=%s;i=%llx;b=%s;m=%llx;t=%llx;x=%llx" */
        bench_put(b, "__CURSOR=s=");
        bench_put(b, seqid);
        bench_put(b, ";i=");
        put_xu(b, seq);
        bench_put(b, ";b=");
        bench_put(b, bootid);
        bench_put(b, ";m=");
        put_xu(b, mono);
        bench_put(b, ";t=");
        put_xu(b, real);
        bench_put(b, ";x=");
        put_xu(b, xor);
        bench_put(b, "\n__REALTIME_TIMESTAMP=");
        bench_put_u(b, real);
        bench_put(b, "\n__MONOTONIC_TIMESTAMP=");
        bench_put_u(b, mono);
        bench_put(b, "\n_BOOT_ID=");
        bench_put(b, bootid);
        bench_put(b, "\n_MACHINE_ID=");
        bench_put(b, machine);
        bench_put(b, "\n_HOSTNAME=gpu-node-12\nPRIORITY=");
        bool nv = mlen > 5 && memcmp(msg, "NVRM:", 5) == 0;
        bench_put(b, nv ? "4" : "6");
        bench_put(b, "\nSYSLOG_FACILITY=0\nSYSLOG_IDENTIFIER=kernel\n_TRANSPORT=kernel\n");
        bool printable = true;
        for (size_t i = 0; i < mlen && printable; i++)
            printable = (unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f;
        if (printable) {
            bench_put(b, "MESSAGE=");
            bench_buf_put(b, msg, mlen);
        } else {
            bench_put(b, "MESSAGE\n");
            unsigned char sz[8];
            for (int i = 0; i < 8; i++)
                sz[i] = (unsigned char)((uint64_t)mlen >> (8 * i));
            bench_buf_put(b, (const char *)sz, 8);
            bench_buf_put(b, msg, mlen);
        }
        bench_put(b, "\n_SOURCE_MONOTONIC_TIMESTAMP=");
        bench_put_u(b, src);
        bench_put(b, "\n\n");
        seq++;
        n++;
        p = nl ? nl + 1 : end;
    }
    return n;
}
