// SPDX-License-Identifier: GPL-2.0
// The XDP program of `swiftbpf firewall`. For each IPv4 or IPv6 packet (after up to two VLAN
// tags) it decides, first match wins:
//   1. the source address's longest prefix in src4/src6 names a rule;
//   2. the source is in the blocklist (an LPM trie swapped whole into blocklist4/blocklist6);
//   3. TCP/UDP destination port: ports[] names a rule (a range fills several slots);
//   4. the IP protocol: protocols[] names a rule;
//   5. the default policy (config).
// A rule whose action is count (a shadow rule) counts the packet and the walk goes on.
// Every rule has per-CPU packet and byte counters; non-IP frames (ARP, ...) always pass.
// User space owns the rule table (rules[]); this program only reads it.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FW_MAX_RULES 1024
#define FW_SLOT_DEFAULT FW_MAX_RULES
#define FW_SLOT_BLOCKLIST (FW_MAX_RULES + 1)
#define FW_COUNTER_SLOTS (FW_MAX_RULES + 2)
#define FW_PORT_SLOTS (2 * 65536)
#define FW_BLOCKLIST_MAX (1 << 20)

enum fw_action { FW_NONE = 0, FW_ALLOW = 1, FW_DENY = 2, FW_COUNT = 3 };

struct fw_lpm4_key {
    __u32 prefixlen;
    __u8 addr[4];
};

struct fw_lpm6_key {
    __u32 prefixlen;
    __u8 addr[16];
};

// One rule, as user space describes it; the program reads only `action`.
struct fw_rule {
    __u8 action;      // enum fw_action; FW_NONE: the slot is free
    __u8 kind;        // 1 source IPv4 prefix, 2 source IPv6 prefix, 3 protocol+ports, 4 protocol
    __u8 protocol;    // IPPROTO_* (kinds 3 and 4)
    __u8 prefixlen;   // kinds 1 and 2
    __u16 port_first; // kind 3, host order
    __u16 port_last;
    __u8 flags;       // bit 0: a deny turned into count by --dry-run
    __u8 reserved[3];
    __u8 addr[16];    // network order; IPv4 in the first 4 bytes
};

struct fw_counter {
    __u64 packets;
    __u64 bytes;
};

struct fw_config {
    __u32 default_action;   // FW_ALLOW, FW_DENY or FW_COUNT (a dry-run deny)
    __u32 blocklist_action; // FW_DENY or FW_COUNT
    // For user space only (status): entries in the blocklists, and the attach mode
    // (1 native, 2 generic).
    __u32 blocklist4_entries;
    __u32 blocklist6_entries;
    __u32 xdp_mode;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, FW_MAX_RULES);
    __type(key, __u32);
    __type(value, struct fw_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rules SEC(".maps");

// Slot i < FW_MAX_RULES: rule i; then the default policy and the blocklist.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, FW_COUNTER_SLOTS);
    __type(key, __u32);
    __type(value, struct fw_counter);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct fw_config);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} config SEC(".maps");

// Source prefix -> rule id.
struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, FW_MAX_RULES);
    __type(key, struct fw_lpm4_key);
    __type(value, __u32);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} src4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, FW_MAX_RULES);
    __type(key, struct fw_lpm6_key);
    __type(value, __u32);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} src6 SEC(".maps");

// (0 for TCP, 1 for UDP) * 65536 + destination port -> rule id (0: none).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, FW_PORT_SLOTS);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} ports SEC(".maps");

// IP protocol (IPv6: next header) -> rule id (0: none).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} protocols SEC(".maps");

// The blocklists: slot 0 holds an LPM trie built by user space and replaced whole in one
// BPF_MAP_UPDATE_ELEM, so a packet sees either the old list or the new one.
struct blocklist4_inner {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, FW_BLOCKLIST_MAX);
    __type(key, struct fw_lpm4_key);
    __type(value, __u32);
    __uint(map_flags, BPF_F_NO_PREALLOC);
};

struct blocklist6_inner {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, FW_BLOCKLIST_MAX);
    __type(key, struct fw_lpm6_key);
    __type(value, __u32);
    __uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1);
    __type(key, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
    __array(values, struct blocklist4_inner);
} blocklist4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1);
    __type(key, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
    __array(values, struct blocklist6_inner);
} blocklist6 SEC(".maps");

struct vlan_hdr {
    __be16 tci;
    __be16 encapsulated_proto;
};

