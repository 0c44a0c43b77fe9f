// SPDX-License-Identifier: GPL-2.0
// swiftbpf guard learn: counts the system calls of one workload (a cgroup, a comm and its
// descendants, or a pid and its descendants) from raw_syscalls:sys_enter, with the argument
// values seccomp filters can test. Counting happens here; user space reads the table at the end.
// GPL: bpf_get_current_ancestor_cgroup_id is GPL-only.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "learn.h"

// The workload (frozen .rodata). With a cgroup, membership is the cgroup v2 subtree; otherwise
// the learn_members table: pids user space put there, processes named targ_comm on first sight,
// and every child forked by a member.
const volatile __u64 targ_cgroup_id = 0;
const volatile __u32 targ_cgroup_level = 0;
const volatile __u32 targ_comm_len = 0;
const volatile char targ_comm[LEARN_COMM_LEN] = {};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} learn_members SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, struct learn_syscall_key);
    __type(value, __u64);
} learn_syscalls SEC(".maps");

static __always_inline int comm_matches(void)
{
    char comm[LEARN_COMM_LEN] = {};
    bpf_get_current_comm(comm, sizeof(comm));
    for (int i = 0; i < LEARN_COMM_LEN; i++) {
        if (i >= targ_comm_len)
            return comm[i] == 0;
        if (comm[i] != targ_comm[i])
            return 0;
    }
    return 1;
}

static __always_inline int is_member(void)
{
    if (targ_cgroup_id)
        return bpf_get_current_ancestor_cgroup_id(targ_cgroup_level) == targ_cgroup_id;
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (bpf_map_lookup_elem(&learn_members, &tgid))
        return 1;
    if (targ_comm_len && comm_matches()) {
        __u8 one = 1;
        bpf_map_update_elem(&learn_members, &tgid, &one, BPF_ANY);
        return 1;
    }
    return 0;
}

static __always_inline void count(__u32 nr, __u32 arg, __u64 value)
{
    struct learn_syscall_key key = { .nr = nr, .arg = arg, .value = value };
    __u64 *n = bpf_map_lookup_elem(&learn_syscalls, &key);
    if (n) {
        __sync_fetch_and_add(n, 1);
        return;
    }
    __u64 one = 1;
    if (bpf_map_update_elem(&learn_syscalls, &key, &one, BPF_NOEXIST)) {
        n = bpf_map_lookup_elem(&learn_syscalls, &key);
        if (n)
            __sync_fetch_and_add(n, 1);
    }
}

// x86_64 numbers (asm/unistd_64.h) of the calls whose arguments are recorded.
#define NR_ioctl 16
#define NR_socket 41
#define NR_clone 56
#define NR_personality 135
#define NR_prctl 157

SEC("tracepoint/raw_syscalls/sys_enter")
int learn_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
    if (!is_member())
        return 0;
    long nr = ctx->id;
    if (nr < 0)
        return 0;
    count((__u32)nr, LEARN_NO_ARG, 0);
    switch (nr) {
    case NR_socket:
        count(NR_socket, 0, ctx->args[0]);
        break;
    case NR_clone:
        count(NR_clone, 0, ctx->args[0]);
        break;
    case NR_ioctl:
        count(NR_ioctl, 1, (__u32)ctx->args[1]);
        break;
    case NR_prctl:
        count(NR_prctl, 0, ctx->args[0]);
        break;
    case NR_personality:
        count(NR_personality, 0, (__u32)ctx->args[0]);
        break;
    }
    return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(learn_fork, struct task_struct *parent, struct task_struct *child)
{
    if (targ_cgroup_id)
        return 0;
    __u32 tgid = BPF_CORE_READ(child, tgid);
    if (BPF_CORE_READ(child, pid) != tgid)
        return 0;  // a thread
    __u32 ptgid = BPF_CORE_READ(parent, tgid);
    if (!bpf_map_lookup_elem(&learn_members, &ptgid))
        return 0;
    __u8 one = 1;
    bpf_map_update_elem(&learn_members, &tgid, &one, BPF_ANY);
    return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(learn_exit, struct task_struct *p)
{
    if (targ_cgroup_id || BPF_CORE_READ(p, signal, live.counter) != 0)
        return 0;
    __u32 tgid = BPF_CORE_READ(p, tgid);
    bpf_map_delete_elem(&learn_members, &tgid);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
