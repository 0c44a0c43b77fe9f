// SPDX-License-Identifier: GPL-2.0
// opensnoop: one event per open(2), openat(2) and openat2(2), with the fd or errno, the flags and
// the path as the process passed it (up to PATH_MAX). The enter tracepoints remember the
// arguments per thread; the exit tracepoints read the path once, straight into a per-CPU
// scratch event, and send only its used length. Filters (failed opens, one path prefix and the
// common ones) run in the kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"
#include "opensnoop.h"

const volatile __u8 targ_failed = 0;        // 1: only opens that returned an error
const volatile __u32 targ_prefix_len = 0;   // 0: any path; else the path starts with targ_prefix
const volatile char targ_prefix[OPEN_PREFIX_MAX] = {};

// What an open was called with, from enter to exit of the same thread.
struct open_args {
    const char *path;
    __u32 flags;
    __s32 dfd;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u32);
    __type(value, struct open_args);
} open_start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct open_event);
} open_scratch SEC(".maps");

static __always_inline void remember(const char *path, __u32 flags, __s32 dfd)
{
    if (!tool_filter_pass())
        return;
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct open_args a = { .path = path, .flags = flags, .dfd = dfd };
    bpf_map_update_elem(&open_start, &tid, &a, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_open")
int enter_open(struct trace_event_raw_sys_enter *ctx)
{
    remember((const char *)ctx->args[0], (__u32)ctx->args[1], OPEN_AT_FDCWD);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
    remember((const char *)ctx->args[1], (__u32)ctx->args[2], (__s32)ctx->args[0]);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
    __u64 flags = 0;  // struct open_how starts with the u64 flags
    bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[2]);
    remember((const char *)ctx->args[1], (__u32)flags, (__s32)ctx->args[0]);
    return 0;
}

static __always_inline int prefix_matches(const char *path)
{
    for (int i = 0; i < OPEN_PREFIX_MAX; i++) {
        if (i >= targ_prefix_len)
            return 1;
        if (path[i] != targ_prefix[i])
            return 0;
    }
    return 1;
}

static __always_inline void finish(struct trace_event_raw_sys_exit *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct open_args *a = bpf_map_lookup_elem(&open_start, &tid);
    if (!a)
        return;
    long ret = ctx->ret;
    if (targ_failed && ret >= 0)
        goto out;
    __u32 zero = 0;
    struct open_event *e = bpf_map_lookup_elem(&open_scratch, &zero);
    if (!e)
        goto out;
    long n = bpf_probe_read_user_str(e->path, sizeof(e->path), a->path);
    if (n <= 0) {
        e->path[0] = 0;
        n = 1;
    }
    if (targ_prefix_len && !prefix_matches(e->path))
        goto out;
    tool_fill_task(&e->task);
    e->ret = ret;
    e->flags = a->flags;
    e->dfd = a->dfd;
    e->path_size = n;
    // Only the header and the path's bytes (with its NUL) go into the ring buffer.
    __u32 size = n;
    if (size > OPEN_PATH_MAX)
        size = OPEN_PATH_MAX;
    tool_submit(e, OPEN_EVENT_HEADER_SIZE + size);
out:
    bpf_map_delete_elem(&open_start, &tid);
}

SEC("tracepoint/syscalls/sys_exit_open")
int exit_open(struct trace_event_raw_sys_exit *ctx)
{
    finish(ctx);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
    finish(ctx);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
    finish(ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
