// SPDX-License-Identifier: GPL-2.0
// The XDP program of `swiftbpf firewall`. For each IPv4 or IPv6 packet (after up to two VLAN
// tags) it decides, first decision wins:
//   0. rate limits: the source's longest prefix in limit4/limit6 names a limit rule; a source
//      over its token bucket (packets/s, bytes/s) is dropped, otherwise the walk goes on;
//   1. address+port tuples: (source or destination address, TCP/UDP, destination port);
//   2. the source address's longest prefix in src4/src6;
//   3. the destination address's longest prefix in dst4/dst6;
//   4. the blocklist (an LPM trie swapped whole into blocklist4/blocklist6);
//   5. TCP/UDP destination port (ports[]; a range fills several slots);
//   6. ICMP/ICMPv6 type (icmp_types[]);
//   7. the IP protocol (protocols[]);
//   8. the default policy (config).
// A rule whose action is count (a shadow rule) counts the packet and the walk goes on. Every
// rule has per-CPU packet and byte counters. Stages user space has no rule for are skipped
// (config.stages), so an unused stage costs no lookup. Every drop is counted per source in an
// LRU map (top dropped sources) and, when a watcher asks, sampled into a ring buffer.
// Non-IP frames (ARP, ...) always pass. User space owns the rule table; this program reads it.
// swiftbpf:record fw_event
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
#define FW_SLOT_EVENTS_SENT (FW_MAX_RULES + 2)
#define FW_SLOT_EVENTS_LOST (FW_MAX_RULES + 3)       // the ring buffer was full
#define FW_SLOT_EVENTS_SUPPRESSED (FW_MAX_RULES + 4) // over the event rate
#define FW_COUNTER_SLOTS (FW_MAX_RULES + 5)
#define FW_PORT_SLOTS (2 * 65536)
#define FW_BLOCKLIST_MAX (1 << 20)
#define FW_TUPLES_MAX 65536
#define FW_SOURCES_MAX 16384
#define NSEC 1000000000ULL

enum fw_action { FW_NONE = 0, FW_ALLOW = 1, FW_DENY = 2, FW_COUNT = 3, FW_LIMIT = 4 };

// config.stages: the stages that have at least one rule.
enum fw_stage {
    FW_STAGE_LIMIT = 1, FW_STAGE_TUPLE_SRC = 2, FW_STAGE_TUPLE_DST = 4, FW_STAGE_SRC = 8,
    FW_STAGE_DST = 16, FW_STAGE_PORTS = 32, FW_STAGE_ICMP = 64, FW_STAGE_PROTO = 128,
};

struct fw_lpm4_key {
    __u32 prefixlen;
    __u8 addr[4];
};

struct fw_lpm6_key {
    __u32 prefixlen;
    __u8 addr[16];
};

// An address+port tuple: the source (dir 0) or destination (dir 1) address and the TCP or
// UDP destination port.
struct fw_tuple_key {
    __u8 family;   // 4 or 6
    __u8 dir;
    __u8 protocol;
    __u8 reserved;
    __u16 port;    // host order
    __u16 reserved2;
    __u8 addr[16]; // network order; IPv4 in the first 4 bytes
};

// One rule, as user space describes it; the program reads `action`, `flags` and the limits.
struct fw_rule {
    __u8 action;      // enum fw_action; FW_NONE: the slot is free
    __u8 kind;        // see FirewallABI.Kind
    __u8 protocol;    // IPPROTO_*
    __u8 prefixlen;
    __u16 port_first; // ports, or ICMP types; host order
    __u16 port_last;
    __u8 flags;       // bit 0: a deny (or limit) turned into count by --dry-run; bit 1: one
                      // bucket for the whole prefix instead of one per source address
    __u8 reserved[7];
    __u8 addr[16];    // network order; IPv4 in the first 4 bytes
    // Limits (FW_LIMIT): rates per second, bursts, and the time an empty bucket takes to fill
    // (burst * 1e9 / rate, from user space, so the program never divides). 0: no such limit.
    __u64 rate_packets;
    __u64 burst_packets;
    __u64 fill_ns_packets;
    __u64 rate_bytes;
    __u64 burst_bytes;
    __u64 fill_ns_bytes;
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
    __u32 stages;           // enum fw_stage bits
    __u32 track_sources;    // count drops per source address
    __u32 event_sample;     // 0: no events; N: one drop in N becomes an event
    __u64 event_rate;       // most events per second (a token bucket)
};

