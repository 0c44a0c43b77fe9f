// SPDX-License-Identifier: GPL-2.0
// A socket filter (SO_ATTACH_BPF) for a UDP socket: when it runs, skb->data is the UDP header,
// so the payload starts at offset 8. Payloads starting with 'D' are dropped (return 0) and
// counted in counts[1]; the others are kept whole and counted in counts[0].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("socket")
int drop_marked(struct __sk_buff *skb)
{
    unsigned char m = 0;
    if (bpf_skb_load_bytes(skb, 8, &m, 1) == 0 && m == 'D') {
        bump(1);
        return 0;
    }
    bump(0);
    return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
