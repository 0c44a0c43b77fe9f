// SPDX-License-Identifier: GPL-2.0
// What every swiftbpf tool's BPF program shares: the in-kernel filters (set from Swift through
// `const volatile` globals, frozen before load so the verifier removes filters that are off),
// the task attribution every event carries, the ring buffer, and counted drops.
// Include after vmlinux.h and <bpf/bpf_helpers.h>.
#ifndef SWIFTBPF_TOOL_H
#define SWIFTBPF_TOOL_H

#include <bpf/bpf_core_read.h>

#define TOOL_COMM_LEN 16

// --- filters (ToolFilter in Swift) ----------------------------------------------------------
const volatile __u32 tool_targ_tgid = 0;            // 0: any process; else this tgid only
const volatile __u32 tool_targ_uid = 0xffffffff;    // 0xffffffff: any user
const volatile __u32 tool_targ_comm_len = 0;        // 0: any command; else comm == tool_targ_comm
const volatile char tool_targ_comm[TOOL_COMM_LEN] = {};
const volatile __u8 tool_targ_cgroup = 0;           // 1: only tasks under tool_cgroup[0]

// The cgroup v2 directory to filter on (a container's cgroup covers its whole tree);
// user space stores the directory's fd at index 0.
struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} tool_cgroup SEC(".maps");

// --- output -------------------------------------------------------------------------------
// Events the tool could not send (ring buffer full), per CPU; reported by user space.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} tool_dropped SEC(".maps");

// The tool's events. 512 KiB by default (no loss under the benchmarks' bursts of 200,000 opens
// or 150,000 connections, and libbpf-tools' perf buffers on two CPUs hold as much); the kernel
// makes every page of it resident. ToolOptions may resize it before load.
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 512 * 1024);
} tool_events SEC(".maps");

// --- attribution --------------------------------------------------------------------------
// At the start of every event (TaskInfo in Swift, 48 bytes).
struct tool_task {
    __u64 timestamp_ns;   // bpf_ktime_get_ns()
    __u64 cgroup_id;      // bpf_get_current_cgroup_id()
    __u32 pid;            // thread id
    __u32 tgid;           // process id
    __u32 ppid;           // parent's tgid
    __u32 uid;
    char comm[TOOL_COMM_LEN];
};

static __always_inline int tool_comm_matches(void)
{
    char comm[TOOL_COMM_LEN] = {};
    bpf_get_current_comm(comm, sizeof(comm));
    for (int i = 0; i < TOOL_COMM_LEN; i++) {
        if (i >= tool_targ_comm_len)
            return comm[i] == 0;
        if (comm[i] != tool_targ_comm[i])
            return 0;
    }
    return 1;
}

// True when the current task passes every filter that is on.
static __always_inline int tool_filter_pass(void)
{
    if (tool_targ_tgid && (bpf_get_current_pid_tgid() >> 32) != tool_targ_tgid)
        return 0;
    if (tool_targ_uid != 0xffffffff && (__u32)bpf_get_current_uid_gid() != tool_targ_uid)
        return 0;
    if (tool_targ_comm_len && !tool_comm_matches())
        return 0;
    if (tool_targ_cgroup && bpf_current_task_under_cgroup(&tool_cgroup, 0) != 1)
        return 0;
    return 1;
}

// Fills the attribution of the current task.
static __always_inline void tool_fill_task(struct tool_task *t)
{
    __u64 id = bpf_get_current_pid_tgid();
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    t->timestamp_ns = bpf_ktime_get_ns();
    t->cgroup_id = bpf_get_current_cgroup_id();
    t->pid = (__u32)id;
    t->tgid = id >> 32;
    t->ppid = BPF_CORE_READ(task, real_parent, tgid);
    t->uid = (__u32)bpf_get_current_uid_gid();
    bpf_get_current_comm(t->comm, sizeof(t->comm));
}

static __always_inline void tool_count_drop(void)
{
    __u32 zero = 0;
    __u64 *d = bpf_map_lookup_elem(&tool_dropped, &zero);
    if (d)
        __sync_fetch_and_add(d, 1);
}

// Sends `size` bytes of `event` (which starts with a struct tool_task); counts a drop on failure.
static __always_inline void tool_submit(void *event, __u64 size)
{
    if (bpf_ringbuf_output(&tool_events, event, size, 0))
        tool_count_drop();
}

// --- histograms -----------------------------------------------------------------------------
#define TOOL_MAX_SLOTS 64

// floor(log2(v)) + 1, with 0 and 1 both in slot 1 (BCC's bpf_log2l): slot i holds
// [2^(i-1), 2^i - 1], which Histogram.log2 in Swift prints as BCC does.
static __always_inline __u32 tool_log2(__u32 v)
{
    __u32 r, shift;
    r = (v > 0xFFFF) << 4; v >>= r;
    shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
    shift = (v > 0xF) << 2; v >>= shift; r |= shift;
    shift = (v > 0x3) << 1; v >>= shift; r |= shift;
    r |= (v >> 1);
    return r;
}

static __always_inline __u32 tool_log2l(__u64 v)
{
    __u32 hi = v >> 32;
    if (hi)
        return tool_log2(hi) + 32 + 1;
    return tool_log2(v) + 1;
}

#endif