// A drop event for `firewall watch`.
struct fw_event {
    __u64 timestamp_ns;     // bpf_ktime_get_ns
    __u32 rule;             // rule id, or FW_SLOT_DEFAULT / FW_SLOT_BLOCKLIST
    __u32 bytes;
    __u8 family;
    __u8 protocol;
    __u16 source_port;      // host order; 0 without ports
    __u16 destination_port;
    __u8 action;            // FW_DENY or FW_LIMIT
    __u8 reserved;
    __u8 source[16];
    __u8 destination[16];
};

// The token buckets of one source (or one prefix), and what it had limited.
struct fw_limit_key {
    __u32 rule;
    __u8 addr[16];
};

struct fw_bucket {
    __u64 last_ns;
    __u64 credit_packets;   // tokens * 1e9
    __u64 credit_bytes;
    __u64 limited_packets;
    __u64 limited_bytes;
    __u64 passed_packets;
};

struct fw_source_key {
    __u8 family;
    __u8 reserved[3];
    __u8 addr[16];
};

struct fw_event_bucket {
    __u64 last_ns;
    __u64 credit;           // events * 1e9
    __u64 sampled;          // drops seen, for 1-in-N sampling
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, FW_MAX_RULES);
    __type(key, __u32);
    __type(value, struct fw_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rules SEC(".maps");

// Slot i < FW_MAX_RULES: rule i; then the default policy, the blocklist and the events.
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

#define FW_LPM(name, keytype)                      \
    struct {                                       \
        __uint(type, BPF_MAP_TYPE_LPM_TRIE);       \
        __uint(max_entries, FW_MAX_RULES);         \
        __type(key, struct keytype);               \
        __type(value, __u32);                      \
        __uint(map_flags, BPF_F_NO_PREALLOC);      \
        __uint(pinning, LIBBPF_PIN_BY_NAME);       \
    } name SEC(".maps")

// Prefix -> rule id: sources, destinations, rate limits (by source).
FW_LPM(src4, fw_lpm4_key);
FW_LPM(src6, fw_lpm6_key);
FW_LPM(dst4, fw_lpm4_key);
FW_LPM(dst6, fw_lpm6_key);
FW_LPM(limit4, fw_lpm4_key);
FW_LPM(limit6, fw_lpm6_key);

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, FW_TUPLES_MAX);
    __type(key, struct fw_tuple_key);
    __type(value, __u32);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} tuples SEC(".maps");

// (0 for TCP, 1 for UDP) * 65536 + destination port -> rule id (0: none).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, FW_PORT_SLOTS);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} ports SEC(".maps");

// ICMP type (IPv4), 256 + ICMPv6 type -> rule id (0: none).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 512);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} icmp_types SEC(".maps");

// IP protocol (IPv6: next header) -> rule id (0: none).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} protocols SEC(".maps");

// The rate limits' buckets, one per (rule, source); the least recently seen go first.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, FW_SOURCES_MAX);
    __type(key, struct fw_limit_key);
    __type(value, struct fw_bucket);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} buckets SEC(".maps");

// Drops per source address (top dropped sources).
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, FW_SOURCES_MAX);
    __type(key, struct fw_source_key);
    __type(value, struct fw_counter);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} dropped_sources SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct fw_event_bucket);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} event_bucket SEC(".maps");

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

// What the walk knows of the packet.
struct packet {
    __u64 bytes;
    __u8 family;
    __u8 protocol;
    __u8 has_ports;
    __u8 has_icmp;
    __u16 source_port;
    __u16 destination_port;
    __u8 icmp_type;
    __u8 source[16];
    __u8 destination[16];
};

static __always_inline void count(__u32 slot, __u64 bytes)
{
    struct fw_counter *c = bpf_map_lookup_elem(&counters, &slot);
    if (c) {
        c->packets++;
        c->bytes += bytes;
    }
}

// Refills a bucket of `rate` per second after `elapsed` ns and takes `cost` tokens if it has
// them. Credits are tokens * 1e9, so a rate needs no division here.
static __always_inline int take(__u64 *credit, __u64 elapsed, __u64 rate, __u64 burst, __u64 fill_ns, __u64 cost)
{
    __u64 cap = burst * NSEC;
    if (elapsed >= fill_ns)
        *credit = cap;
    else if (*credit + elapsed * rate > cap)
        *credit = cap;
    else
        *credit += elapsed * rate;
    if (*credit < cost * NSEC)
        return 0;
    *credit -= cost * NSEC;
    return 1;
}

