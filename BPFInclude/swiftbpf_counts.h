// SPDX-License-Identifier: GPL-2.0
// Counting mode, shared by the tools that have one (execsnoop, exitsnoop): for a reader that
// wants a host's rates exactly without paying for every event in user space (the agent). Every
// event that passes the filters is counted in tool_counts, per cgroup, command and outcome, and
// at most tool_targ_rate events a second on each CPU are sent to the ring; the rest are only
// counted (and the number held back is kept per CPU in tool_rate).
// Include after swiftbpf_tool.h. KernelCounts in Swift reads the maps.
#ifndef SWIFTBPF_COUNTS_H
#define SWIFTBPF_COUNTS_H

// The outcomes a tool may count under (the tool defines them: execsnoop 0 ok, 1 failed;
// exitsnoop 0 ok, 1 error, 2 signal).
#define TOOL_OUTCOMES 4

const volatile __u8 tool_targ_count = 0;   // 1: count every event in tool_counts
const volatile __u32 tool_targ_rate = 0;   // 0: send every event; else at most this many a second on each CPU

struct tool_count_key {
    __u64 cgroup_id;
    char comm[TOOL_COMM_LEN];
    __u32 outcome;
    __u32 pad;
};

// Events since user space last took the entries (BPF_MAP_LOOKUP_AND_DELETE_BATCH). Not
// preallocated: a deleted element is reused only after an RCU grace period, so an increment
// racing with the take is lost, never added to another key. Resized from Swift before load.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct tool_count_key);
    __type(value, __u64);
} tool_counts SEC(".maps");

// Events counted while tool_counts was full, by outcome (they have no cgroup or command).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, TOOL_OUTCOMES);
    __type(key, __u32);
    __type(value, __u64);
} tool_counts_full SEC(".maps");

// Each CPU's window of one second for tool_targ_rate: per CPU, so no atomics and no shared
// cache line; `held` counts the events only counted, never reset.
struct tool_rate_window {
    __u64 second;
    __u64 sent;
    __u64 held;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct tool_rate_window);
} tool_rate SEC(".maps");

// Counts one event of the current task under `outcome` (when counting is on).
static __always_inline void tool_count(__u32 outcome)
{
    if (!tool_targ_count)
        return;
    struct tool_count_key key = { .cgroup_id = bpf_get_current_cgroup_id(), .outcome = outcome };
    bpf_get_current_comm(key.comm, sizeof(key.comm));
    __u64 *n = bpf_map_lookup_elem(&tool_counts, &key);
    if (!n) {
        __u64 one = 1;
        if (!bpf_map_update_elem(&tool_counts, &key, &one, BPF_NOEXIST))
            return;
        // Another CPU added the key meanwhile, or the map is full.
        n = bpf_map_lookup_elem(&tool_counts, &key);
        if (!n) {
            __u32 slot = outcome & (TOOL_OUTCOMES - 1);
            n = bpf_map_lookup_elem(&tool_counts_full, &slot);
        }
    }
    if (n)
        __sync_fetch_and_add(n, 1);
}

// True when this event may be sent: always without a rate, else while this CPU has sent fewer
// than tool_targ_rate events in the current second of bpf_ktime_get_ns().
static __always_inline int tool_rate_allows(void)
{
    if (!tool_targ_rate)
        return 1;
    __u32 zero = 0;
    struct tool_rate_window *w = bpf_map_lookup_elem(&tool_rate, &zero);
    if (!w)
        return 1;
    __u64 second = bpf_ktime_get_ns() / 1000000000ULL;
    if (w->second != second) {
        w->second = second;
        w->sent = 0;
    }
    if (w->sent >= tool_targ_rate) {
        w->held++;
        return 0;
    }
    w->sent++;
    return 1;
}

#endif
