// SPDX-License-Identifier: GPL-2.0
// killsnoop: one event per kill(2), tkill(2) and tgkill(2): sender, target, signal and result.
// The enter tracepoints remember target and signal per thread; the exit tracepoints add the
// result and send. Filters on the sender (common ones), the signal and failures run in the kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"

// BPFGen generates KillsnoopObject.KillEvent (KillEvent.swift reads events through it) from this BTF.
// swiftbpf:record kill_event

const volatile __u32 targ_signal = 0;  // 0: any signal; else only this one
const volatile __u8 targ_failed = 0;   // 1: only calls that returned an error

#define KILL_SYSCALL_KILL 0
#define KILL_SYSCALL_TKILL 1
#define KILL_SYSCALL_TGKILL 2

struct kill_args {
    __s32 target;   // kill: pid (or -pgid, 0, -1); tkill/tgkill: thread id
    __s32 tgid;     // tgkill: the thread group; else 0
    __u32 sig;
    __u32 syscall;
};

// The event; KillEvent.swift decodes the same layout (72 bytes).
struct kill_event {
    struct tool_task task;  // 0..48: the sender
    __s32 target;           // 48
    __s32 target_tgid;      // 52
    __u32 sig;              // 56
    __s32 ret;              // 60: 0 or -errno
    __u32 syscall;          // 64: 0 kill, 1 tkill, 2 tgkill
    __u32 pad;              // 68
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u32);
    __type(value, struct kill_args);
} kill_start SEC(".maps");

static __always_inline void remember(__s32 target, __s32 tgid, __u32 sig, __u32 syscall)
{
    if (targ_signal && sig != targ_signal)
        return;
    if (!tool_filter_pass())
        return;
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct kill_args a = { .target = target, .tgid = tgid, .sig = sig, .syscall = syscall };
    bpf_map_update_elem(&kill_start, &tid, &a, BPF_ANY);
}

static __always_inline void finish(struct trace_event_raw_sys_exit *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct kill_args *a = bpf_map_lookup_elem(&kill_start, &tid);
    if (!a)
        return;
    long ret = ctx->ret;
    if (!targ_failed || ret < 0) {
        struct kill_event e = {};
        tool_fill_task(&e.task);
        e.target = a->target;
        e.target_tgid = a->tgid;
        e.sig = a->sig;
        e.ret = ret;
        e.syscall = a->syscall;
        tool_submit(&e, sizeof(e));
    }
    bpf_map_delete_elem(&kill_start, &tid);
}

SEC("tracepoint/syscalls/sys_enter_kill")
int enter_kill(struct trace_event_raw_sys_enter *ctx)
{
    remember((__s32)ctx->args[0], 0, (__u32)ctx->args[1], KILL_SYSCALL_KILL);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_tkill")
int enter_tkill(struct trace_event_raw_sys_enter *ctx)
{
    remember((__s32)ctx->args[0], 0, (__u32)ctx->args[1], KILL_SYSCALL_TKILL);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_tgkill")
int enter_tgkill(struct trace_event_raw_sys_enter *ctx)
{
    remember((__s32)ctx->args[1], (__s32)ctx->args[0], (__u32)ctx->args[2], KILL_SYSCALL_TGKILL);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_kill")
int exit_kill(struct trace_event_raw_sys_exit *ctx)
{
    finish(ctx);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_tkill")
int exit_tkill(struct trace_event_raw_sys_exit *ctx)
{
    finish(ctx);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_tgkill")
int exit_tgkill(struct trace_event_raw_sys_exit *ctx)
{
    finish(ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
