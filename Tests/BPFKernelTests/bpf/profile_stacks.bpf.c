// SPDX-License-Identifier: GPL-2.0
// Test object of the symbolisation tests: samples one process (targ_tgid) at a frequency on
// every CPU and counts its (user stack, kernel stack) pairs.
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 targ_tgid = 0;

struct stack_key {
    __u32 tgid;
    __s32 user_stack_id;
    __s32 kernel_stack_id;
};

struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __uint(value_size, 127 * sizeof(__u64));
} stack_traces SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct stack_key);
    __type(value, __u64);
} stack_counts SEC(".maps");

SEC("perf_event")
int sample_stacks(struct bpf_perf_event_data *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (tgid != targ_tgid)
        return 0;
    struct stack_key key = {
        .tgid = tgid,
        .user_stack_id = bpf_get_stackid(ctx, &stack_traces, BPF_F_USER_STACK),
        .kernel_stack_id = bpf_get_stackid(ctx, &stack_traces, 0),
    };
    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&stack_counts, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&stack_counts, &key, &one, BPF_NOEXIST);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
