// SPDX-License-Identifier: GPL-2.0
// execsnoop: one event per execve(2), with the full argv, filtered in the kernel.
// GPL because it calls GPL-only helpers (bpf_probe_read_user_str, bpf_get_current_task).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"
#include "swiftbpf_counts.h"
#include "execsnoop.h"

// BPFGen generates ExecsnoopObject (ExecEvent.swift reads events through its ExecEvent) from this BTF.
// swiftbpf:record exec_event

// execsnoop's own filters, beside the common uid, comm and cgroup ones of swiftbpf_tool.h
// (all frozen .rodata: the verifier prunes the filters that are off).
const volatile __u32 targ_pid = 0;        // 0: any; else the exec'ing process or its parent
const volatile __u32 targ_name_len = 0;   // 0: any; else comm after exec must contain targ_name
const volatile char targ_name[TOOL_COMM_LEN] = {};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, __u32);
    __type(value, struct exec_event);
} pending SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct exec_event);
} scratch SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u32 zero = 0;

    // comm is checked at exit, where it is the new program's.
    if (tool_targ_uid != 0xffffffff && (__u32)bpf_get_current_uid_gid() != tool_targ_uid)
        return 0;
    if (tool_targ_cgroup && bpf_current_task_under_cgroup(&tool_cgroup, 0) != 1)
        return 0;

    struct exec_event *e = bpf_map_lookup_elem(&scratch, &zero);
    if (!e)
        return 0;
    tool_fill_task(&e->task);
    if (targ_pid && e->task.tgid != targ_pid && e->task.ppid != targ_pid)
        return 0;
    e->retval = 0;
    e->args_count = 0;
    e->args_size = 0;
    e->truncated = 0;

    const char *const *argv = (const char *const *)ctx->args[1];
    for (int i = 0; i < MAX_ARGS; i++) {
        const char *arg = 0;
        if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
            break;
        if (e->args_size >= ARGS_DATA_SIZE) {
            e->truncated = 1;
            break;
        }
        __u32 at = e->args_size & (ARGS_DATA_SIZE - 1);
        long n = bpf_probe_read_user_str(&e->args[at], ARG_MAX_LEN, arg);
        if (n < 0)
            break;
        // An empty argument: the helper returns 1 (its NUL) on current kernels, but 0 on
        // kernels before strncpy_from_user_nofault() counted the NUL of an empty string
        // (Debian 12's 6.1 among them). Count it as the one NUL byte it is.
        if (n == 0) {
            e->args[at] = 0;
            n = 1;
        }
        if (n == ARG_MAX_LEN)
            e->truncated = 1;
        e->args_count++;
        e->args_size += n;
    }
    bpf_map_update_elem(&pending, &tid, e, BPF_ANY);
    return 0;
}

static __always_inline int contains_name(const char *comm)
{
    for (int start = 0; start < TOOL_COMM_LEN; start++) {
        if (start + targ_name_len > TOOL_COMM_LEN)
            return 0;
        int ok = 1;
        for (int j = 0; j < TOOL_COMM_LEN; j++) {
            if (j >= targ_name_len)
                break;
            int k = start + j;
            if (k >= TOOL_COMM_LEN || comm[k] != targ_name[j]) {
                ok = 0;
                break;
            }
        }
        if (ok)
            return 1;
    }
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int handle_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct exec_event *e = bpf_map_lookup_elem(&pending, &tid);
    if (!e)
        return 0;
    e->retval = ctx->ret;
    // After a successful exec the thread is the process leader and comm is the new program's.
    __u64 id = bpf_get_current_pid_tgid();
    e->task.pid = (__u32)id;
    e->task.tgid = id >> 32;
    bpf_get_current_comm(&e->task.comm, sizeof(e->task.comm));
    if (targ_name_len && !contains_name(e->task.comm))
        goto out;
    if (tool_targ_comm_len && !tool_comm_matches())
        goto out;
    // Counting mode (swiftbpf_counts.h): outcome 0 for an exec that succeeded, 1 for a failed one.
    tool_count(e->retval == 0 ? 0 : 1);
    if (!tool_rate_allows())
        goto out;
    __u32 size = e->args_size;
    if (size > ARGS_DATA_SIZE + ARG_MAX_LEN)
        size = ARGS_DATA_SIZE + ARG_MAX_LEN;
    tool_submit(e, EXEC_EVENT_HEADER_SIZE + size);
out:
    bpf_map_delete_elem(&pending, &tid);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
