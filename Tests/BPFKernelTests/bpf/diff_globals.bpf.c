// SPDX-License-Identifier: GPL-2.0
// Differential test object: global data of every kind, static and global subprograms,
// map-in-map and a prog array with initial slots, two programs in one section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner);
} outer SEC(".maps") = {
    .values = { [0] = &inner_a, [1] = &inner_b },
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 128);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

const volatile __u32 filter_pid = 0;
const volatile __u64 scale = 3;
__u64 total = 7;
__u64 hits;
static __u64 static_hits;
__u32 custom_value SEC(".data.custom") = 11;

static __noinline __u64 scaled(__u64 v)
{
    return v * scale + static_hits;
}

__noinline __u64 global_add(__u64 a)
{
    return a + 1;
}

static __noinline __u64 chain(__u64 v)
{
    return scaled(global_add(v));
}

SEC("tp/syscalls/sys_enter_getpid")
int diff_getpid(void *ctx)
{
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (filter_pid && pid != filter_pid)
        return 0;
    __u32 k = 0;
    void *m = bpf_map_lookup_elem(&outer, &k);
    if (m) {
        __u64 *v = bpf_map_lookup_elem(m, &k);
        if (v)
            *v += 1;
    }
    __u64 *c = bpf_map_lookup_elem(&counters, &pid);
    if (c)
        *c = chain(*c);
    else {
        __u64 one = 1;
        bpf_map_update_elem(&counters, &pid, &one, BPF_ANY);
    }
    hits++;
    static_hits++;
    total += custom_value;
    return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int diff_getppid(void *ctx)
{
    hits += global_add(2);
    return 0;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __uint(key_size, sizeof(__u32));
    __array(values, int(void *));
} jumps SEC(".maps");

SEC("xdp")
int xdp_one(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jumps, 1);
    return XDP_PASS;
}

SEC("xdp")
int xdp_two(struct xdp_md *ctx)
{
    return XDP_DROP;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __uint(key_size, sizeof(__u32));
    __array(values, int(void *));
} jumps_init SEC(".maps") = {
    .values = { [1] = (void *)&xdp_two },
};

char LICENSE[] SEC("license") = "GPL";
