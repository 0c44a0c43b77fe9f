// SPDX-License-Identifier: GPL-2.0
// A TC classifier (direct action) for the network tests: UDP packets to `port` are counted in
// counts[0]; those whose first payload byte is 'D' are also counted in counts[1] and dropped
// (TC_ACT_SHOT). Everything else continues (TC_ACT_OK, which is TCX_PASS for tcx links).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

volatile const __u16 port = 0;

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("tc")
int tc_count_drop(struct __sk_buff *skb)
{
    struct iphdr ip;
    struct udphdr udp;
    unsigned char m;
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) || ip.ihl != 5 || ip.protocol != IPPROTO_UDP)
        return TC_ACT_OK;
    if (bpf_skb_load_bytes(skb, ETH_HLEN + sizeof(ip), &udp, sizeof(udp)) || udp.dest != bpf_htons(port))
        return TC_ACT_OK;
    if (bpf_skb_load_bytes(skb, ETH_HLEN + sizeof(ip) + sizeof(udp), &m, 1))
        return TC_ACT_OK;
    bump(0);
    if (m == 'D') {
        bump(1);
        return TC_ACT_SHOT;
    }
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