static __always_inline void count(__u32 slot, __u64 bytes)
{
    struct fw_counter *c = bpf_map_lookup_elem(&counters, &slot);
    if (c) {
        c->packets++;
        c->bytes += bytes;
    }
}

// Applies rule `id`: returns 1 with *verdict set when the rule decides, 0 to go on (no such
// rule, a free slot, or a count rule).
static __always_inline int apply(__u32 id, __u64 bytes, int *verdict)
{
    struct fw_rule *r = bpf_map_lookup_elem(&rules, &id);
    if (!r || r->action == FW_NONE)
        return 0;
    count(id, bytes);
    if (r->action == FW_COUNT)
        return 0;
    *verdict = r->action == FW_DENY ? XDP_DROP : XDP_PASS;
    return 1;
}

static __always_inline int lookup_id(void *map, __u32 key, __u64 bytes, int *verdict)
{
    __u32 *id = bpf_map_lookup_elem(map, &key);
    if (!id || *id == 0)
        return 0;
    return apply(*id, bytes, verdict);
}

SEC("xdp")
int firewall(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    __u64 bytes = end - data;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_PASS;
    __u16 proto = eth->h_proto;
    void *cursor = eth + 1;
#pragma unroll
    for (int i = 0; i < 2; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
            break;
        struct vlan_hdr *vlan = cursor;
        if ((void *)(vlan + 1) > end)
            return XDP_PASS;
        proto = vlan->encapsulated_proto;
        cursor = vlan + 1;
    }

    int verdict = XDP_PASS;
    __u8 l4proto;
    void *l4;
    int has_ports;
    __u32 zero = 0;
    void *blocklist;

    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = cursor;
        if ((void *)(ip + 1) > end || ip->ihl < 5)
            return XDP_PASS;  // not a packet the stack would take either
        struct fw_lpm4_key key = { .prefixlen = 32 };
        __builtin_memcpy(key.addr, &ip->saddr, 4);
        __u32 *id = bpf_map_lookup_elem(&src4, &key);
        if (id && apply(*id, bytes, &verdict))
            return verdict;
        blocklist = bpf_map_lookup_elem(&blocklist4, &zero);
        if (blocklist && bpf_map_lookup_elem(blocklist, &key))
            goto blocked;
        l4proto = ip->protocol;
        l4 = (void *)ip + ip->ihl * 4;
        // Only the first fragment carries the ports.
        has_ports = (ip->frag_off & bpf_htons(0x1fff)) == 0;
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = cursor;
        if ((void *)(ip6 + 1) > end)
            return XDP_PASS;
        struct fw_lpm6_key key = { .prefixlen = 128 };
        __builtin_memcpy(key.addr, &ip6->saddr, 16);
        __u32 *id = bpf_map_lookup_elem(&src6, &key);
        if (id && apply(*id, bytes, &verdict))
            return verdict;
        blocklist = bpf_map_lookup_elem(&blocklist6, &zero);
        if (blocklist && bpf_map_lookup_elem(blocklist, &key))
            goto blocked;
        // Extension headers are not walked: their next-header value is the protocol.
        l4proto = ip6->nexthdr;
        l4 = ip6 + 1;
        has_ports = 1;
    } else {
        return XDP_PASS;
    }

    if (has_ports && (l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP)) {
        __be16 *dport = l4 + 2;
        if ((void *)(dport + 1) > end)
            return XDP_PASS;
        __u32 slot = (l4proto == IPPROTO_UDP ? 65536 : 0) + bpf_ntohs(*dport);
        if (lookup_id(&ports, slot, bytes, &verdict))
            return verdict;
    }
    if (lookup_id(&protocols, l4proto, bytes, &verdict))
        return verdict;

    struct fw_config *cfg = bpf_map_lookup_elem(&config, &zero);
    if (!cfg)
        return XDP_PASS;
    // A default deny keeps IPv6 neighbour discovery (ICMPv6 133-137), as ARP passes for IPv4.
    if (cfg->default_action == FW_DENY && l4proto == 58 /* IPPROTO_ICMPV6 */) {
        __u8 *type = l4;
        if ((void *)(type + 1) <= end && *type >= 133 && *type <= 137)
            return XDP_PASS;
    }
    count(FW_SLOT_DEFAULT, bytes);
    return cfg->default_action == FW_DENY ? XDP_DROP : XDP_PASS;

blocked:
    count(FW_SLOT_BLOCKLIST, bytes);
    cfg = bpf_map_lookup_elem(&config, &zero);
    return cfg && cfg->blocklist_action == FW_COUNT ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