// Whether the packet is over limit rule `r` (id `id`) for its source.
static __always_inline int over_limit(__u32 id, struct fw_rule *r, struct packet *p)
{
    struct fw_limit_key key = { .rule = id };
    if (!(r->flags & 2))
        __builtin_memcpy(key.addr, p->source, 16);
    __u64 now = bpf_ktime_get_ns();
    struct fw_bucket *b = bpf_map_lookup_elem(&buckets, &key);
    if (!b) {
        // A new source starts with full buckets.
        struct fw_bucket fresh = {
            .last_ns = now,
            .credit_packets = r->burst_packets * NSEC,
            .credit_bytes = r->burst_bytes * NSEC,
        };
        bpf_map_update_elem(&buckets, &key, &fresh, BPF_NOEXIST);
        b = bpf_map_lookup_elem(&buckets, &key);
        if (!b)
            return 0;
    }
    // Two CPUs may refill the same bucket at once; the loss is a token at most.
    __u64 elapsed = now > b->last_ns ? now - b->last_ns : 0;
    b->last_ns = now;
    __u64 packets = b->credit_packets, bytes = b->credit_bytes;
    int ok = 1;
    if (r->rate_packets && !take(&packets, elapsed, r->rate_packets, r->burst_packets, r->fill_ns_packets, 1))
        ok = 0;
    if (r->rate_bytes && !take(&bytes, elapsed, r->rate_bytes, r->burst_bytes, r->fill_ns_bytes, p->bytes))
        ok = 0;
    if (ok) {
        // Both buckets had the tokens: both give them.
        b->credit_packets = packets;
        b->credit_bytes = bytes;
        __sync_fetch_and_add(&b->passed_packets, 1);
        return 0;
    }
    // Only the refill stays: a limited packet takes no tokens.
    if (r->rate_packets) {
        take(&b->credit_packets, elapsed, r->rate_packets, r->burst_packets, r->fill_ns_packets, 0);
    }
    if (r->rate_bytes) {
        take(&b->credit_bytes, elapsed, r->rate_bytes, r->burst_bytes, r->fill_ns_bytes, 0);
    }
    __sync_fetch_and_add(&b->limited_packets, 1);
    __sync_fetch_and_add(&b->limited_bytes, p->bytes);
    return 1;
}

// Records a drop: per source, and as a sampled, rate-limited event.
static __always_inline void dropped(struct fw_config *cfg, struct packet *p, __u32 rule, __u8 action)
{
    if (!cfg)
        return;
    if (cfg->track_sources) {
        struct fw_source_key key = { .family = p->family };
        __builtin_memcpy(key.addr, p->source, 16);
        struct fw_counter *c = bpf_map_lookup_elem(&dropped_sources, &key);
        if (c) {
            __sync_fetch_and_add(&c->packets, 1);
            __sync_fetch_and_add(&c->bytes, p->bytes);
        } else {
            struct fw_counter first = { .packets = 1, .bytes = p->bytes };
            bpf_map_update_elem(&dropped_sources, &key, &first, BPF_ANY);
        }
    }
    if (!cfg->event_sample)
        return;
    __u32 zero = 0;
    struct fw_event_bucket *eb = bpf_map_lookup_elem(&event_bucket, &zero);
    if (!eb)
        return;
    if (cfg->event_sample > 1 && __sync_fetch_and_add(&eb->sampled, 1) % cfg->event_sample != 0)
        return;
    __u64 now = bpf_ktime_get_ns();
    __u64 elapsed = now > eb->last_ns ? now - eb->last_ns : 0;
    eb->last_ns = now;
    __u64 rate = cfg->event_rate ? cfg->event_rate : 1;
    // Burst: one second of events; filling an empty bucket takes a second.
    if (!take(&eb->credit, elapsed, rate, rate, NSEC, 1)) {
        count(FW_SLOT_EVENTS_SUPPRESSED, p->bytes);
        return;
    }
    struct fw_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        count(FW_SLOT_EVENTS_LOST, p->bytes);
        return;
    }
    e->timestamp_ns = now;
    e->rule = rule;
    e->bytes = p->bytes;
    e->family = p->family;
    e->protocol = p->protocol;
    e->source_port = p->has_ports ? p->source_port : 0;
    e->destination_port = p->has_ports ? p->destination_port : 0;
    e->action = action;
    e->reserved = 0;
    __builtin_memcpy(e->source, p->source, 16);
    __builtin_memcpy(e->destination, p->destination, 16);
    bpf_ringbuf_submit(e, 0);
    count(FW_SLOT_EVENTS_SENT, p->bytes);
}

