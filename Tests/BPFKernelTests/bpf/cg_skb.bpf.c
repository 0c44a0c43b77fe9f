// SPDX-License-Identifier: GPL-2.0
// cgroup_skb ingress/egress: count UDP datagrams to a marker port; drop those to another port.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Set before load: UDP destination ports (host order) to count, and to drop on ingress. */
volatile const __u16 marker_port = 0;
volatile const __u16 drop_port = 0;

/* Slot 0: ingress datagrams to marker_port, 1: egress, 2: ingress drops. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u64);
} cg_skb_counts SEC(".maps");

static __always_inline int udp_dest_port(struct __sk_buff *skb)
{
    struct iphdr ip;
    __u16 port;

    if (skb->protocol != bpf_htons(ETH_P_IP))
        return -1;
    if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0 || ip.protocol != IPPROTO_UDP)
        return -1;
    if (bpf_skb_load_bytes(skb, ip.ihl * 4 + 2, &port, sizeof(port)) < 0)
        return -1;
    return bpf_ntohs(port);
}

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&cg_skb_counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("cgroup_skb/ingress")
int cg_skb_ingress(struct __sk_buff *skb)
{
    int port = udp_dest_port(skb);
    if (port < 0)
        return 1;
    if (marker_port && port == marker_port)
        bump(0);
    if (drop_port && port == drop_port) {
        bump(2);
        return 0;
    }
    return 1;
}

SEC("cgroup_skb/egress")
int cg_skb_egress(struct __sk_buff *skb)
{
    int port = udp_dest_port(skb);
    if (port >= 0 && marker_port && port == marker_port)
        bump(1);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
