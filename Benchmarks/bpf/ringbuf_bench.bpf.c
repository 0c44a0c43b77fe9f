// SPDX-License-Identifier: GPL-2.0
// Produces `count` ring-buffer records of `size` bytes per BPF_PROG_TEST_RUN, for measuring how
// fast user space consumes them (SwiftBPF's RingBuffer against libbpf's ring_buffer__consume).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024 * 1024);
} records SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, char[1024]);
} payload SEC(".maps");

const volatile __u32 size = 64;
__u64 failed;

static long produce(__u64 index, void *ctx)
{
    __u32 zero = 0;
    char *data = bpf_map_lookup_elem(&payload, &zero);
    if (!data)
        return 1;
    __u32 n = size;
    if (n > 1024)
        n = 1024;
    if (bpf_ringbuf_output(&records, data, n, BPF_RB_NO_WAKEUP))
        failed++;
    return 0;
}

SEC("syscall")
int produce_records(__u32 *count)
{
    bpf_loop(*count, produce, 0, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
