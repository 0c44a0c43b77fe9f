// SPDX-License-Identifier: GPL-2.0
// profile: a CPU profiler (BCC's profile, bpftrace's `profile:hz:N { @[ustack, kstack] = count(); }`).
// A perf_event program runs on every CPU at a fixed frequency (software cpu-clock) and counts
// (process, command, kernel stack, user stack) in a hash map; user space reads the counts and
// the stacks at the end and symbolises them.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"

#define PROFILE_MAX_DEPTH 127 // PERF_MAX_STACK_DEPTH
#define PROFILE_USER_STACK (1ULL << 8) // BPF_F_USER_STACK (not in vmlinux.h)

const volatile __u8 user_stacks = 1;   // collect user stacks (off with -K)
const volatile __u8 kernel_stacks = 1; // collect kernel stacks (off with -U)
const volatile __u8 include_idle = 0;  // count the idle task (pid 0)
const volatile __u8 per_thread = 0;    // key by thread id too (else pid is 0 in the key)
const volatile __u8 per_cgroup = 0;    // key by cgroup v2 id too (else cgroup_id is 0)

// One sampled context; a stack id is -1 when not collected, else bpf_get_stackid's result
// (a negative value is its -errno, e.g. -EFAULT for a kernel thread's missing user stack).
struct profile_key {
    __u32 tgid;
    __u32 pid; // thread id with per_thread, else 0
    __s32 user_stack_id;
    __s32 kernel_stack_id;
    char comm[TOOL_COMM_LEN];
    __u64 cgroup_id; // bpf_get_current_cgroup_id() with per_cgroup, else 0
};

struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(max_entries, 16384); // resized by --stack-storage-size
    __type(key, __u32);
    __uint(value_size, PROFILE_MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, struct profile_key);
    __type(value, __u64);
} counts SEC(".maps");

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32;
    if (!include_idle && tgid == 0)
        return 0;
    if (!tool_filter_pass())
        return 0;

    struct profile_key key = {};
    key.tgid = tgid;
    key.pid = per_thread ? (__u32)id : 0;
    bpf_get_current_comm(key.comm, sizeof(key.comm));
    key.cgroup_id = per_cgroup ? bpf_get_current_cgroup_id() : 0;
    key.user_stack_id = user_stacks ? bpf_get_stackid(ctx, &stacks, PROFILE_USER_STACK) : -1;
    key.kernel_stack_id = kernel_stacks ? bpf_get_stackid(ctx, &stacks, 0) : -1;

    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&counts, &key);
    if (count) {
        __sync_fetch_and_add(count, 1);
    } else if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
        // Another CPU inserted it first, or the table is full.
        count = bpf_map_lookup_elem(&counts, &key);
        if (count)
            __sync_fetch_and_add(count, 1);
        else
            tool_count_drop();
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
