// SPDX-License-Identifier: GPL-2.0
// syscount: syscalls counted per syscall number or per process, with their total latency and a
// latency histogram per key, all aggregated in the kernel (raw_syscalls:sys_enter/sys_exit).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"

const volatile __u8 by_process = 0;      // 1: key = tgid; else key = syscall number
const volatile __u8 measure_latency = 0; // 1: time each syscall (sys_enter → sys_exit)
const volatile __u8 failed_only = 0;     // 1: only syscalls that returned an error
const volatile __s32 targ_syscall = -1;  // -1: every syscall; else only this number
const volatile __u8 unit_msecs = 0;      // histogram unit: 1 ms, else 1 us
const volatile __u64 linear_step = 0;    // 0: log2 histogram; else linear slots of this width

// One key's aggregate; the histogram is kept only with measure_latency.
struct syscount_value {
    __u64 count;
    __u64 total_ns;
    __u64 slots[TOOL_MAX_SLOTS];
    char comm[TOOL_COMM_LEN];
};

struct syscount_value zero_value = {};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH); // entries whose end never comes age out
    __uint(max_entries, 10240);
    __type(key, __u32);   // thread id
    __type(value, __u64); // sys_enter time
} start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);   // syscall number, or tgid with by_process
    __type(value, struct syscount_value);
} data SEC(".maps");

static __always_inline __u32 hist_slot(__u64 v)
{
    __u64 s = linear_step ? v / linear_step : tool_log2l(v);
    return s >= TOOL_MAX_SLOTS ? TOOL_MAX_SLOTS - 1 : (__u32)s;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int syscount_enter(struct trace_event_raw_sys_enter *ctx)
{
    if (!measure_latency)
        return 0;
    if (targ_syscall >= 0 && ctx->id != targ_syscall)
        return 0;
    if (!tool_filter_pass())
        return 0;
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u64 ts = bpf_ktime_get_ns();
    bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
    return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int syscount_exit(struct trace_event_raw_sys_exit *ctx)
{
    long nr = ctx->id;
    if (nr < 0)
        return 0;
    if (targ_syscall >= 0 && nr != targ_syscall)
        return 0;
    if (failed_only && ctx->ret >= 0)
        return 0;
    if (!tool_filter_pass())
        return 0;

    __u64 id = bpf_get_current_pid_tgid();
    __u32 tid = (__u32)id;
    __u64 delta = 0;
    if (measure_latency) {
        __u64 *ts = bpf_map_lookup_elem(&start, &tid);
        if (!ts)
            return 0; // entered before the tool started
        delta = bpf_ktime_get_ns() - *ts;
        bpf_map_delete_elem(&start, &tid);
    }

    __u32 key = by_process ? (__u32)(id >> 32) : (__u32)nr;
    struct syscount_value *v = bpf_map_lookup_elem(&data, &key);
    if (!v) {
        bpf_map_update_elem(&data, &key, &zero_value, BPF_NOEXIST);
        v = bpf_map_lookup_elem(&data, &key);
        if (!v) {
            tool_count_drop(); // the table is full
            return 0;
        }
        if (by_process)
            bpf_get_current_comm(v->comm, sizeof(v->comm));
    }
    __sync_fetch_and_add(&v->count, 1);
    if (measure_latency) {
        __sync_fetch_and_add(&v->total_ns, delta);
        __u32 slot = hist_slot(delta / (unit_msecs ? 1000000 : 1000));
        __sync_fetch_and_add(&v->slots[slot], 1);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