// Applies rule `id`: returns 1 with *verdict set when the rule decides, 0 to go on (no such
// rule, a free slot, or a count rule).
static __always_inline int apply(__u32 id, struct packet *p, struct fw_config *cfg, int *verdict)
{
    struct fw_rule *r = bpf_map_lookup_elem(&rules, &id);
    if (!r || r->action == FW_NONE)
        return 0;
    count(id, p->bytes);
    if (r->action == FW_COUNT)
        return 0;
    if (r->action == FW_DENY) {
        dropped(cfg, p, id, FW_DENY);
        *verdict = XDP_DROP;
    } else {
        *verdict = XDP_PASS;
    }
    return 1;
}

static __always_inline int lookup_id(void *map, void *key, struct packet *p, struct fw_config *cfg, int *verdict)
{
    __u32 *id = bpf_map_lookup_elem(map, key);
    if (!id || *id == 0)
        return 0;
    return apply(*id, p, cfg, verdict);
}

static __always_inline int lookup_prefix(void *map4, void *map6, __u8 *addr, struct packet *p, struct fw_config *cfg, int *verdict)
{
    if (p->family == 4) {
        struct fw_lpm4_key k = { .prefixlen = 32 };
        __builtin_memcpy(k.addr, addr, 4);
        return lookup_id(map4, &k, p, cfg, verdict);
    }
    struct fw_lpm6_key k = { .prefixlen = 128 };
    __builtin_memcpy(k.addr, addr, 16);
    return lookup_id(map6, &k, p, cfg, verdict);
}

static __always_inline int lookup_tuple(__u8 dir, __u8 *addr, struct packet *p, struct fw_config *cfg, int *verdict)
{
    struct fw_tuple_key k = { .family = p->family, .dir = dir, .protocol = p->protocol, .port = p->destination_port };
    __builtin_memcpy(k.addr, addr, 16);
    return lookup_id(&tuples, &k, p, cfg, verdict);
}

static __always_inline int limited(struct packet *p)
{
    __u32 *id;
    if (p->family == 4) {
        struct fw_lpm4_key k = { .prefixlen = 32 };
        __builtin_memcpy(k.addr, p->source, 4);
        id = bpf_map_lookup_elem(&limit4, &k);
    } else {
        struct fw_lpm6_key k = { .prefixlen = 128 };
        __builtin_memcpy(k.addr, p->source, 16);
        id = bpf_map_lookup_elem(&limit6, &k);
    }
    if (!id || *id == 0)
        return 0;
    __u32 rule = *id;
    struct fw_rule *r = bpf_map_lookup_elem(&rules, &rule);
    if (!r || r->action != FW_LIMIT || !over_limit(rule, r, p))
        return 0;
    count(rule, p->bytes);
    // A dry-run limit counts what it would drop.
    return r->flags & 1 ? 0 : (int)rule;
}

