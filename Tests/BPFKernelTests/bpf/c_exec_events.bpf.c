// SPDX-License-Identifier: GPL-2.0
// The C twin of swift_exec_events.bpf.swift: on every sched/sched_process_exec, the process id
// and command name go to user space through a ring buffer with the parent's process id (CO-RE);
// `execs` counts execs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct exec_event {
    __u32 pid;
    __u32 old_pid;
    __u32 parent_pid;
    __u32 reserved;
    char command[16];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 execs = 0;

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
    __sync_fetch_and_add(&execs, 1);
    struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = *(__u32 *)(ctx + 12);
    e->old_pid = *(__u32 *)(ctx + 16);
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    e->parent_pid = BPF_CORE_READ(task, real_parent, tgid);
    e->reserved = 0;
    bpf_get_current_comm(e->command, sizeof(e->command));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
