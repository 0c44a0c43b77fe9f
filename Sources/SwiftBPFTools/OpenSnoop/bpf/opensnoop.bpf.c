// SPDX-License-Identifier: GPL-2.0
// opensnoop: one event per open(2), openat(2) and openat2(2), with the fd or errno, the flags and
// the path as the process passed it (up to PATH_MAX), and with --full-path the names of the
// working directory for a relative path. The enter tracepoints remember the
// arguments per thread; the exit tracepoints read the path once, straight into a per-CPU
// scratch event, and send only its used length. Filters (failed opens, one path prefix and the
// common ones) run in the kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"
#include "swiftbpf_counts.h"
#include "opensnoop.h"

// BPFGen generates OpensnoopObject (OpenEvent.swift decodes through it) and OpenEventRecord (the
// zero-copy views OpenSnoopLines formats lines from) from this BTF.
// swiftbpf:record open_event

const volatile __u8 targ_failed = 0;        // 1: only opens that returned an error
const volatile __u32 targ_prefix_len = 0;   // 0: any path; else the path starts with targ_prefix
const volatile char targ_prefix[OPEN_PREFIX_MAX] = {};
const volatile __u8 targ_full_path = 0;     // 1: add the working directory's names to relative paths
// Counting mode (the agent, swiftbpf_counts.h): every open that passes the filters is counted
// per cgroup, command and outcome (0 succeeded, 1 failed), and only one in targ_sample of them
// (0 or 1: every one), within the rate limit, is sent as an event.
const volatile __u32 targ_sample = 0;

// Just the fields the working-directory walk reads; CO-RE finds them in the kernel's
// fs_struct, path, dentry, qstr, vfsmount and mount (the ___os suffix is dropped in matching).
struct qstr___os {
    const unsigned char *name;
} __attribute__((preserve_access_index));
struct dentry___os {
    struct dentry___os *d_parent;
    struct qstr___os d_name;
} __attribute__((preserve_access_index));
struct vfsmount___os {
    struct dentry___os *mnt_root;
} __attribute__((preserve_access_index));
struct mount___os {
    struct mount___os *mnt_parent;
    struct dentry___os *mnt_mountpoint;
    struct vfsmount___os mnt;
} __attribute__((preserve_access_index));
struct path___os {
    struct vfsmount___os *mnt;
    struct dentry___os *dentry;
} __attribute__((preserve_access_index));
struct fs_struct___os {
    struct path___os pwd;
} __attribute__((preserve_access_index));

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

// Opens seen on each CPU, for the one-in-targ_sample choice.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} open_sample_tick SEC(".maps");

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

// Writes the current task's working directory into e->data as NUL-terminated names, innermost
// first, as d_path walks it (up each mount, then across to the mount point). Returns the bytes
// written; stops early (the path then starts below the root) when the names fill OPEN_CWD_MAX.
static __always_inline __u32 read_cwd(struct open_event *e)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct fs_struct___os *fs = (struct fs_struct___os *)BPF_CORE_READ(task, fs);
    struct dentry___os *dentry = BPF_CORE_READ(fs, pwd.dentry);
    struct vfsmount___os *vfs = BPF_CORE_READ(fs, pwd.mnt);
    struct mount___os *mnt = (void *)vfs - bpf_core_field_offset(struct mount___os, mnt);
    __u32 off = 0;
    for (int i = 0; i < OPEN_CWD_DEPTH; i++) {
        struct dentry___os *parent = BPF_CORE_READ(dentry, d_parent);
        struct dentry___os *root = BPF_CORE_READ(mnt, mnt.mnt_root);
        if (dentry == root || dentry == parent) {
            struct mount___os *up = BPF_CORE_READ(mnt, mnt_parent);
            if (up == mnt)
                break;
            dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
            mnt = up;
            continue;
        }
        if (off >= OPEN_CWD_MAX - OPEN_NAME_MAX)
            break;
        const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
        long n = bpf_probe_read_kernel_str(&e->data[off & (OPEN_CWD_MAX - 1)], OPEN_NAME_MAX, name);
        if (n <= 0)
            break;
        off += n;
        dentry = parent;
    }
    return off;
}

// The path at the start of e->data; its size with the NUL (an empty path when unreadable).
static __always_inline long read_path(struct open_event *e, const char *path)
{
    long n = bpf_probe_read_user_str(e->data, OPEN_PATH_MAX, path);
    if (n <= 0) {
        e->data[0] = 0;
        n = 1;
    }
    return n;
}

// True for the one open in targ_sample that is sent as an event.
static __always_inline int sampled(void)
{
    if (targ_sample <= 1)
        return 1;
    __u32 zero = 0;
    __u64 *tick = bpf_map_lookup_elem(&open_sample_tick, &zero);
    if (!tick)
        return 1;
    return (*tick)++ % targ_sample == 0;
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
    __u32 cwd = 0;
    long n = 0;
    // With a prefix the path decides whether the open counts at all; else it is read only for
    // an open that is sent.
    if (targ_prefix_len) {
        n = read_path(e, a->path);
        if (!prefix_matches(e->data))
            goto out;
    }
    tool_count(ret < 0);
    if (!sampled() || !tool_rate_allows())
        goto out;
    if (!targ_prefix_len)
        n = read_path(e, a->path);
    // A relative path from the working directory: its names go first, the path after them
    // (read a second time only in this case, at its final place).
    if (targ_full_path && e->data[0] != '/' && a->dfd == OPEN_AT_FDCWD) {
        cwd = read_cwd(e) & (OPEN_CWD_MAX - 1);
        if (!cwd) {
            // The root directory: one empty name, so user space still sees a captured directory.
            e->data[0] = 0;
            cwd = 1;
        }
        n = bpf_probe_read_user_str(&e->data[cwd], OPEN_PATH_MAX, a->path);
        if (n <= 0) {
            e->data[cwd] = 0;
            n = 1;
        }
    }
    tool_fill_task(&e->task);
    e->ret = ret;
    e->flags = a->flags;
    e->dfd = a->dfd;
    // Only the header, the names and the path's bytes (with its NUL) go into the ring buffer.
    __u32 size = n;
    if (size > OPEN_PATH_MAX)
        size = OPEN_PATH_MAX;
    e->path_size = size;
    e->cwd_size = cwd;
    tool_submit(e, OPEN_EVENT_HEADER_SIZE + cwd + size);
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