SEC("xdp")
int firewall(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct packet p = { .bytes = end - data };
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

    void *l4;
    int first_fragment;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = cursor;
        if ((void *)(ip + 1) > end || ip->ihl < 5)
            return XDP_PASS;  // not a packet the stack would take either
        p.family = 4;
        __builtin_memcpy(p.source, &ip->saddr, 4);
        __builtin_memcpy(p.destination, &ip->daddr, 4);
        p.protocol = ip->protocol;
        l4 = (void *)ip + ip->ihl * 4;
        // Only the first fragment carries the ports and the ICMP type.
        first_fragment = (ip->frag_off & bpf_htons(0x1fff)) == 0;
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = cursor;
        if ((void *)(ip6 + 1) > end)
            return XDP_PASS;
        p.family = 6;
        __builtin_memcpy(p.source, &ip6->saddr, 16);
        __builtin_memcpy(p.destination, &ip6->daddr, 16);
        // Extension headers are not walked: their next-header value is the protocol.
        p.protocol = ip6->nexthdr;
        l4 = ip6 + 1;
        first_fragment = 1;
    } else {
        return XDP_PASS;
    }
    if (first_fragment && (p.protocol == IPPROTO_TCP || p.protocol == IPPROTO_UDP)) {
        __be16 *ports = l4;
        if ((void *)(ports + 2) > end)
            return XDP_PASS;
        p.has_ports = 1;
        p.source_port = bpf_ntohs(ports[0]);
        p.destination_port = bpf_ntohs(ports[1]);
    } else if (first_fragment && (p.protocol == IPPROTO_ICMP || p.protocol == 58 /* IPPROTO_ICMPV6 */)) {
        __u8 *type = l4;
        if ((void *)(type + 1) > end)
            return XDP_PASS;
        p.has_icmp = 1;
        p.icmp_type = *type;
    }

    __u32 zero = 0;
    struct fw_config *cfg = bpf_map_lookup_elem(&config, &zero);
    if (!cfg)
        return XDP_PASS;
    __u32 stages = cfg->stages;
    int verdict = XDP_PASS;

    if (stages & FW_STAGE_LIMIT) {
        int rule = limited(&p);
        if (rule) {
            dropped(cfg, &p, rule, FW_LIMIT);
            return XDP_DROP;
        }
    }
    if (p.has_ports && (stages & FW_STAGE_TUPLE_SRC) && lookup_tuple(0, p.source, &p, cfg, &verdict))
        return verdict;
    if (p.has_ports && (stages & FW_STAGE_TUPLE_DST) && lookup_tuple(1, p.destination, &p, cfg, &verdict))
        return verdict;
    if ((stages & FW_STAGE_SRC) && lookup_prefix(&src4, &src6, p.source, &p, cfg, &verdict))
        return verdict;
    if ((stages & FW_STAGE_DST) && lookup_prefix(&dst4, &dst6, p.destination, &p, cfg, &verdict))
        return verdict;

    // Each family's trie is looked up on its own path (one map per call site).
    int hit = 0;
    if (p.family == 4) {
        void *blocklist = bpf_map_lookup_elem(&blocklist4, &zero);
        struct fw_lpm4_key k = { .prefixlen = 32 };
        __builtin_memcpy(k.addr, p.source, 4);
        hit = blocklist && bpf_map_lookup_elem(blocklist, &k) != 0;
    } else {
        void *blocklist = bpf_map_lookup_elem(&blocklist6, &zero);
        struct fw_lpm6_key k = { .prefixlen = 128 };
        __builtin_memcpy(k.addr, p.source, 16);
        hit = blocklist && bpf_map_lookup_elem(blocklist, &k) != 0;
    }
    if (hit) {
        count(FW_SLOT_BLOCKLIST, p.bytes);
        if (cfg->blocklist_action == FW_COUNT)
            return XDP_PASS;
        dropped(cfg, &p, FW_SLOT_BLOCKLIST, FW_DENY);
        return XDP_DROP;
    }

    if (p.has_ports && (stages & FW_STAGE_PORTS)) {
        __u32 slot = (p.protocol == IPPROTO_UDP ? 65536 : 0) + p.destination_port;
        if (lookup_id(&ports, &slot, &p, cfg, &verdict))
            return verdict;
    }
    if (p.has_icmp && (stages & FW_STAGE_ICMP)) {
        __u32 slot = (p.family == 6 ? 256 : 0) + p.icmp_type;
        if (lookup_id(&icmp_types, &slot, &p, cfg, &verdict))
            return verdict;
    }
    if (stages & FW_STAGE_PROTO) {
        __u32 slot = p.protocol;
        if (lookup_id(&protocols, &slot, &p, cfg, &verdict))
            return verdict;
    }

    // A default deny keeps IPv6 neighbour discovery (ICMPv6 133-137), as ARP passes for IPv4.
    if (cfg->default_action == FW_DENY && p.family == 6 && p.has_icmp && p.icmp_type >= 133 && p.icmp_type <= 137)
        return XDP_PASS;
    count(FW_SLOT_DEFAULT, p.bytes);
    if (cfg->default_action != FW_DENY)
        return XDP_PASS;
    dropped(cfg, &p, FW_SLOT_DEFAULT, FW_DENY);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
