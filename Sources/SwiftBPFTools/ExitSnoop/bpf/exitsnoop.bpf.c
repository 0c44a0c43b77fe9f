// SPDX-License-Identifier: GPL-2.0
// exitsnoop: one event per process exit (or per thread exit when asked), with the exit code or
// the killing signal and the task's lifetime, from the sched:sched_process_exit tracepoint.
// task_struct.exit_code is already set there (do_exit stores it before the tracepoint fires).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"
#include "swiftbpf_counts.h"

// BPFGen generates ExitsnoopObject.ExitEvent (ExitEvent.swift reads events through it) from this BTF.
// swiftbpf:record exit_event

const volatile __u8 targ_threads = 0;  // 1: every thread's exit; 0: only whole processes (pid == tgid)
const volatile __u8 targ_failed = 0;   // 1: only exits with a non-zero code or a signal

// The event; ExitEvent.swift decodes the same layout (64 bytes).
struct exit_event {
    struct tool_task task;  // 0..48
    __u64 age_ns;           // 48: now - task->start_time (CLOCK_MONOTONIC)
    __u32 exit_code;        // 56: wait(2) status: code << 8, or the signal (| 0x80 for a core dump)
    __u32 pad;              // 60
};

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(void *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (!targ_threads && (__u32)id != id >> 32)
        return 0;
    if (!tool_filter_pass())
        return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 code = BPF_CORE_READ(task, exit_code);
    if (targ_failed && code == 0)
        return 0;
    // Counting mode (swiftbpf_counts.h): outcome 0 for a zero exit code, 1 for another code,
    // 2 for a killing signal (the low 7 bits of the wait(2) status).
    tool_count((code & 0x7f) ? 2 : (code ? 1 : 0));
    if (!tool_rate_allows())
        return 0;
    struct exit_event e = {};
    tool_fill_task(&e.task);
    e.age_ns = e.task.timestamp_ns - BPF_CORE_READ(task, start_time);
    e.exit_code = code;
    tool_submit(&e, sizeof(e));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
