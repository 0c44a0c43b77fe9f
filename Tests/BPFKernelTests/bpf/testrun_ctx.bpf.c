// SPDX-License-Identifier: GPL-2.0
// Programs whose BPF_PROG_TEST_RUN takes a context: a syscall program that rewrites its
// context (copied back to user space) and a raw_tp program that reads its arguments.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct syscall_args {
    __u32 a;
    __u32 b;
    __u64 product;  /* written by the program */
    char tag[8];    /* written by the program */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} testrun_calls SEC(".maps");

SEC("syscall")
int testrun_syscall(struct syscall_args *ctx)
{
    __u32 zero = 0;
    __u64 *calls = bpf_map_lookup_elem(&testrun_calls, &zero);

    if (calls)
        __sync_fetch_and_add(calls, 1);
    ctx->product = (__u64)ctx->a * ctx->b;
    __builtin_memcpy(ctx->tag, "swiftbpf", 8);
    return ctx->a + ctx->b;
}

SEC("raw_tp/sys_enter")
int testrun_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
    /* A weighted sum, so that swapped or shifted arguments give another answer. */
    return ctx->args[0] + 10 * ctx->args[1] + 100 * ctx->args[2];
}

char LICENSE[] SEC("license") = "GPL";
