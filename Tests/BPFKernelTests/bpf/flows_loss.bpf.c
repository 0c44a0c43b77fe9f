// SPDX-License-Identifier: GPL-2.0
// Packet loss for the flows tests, where the kernel has no sch_netem: a TC program (at the
// receiver's ingress) that drops
// `loss_per_mille` of the TCP segments carrying data (never a bare SYN or ACK, so the handshake
// is not slowed by a 1 s SYN timeout), counting each drop in drops[0] and each data segment
// seen in drops[1]. Every (1000 / loss_per_mille)th data segment, from the tenth on, not a
// random draw: with GSO on veth, 2 MB arrive in a few dozen segments, and a 5 % draw dropped
// none of them in one CI run (0.95^32 is about 1 in 5).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} drops SEC(".maps");

volatile const __u32 loss_per_mille = 50;

SEC("tc")
int flows_loss(struct __sk_buff *skb)
{
    struct ethhdr eth;
    struct iphdr ip;
    struct tcphdr tcp;
    if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) || eth.h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    if (bpf_skb_load_bytes(skb, sizeof(eth), &ip, sizeof(ip)) || ip.protocol != IPPROTO_TCP)
        return TC_ACT_OK;
    __u32 l4 = sizeof(eth) + ip.ihl * 4;
    if (bpf_skb_load_bytes(skb, l4, &tcp, sizeof(tcp)))
        return TC_ACT_OK;
    __u32 headers = ip.ihl * 4 + tcp.doff * 4;
    if (bpf_ntohs(ip.tot_len) <= headers)
        return TC_ACT_OK;   // no payload
    __u32 zero = 0, one = 1;
    __u64 *seen = bpf_map_lookup_elem(&drops, &one);
    if (!seen || loss_per_mille == 0)
        return TC_ACT_OK;
    __u64 nth = *seen;   // one flow; a lost update between CPUs only shifts which segment drops
    *seen = nth + 1;
    __u32 every = 1000 / loss_per_mille;
    if (every == 0 || nth < 10 || (nth - 10) % every != 0)
        return TC_ACT_OK;
    __u64 *n = bpf_map_lookup_elem(&drops, &zero);
    if (n)
        __sync_fetch_and_add(n, 1);
    return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
