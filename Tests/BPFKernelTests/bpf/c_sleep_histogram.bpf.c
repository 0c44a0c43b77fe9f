// SPDX-License-Identifier: GPL-2.0
// The C twin of swift_sleep_histogram.bpf.swift: a per-CPU log2 histogram of the sleep times,
// in microseconds, that thread `target_thread` asks clock_nanosleep(2) for.
#include <linux/bpf.h>
#include <linux/time_types.h>
#include <bpf/bpf_helpers.h>

// floor(log2(v)) + 1, 0 and 1 in slot 1 (as swiftbpf_tool.h's tool_log2l, without the tool's maps).
static __always_inline __u32 log2_slot(__u64 v)
{
    __u32 r = 0;
    if (v >> 32) { v >>= 32; r += 32; }
    if (v >> 16) { v >>= 16; r += 16; }
    if (v >> 8) { v >>= 8; r += 8; }
    if (v >> 4) { v >>= 4; r += 4; }
    if (v >> 2) { v >>= 2; r += 2; }
    if (v >> 1) { r += 1; }
    return r + 1;
}

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} slots SEC(".maps");

const volatile __u32 target_thread = 0;

SEC("tracepoint/syscalls/sys_enter_clock_nanosleep")
int sleep_histogram(void *ctx)
{
    if ((__u32)bpf_get_current_pid_tgid() != target_thread)
        return 0;
    const void *request = (const void *)*(__u64 *)(ctx + 16 + 2 * 8);
    struct __kernel_timespec time = {};
    if (bpf_probe_read_user(&time, sizeof(time), request))
        return 0;
    __u64 micros = (__u64)time.tv_sec * 1000000 + (__u64)time.tv_nsec / 1000;
    __u32 slot = log2_slot(micros);
    if (slot > 63)
        slot = 63;
    __u64 *count = bpf_map_lookup_elem(&slots, &slot);
    if (count)
        *count += 1;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
