// SPDX-License-Identifier: GPL-2.0
// The kernel side of `swiftbpf flows`: per-connection metrics aggregated in maps, without
// kprobes or fentry.
//   - sockops on the cgroup v2 root: a TCP connection is tracked from its ESTABLISHED callback
//     (BPF_SOCK_OPS_{ACTIVE,PASSIVE}_ESTABLISHED_CB), which turns on the state, RTT and
//     retransmit callbacks (bpf_sock_ops_cb_flags_set); each callback refreshes the counters.
//   - tp_btf/inet_sock_set_state: the owning process at connect(2) and close(2) (process
//     context), the FIN bookkeeping, and the final counters at TCP_CLOSE, sent as a closed
//     record on the ring buffer before the entry goes.
//   - tp_btf/tcp_rcv_space_adjust: the owner of an accepted connection, when it first reads.
//   - iter/tcp: connections that predate the tool (and a refresh of them), and the listeners
//     that tell an accepted pre-existing connection from an outgoing one.
//   - cgroup_skb ingress/egress on the root: UDP flows (bytes and packets each way) and the
//     DNS messages of port 53, copied whole (up to FLOW_DNS_MAX bytes) for the Swift parser.
//   - cgroup/sock_create: the owner of a UDP socket, its creator, noted at socket(2). cgroup_skb
//     runs in softirq as well as in the sender's context, and only recent kernels (6.18 here)
//     give it the current-task helpers: Debian 12's 6.1 refuses bpf_get_current_pid_tgid there
//     ("unknown func"), while cgroup_sock programs have had them since 4.x.
// TCP byte counts are the kernel's RFC 4898 counters (bytes_acked, bytes_received), which count
// sequence space: user space subtracts the SYN (acked on the active side) and the FINs, using
// the flags kept here (FLOW_FIN_QUEUED with snd_una == write_seq, and SOCK_DONE).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "swiftbpf_ringbuf.h"

#define FLOW_COMM_LEN 16
#define E2BIG 7
#define FLOW_DNS_MAX 512
#define FLOW_AF_INET 2
#define FLOW_AF_INET6 10
#define FLOW_IPPROTO_TCP 6
#define FLOW_IPPROTO_UDP 17
#define FLOW_ETH_P_IP 0x0800
#define FLOW_ETH_P_IPV6 0x86DD

// TCP states (include/net/tcp_states.h)
#define FLOW_TCP_ESTABLISHED 1
#define FLOW_TCP_SYN_SENT 2
#define FLOW_TCP_FIN_WAIT1 4
#define FLOW_TCP_FIN_WAIT2 5
#define FLOW_TCP_TIME_WAIT 6
#define FLOW_TCP_CLOSE 7
#define FLOW_TCP_LAST_ACK 9
#define FLOW_TCP_LISTEN 10
#define FLOW_TCP_CLOSING 11
#define FLOW_TCP_NEW_SYN_RECV 12

// sock_ops ops and callback flags (UAPI enum values; vmlinux.h has them too)
#define FLOW_CB_FLAGS (BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG | BPF_SOCK_OPS_RETRANS_CB_FLAG)

#define FLOW_SOCK_DONE 1   // enum sock_flags: SOCK_DONE, set by tcp_fin()

// Record kinds at the start of every ring buffer record.
#define FLOW_KIND_CLOSED 1
#define FLOW_KIND_DNS 2

// struct flow.flags
#define FLOW_PREEXISTING 1    // found by the iterator, not seen established
#define FLOW_FIN_QUEUED 2     // this side sent its FIN (FIN_WAIT1 or LAST_ACK seen)
#define FLOW_FIN_OUT_ACKED 4  // ... and the peer acknowledged it (snd_una == write_seq)
#define FLOW_FIN_IN 8         // the peer's FIN arrived (SOCK_DONE)
#define FLOW_OWNED 16         // owner is the process that connected, closed or read
#define FLOW_CLOSED 32

// Indexes of flow_stats.
#define STAT_RING_LOST 0
#define STAT_TCP_FULL 1
#define STAT_UDP_FULL 2
#define STAT_OWNER_FULL 3
#define STAT_DNS_CUT 4
#define STAT_SLOTS 8

// --- filters, frozen before load --------------------------------------------------------------
const volatile __u32 targ_tgid = 0;            // 0: any process
const volatile __u32 targ_comm_len = 0;        // 0: any command
const volatile char targ_comm[FLOW_COMM_LEN] = {};
const volatile __u8 targ_cgroup = 0;           // 1: only processes under flow_cgroup[0]
const volatile __u16 targ_port = 0;            // 0: any; else the local or the remote port
const volatile __u8 targ_family = 0;           // 0: any address; else the remote address ...
const volatile __u8 targ_prefixlen = 0;        // ... in targ_addr/targ_prefixlen
const volatile __u8 targ_addr[16] = {};
const volatile __u8 track_udp = 1;
const volatile __u8 track_dns = 1;
// Records wake the reader only once this many bytes wait (0: every record; see
// swiftbpf_ringbuf.h). Every reader polls with a timeout (at most the refresh interval), so a
// closed connection or a DNS message is read at the next poll at the latest; a busy machine's
// closes then cost a wakeup per batch, not one each.
const volatile __u32 wakeup_bytes = 0;

struct flow_owner {
    __u64 cgroup_id;
    __u32 tgid;
    __u32 uid;
    char comm[FLOW_COMM_LEN];
};

// One connection (TCP: one socket, keyed by its cookie) or one UDP socket and peer.
struct flow {
    __u32 kind;          // FLOW_KIND_CLOSED on the ring buffer
    __u32 flags;
    __u8 laddr[16];      // IPv4 in the first 4 bytes; network order
    __u8 raddr[16];
    __u16 lport;         // host order
    __u16 rport;
    __u8 family;         // AF_INET or AF_INET6
    __u8 protocol;       // IPPROTO_TCP or IPPROTO_UDP
    __u8 direction;      // 0 unknown (pre-existing), 1 outgoing, 2 incoming
    __u8 state;          // TCP state (include/net/tcp_states.h)
    __u32 netns;         // the network namespace's inode number
    __u32 srtt_us;       // smoothed RTT (tcp_sock.srtt_us >> 3), as tcpi_rtt
    __u32 rttvar_us;     // mdev_us >> 2, as tcpi_rttvar
    __u32 total_retrans; // tcpi_total_retrans
    __u32 reserved;
    __u64 cookie;        // socket cookie
    __u64 start_ns;      // bpf_ktime_get_ns() when first seen
    __u64 last_ns;       // ... when last updated
    __u64 bytes_out;     // TCP: bytes_acked (sequence space); UDP: payload bytes
    __u64 bytes_in;      // TCP: bytes_received (sequence space); UDP: payload bytes
    __u64 packets_out;   // TCP: data_segs_out; UDP: datagrams
    __u64 packets_in;    // TCP: data_segs_in; UDP: datagrams
    __u64 inode;         // the socket's inode (pre-existing connections), 0 if unknown
    struct flow_owner owner;
};

struct udp_key {
    __u64 cookie;
    __u8 raddr[16];
    __u16 rport;
    __u8 family;
    __u8 pad[5];
};

struct listener_key {
    __u32 netns;
    __u16 port;
    __u16 pad;
};

struct dns_event {
    __u32 kind;          // FLOW_KIND_DNS
    __u32 length;        // bytes of the DNS message (data holds at most FLOW_DNS_MAX)
    __u64 timestamp_ns;
    __u64 cookie;        // the client socket
    __u8 saddr[16];
    __u8 daddr[16];
    __u16 sport;
    __u16 dport;
    __u8 family;
    __u8 is_response;
    __u8 pad[2];
    struct flow_owner owner; // the sender of a query (egress); zero for a response
    __u8 data[FLOW_DNS_MAX];
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);
    __type(value, struct flow);
} tcp_flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, struct udp_key);
    __type(value, struct flow);
} udp_flows SEC(".maps");

// Owner of a socket, by cookie, noted in process context before the flow exists (connect).
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);
    __type(value, struct flow_owner);
} owners SEC(".maps");

// Sockets whose owner fails the process filters: never tracked.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);
    __type(value, __u8);
} ignored SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, struct listener_key);
    __type(value, __u8);
} listeners SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, STAT_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} flow_stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} flow_cgroup SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1024 * 1024);
} flow_events SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&flow_stats, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

// --- filters ------------------------------------------------------------------------------------

static __always_inline int comm_matches(const char *comm)
{
    for (int i = 0; i < FLOW_COMM_LEN; i++) {
        if (i >= targ_comm_len)
            return comm[i] == 0;
        if (comm[i] != targ_comm[i])
            return 0;
    }
    return 1;
}

static __always_inline int process_filter_on(void)
{
    return targ_tgid || targ_comm_len || targ_cgroup;
}

// The current task as owner; 0 if it fails the pid or comm filter. Tracing and cgroup_sock
// programs (process context); the cgroup filter is each caller's, with what its type offers.
static __always_inline int current_owner(struct flow_owner *o)
{
    o->tgid = bpf_get_current_pid_tgid() >> 32;
    o->uid = (__u32)bpf_get_current_uid_gid();
    o->cgroup_id = bpf_get_current_cgroup_id();
    bpf_get_current_comm(o->comm, sizeof(o->comm));
    if (targ_tgid && o->tgid != targ_tgid)
        return 0;
    if (targ_comm_len && !comm_matches(o->comm))
        return 0;
    return 1;
}

static __always_inline int addr_port_pass(const __u8 *raddr, __u8 family, __u16 lport, __u16 rport)
{
    if (targ_port && lport != targ_port && rport != targ_port)
        return 0;
    if (targ_family) {
        if (family != targ_family)
            return 0;
        __u32 bits = targ_prefixlen;
        for (int i = 0; i < 16; i++) {
            if (bits == 0)
                break;
            __u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
            if ((raddr[i] & mask) != (targ_addr[i] & mask))
                return 0;
            bits = bits >= 8 ? bits - 8 : 0;
        }
    }
    return 1;
}

// --- TCP ----------------------------------------------------------------------------------------

static __always_inline void fill_tuple(struct flow *f, struct sock *sk)
{
    f->family = BPF_CORE_READ(sk, __sk_common.skc_family);
    f->protocol = FLOW_IPPROTO_TCP;
    f->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
    f->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    f->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
    if (f->family == FLOW_AF_INET) {
        __u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
        __u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
        __builtin_memcpy(f->laddr, &l, 4);
        __builtin_memcpy(f->raddr, &r, 4);
    } else {
        bpf_core_read(f->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
        bpf_core_read(f->raddr, 16, &sk->__sk_common.skc_v6_daddr);
    }
}

// Refreshes the counters of `f` from the socket (CO-RE reads).
// `tp` comes from bpf_skc_to_tcp_sock(), so the verifier knows its BTF type and these are
// plain loads (CO-RE relocated), not one bpf_probe_read_kernel() call each: this runs on
// every RTT sample and every read, and the ten helper calls were most of its cost.
static __always_inline void fill_counters(struct flow *f, struct tcp_sock *tp)
{
    struct sock_common *skc = &tp->inet_conn.icsk_inet.sk.__sk_common;
    f->state = skc->skc_state;
    f->bytes_out = tp->bytes_acked;
    f->bytes_in = tp->bytes_received;
    f->packets_out = tp->data_segs_out;
    f->packets_in = tp->data_segs_in;
    f->srtt_us = tp->srtt_us >> 3;
    f->rttvar_us = tp->mdev_us >> 2;
    f->total_retrans = tp->total_retrans;
    __u8 st = f->state;
    if (st == FLOW_TCP_FIN_WAIT1 || st == FLOW_TCP_FIN_WAIT2 || st == FLOW_TCP_CLOSING || st == FLOW_TCP_LAST_ACK)
        f->flags |= FLOW_FIN_QUEUED;
    if ((f->flags & FLOW_FIN_QUEUED) && tp->snd_una == tp->write_seq)
        f->flags |= FLOW_FIN_OUT_ACKED;
    if (skc->skc_flags & (1UL << FLOW_SOCK_DONE))
        f->flags |= FLOW_FIN_IN;
    f->last_ns = bpf_ktime_get_ns();
}

static __always_inline void attach_owner(struct flow *f, __u64 cookie)
{
    if (f->flags & FLOW_OWNED)
        return;
    struct flow_owner *o = bpf_map_lookup_elem(&owners, &cookie);
    if (o) {
        f->owner = *o;
        f->flags |= FLOW_OWNED;
    }
}

// Notes the current task as the owner of `cookie` (process context). Returns 0 when the task
// fails the process filters: the socket is then ignored from here on.
static __always_inline int note_owner(__u64 cookie)
{
    if (bpf_map_lookup_elem(&owners, &cookie))
        return 1;
    struct flow_owner o = {};
    int pass = current_owner(&o);
    if (pass && targ_cgroup && bpf_current_task_under_cgroup(&flow_cgroup, 0) != 1)
        pass = 0;
    if (!pass) {
        __u8 one = 1;
        bpf_map_update_elem(&ignored, &cookie, &one, BPF_ANY);
        bpf_map_delete_elem(&tcp_flows, &cookie);
        return 0;
    }
    if (bpf_map_update_elem(&owners, &cookie, &o, BPF_NOEXIST) == -E2BIG)
        count(STAT_OWNER_FULL);
    struct flow *f = bpf_map_lookup_elem(&tcp_flows, &cookie);
    if (f)
        attach_owner(f, cookie);
    return 1;
}

// A zeroed flow for the map (too big for the stack together with the rest).
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct flow);
} scratch SEC(".maps");

static __always_inline struct flow *new_flow(void)
{
    __u32 zero = 0;
    struct flow *f = bpf_map_lookup_elem(&scratch, &zero);
    if (f)
        __builtin_memset(f, 0, sizeof(*f));
    return f;
}

// Starts tracking TCP socket `sk`; returns the map's entry or NULL (filtered, or map full).
static __always_inline struct flow *track_tcp(struct sock *sk, __u64 cookie, __u8 direction, __u32 flags)
{
    if (bpf_map_lookup_elem(&ignored, &cookie))
        return NULL;
    struct flow *f = new_flow();
    if (!f)
        return NULL;
    fill_tuple(f, sk);
    if (f->family != FLOW_AF_INET && f->family != FLOW_AF_INET6)
        return NULL;
    if (!addr_port_pass(f->raddr, f->family, f->lport, f->rport))
        return NULL;
    f->cookie = cookie;
    f->direction = direction;
    f->flags = flags;
    f->start_ns = bpf_ktime_get_ns();
    attach_owner(f, cookie);
    if (process_filter_on() && !(f->flags & FLOW_OWNED) && direction == 1)
        return NULL;   // an outgoing connection's owner is noted at connect: it failed the filter
    int err = bpf_map_update_elem(&tcp_flows, &cookie, f, BPF_NOEXIST);
    if (err == -E2BIG) {
        count(STAT_TCP_FULL);
        return NULL;
    }
    return bpf_map_lookup_elem(&tcp_flows, &cookie);
}

SEC("sockops")
int flows_sockops(struct bpf_sock_ops *skops)
{
    __u32 op = skops->op;
    if (op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB &&
        op != BPF_SOCK_OPS_RTT_CB && op != BPF_SOCK_OPS_RETRANS_CB && op != BPF_SOCK_OPS_STATE_CB)
        return 1;
    struct bpf_sock *bsk = skops->sk;
    if (!bsk)
        return 1;
    struct tcp_sock *tp = bpf_skc_to_tcp_sock(bsk);
    if (!tp)
        return 1;
    __u64 cookie = bpf_get_socket_cookie(skops);
    struct flow *f;
    if (op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB || op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB) {
        f = track_tcp((struct sock *)tp, cookie, op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ? 1 : 2, 0);
        if (!f)
            return 1;
        bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | FLOW_CB_FLAGS);
    } else {
        f = bpf_map_lookup_elem(&tcp_flows, &cookie);
        if (!f)
            return 1;
    }
    fill_counters(f, tp);
    // BPF_SOCK_OPS_RTT_CB runs inside tcp_rtt_estimator() before srtt_us is stored: the new
    // (scaled by 8) value is args[1] (args are zero on kernels before 6.? that pass none).
    if (op == BPF_SOCK_OPS_RTT_CB && skops->args[1])
        f->srtt_us = skops->args[1] >> 3;
    if (op == BPF_SOCK_OPS_STATE_CB)
        f->state = skops->args[1];   // the new state; sk_state changes after the callback
    return 1;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(flows_set_state, struct sock *sk, int oldstate, int newstate)
{
    if (BPF_CORE_READ(sk, sk_protocol) != FLOW_IPPROTO_TCP)
        return 0;
    __u64 cookie = bpf_get_socket_cookie(sk);
    // Process context: connect(2), and close(2) or shutdown(2) of the owner.
    if (newstate == FLOW_TCP_SYN_SENT || newstate == FLOW_TCP_FIN_WAIT1 || newstate == FLOW_TCP_LAST_ACK) {
        if (!note_owner(cookie))
            return 0;
    }
    struct flow *f = bpf_map_lookup_elem(&tcp_flows, &cookie);
    if (!f)
        goto done;
    if (newstate == FLOW_TCP_FIN_WAIT1 || newstate == FLOW_TCP_LAST_ACK)
        f->flags |= FLOW_FIN_QUEUED;
    struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
    if (tp)
        fill_counters(f, tp);
    f->state = newstate;
    if (newstate != FLOW_TCP_CLOSE)
        return 0;
    f->kind = FLOW_KIND_CLOSED;
    f->flags |= FLOW_CLOSED;
    if (bpf_ringbuf_output(&flow_events, f, sizeof(*f), ringbuf_wakeup_flags(&flow_events, wakeup_bytes)))
        count(STAT_RING_LOST);
    bpf_map_delete_elem(&tcp_flows, &cookie);
    // A tracked connection was never ignored (note_owner drops the entry of one it ignores).
    bpf_map_delete_elem(&owners, &cookie);
    return 0;
done:
    if (newstate == FLOW_TCP_CLOSE) {
        bpf_map_delete_elem(&owners, &cookie);
        bpf_map_delete_elem(&ignored, &cookie);
    }
    return 0;
}

// recvmsg(2) on a TCP socket (process context): the owner of an accepted connection, and the
// receive counters.
SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(flows_rcv_space, struct sock *sk)
{
    __u64 cookie = bpf_get_socket_cookie(sk);
    struct flow *f = bpf_map_lookup_elem(&tcp_flows, &cookie);
    if (!f)
        return 0;
    if (!(f->flags & FLOW_OWNED))
        note_owner(cookie);
    // A receiver gets no sockops callback for the data it takes in (no RTT sample, no state
    // change): refresh its counters here, once per read.
    struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
    if (tp)
        fill_counters(f, tp);
    return 0;
}

// Every TCP socket of the tool's network namespace: listeners are noted, and connections not
// yet tracked are tracked (pre-existing ones); tracked ones are refreshed.
SEC("iter/tcp")
int flows_iter_tcp(struct bpf_iter__tcp *ctx)
{
    struct sock_common *skc = ctx->sk_common;
    if (!skc)
        return 0;
    __u8 state = skc->skc_state;
    if (state == FLOW_TCP_LISTEN) {
        struct listener_key k = { .netns = BPF_CORE_READ(skc, skc_net.net, ns.inum), .port = skc->skc_num };
        __u8 one = 1;
        bpf_map_update_elem(&listeners, &k, &one, BPF_ANY);
        return 0;
    }
    if (state == FLOW_TCP_TIME_WAIT || state == FLOW_TCP_NEW_SYN_RECV || state == FLOW_TCP_SYN_SENT)
        return 0;
    struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);
    if (!tp)
        return 0;
    struct sock *sk = (struct sock *)tp;
    __u64 cookie = bpf_get_socket_cookie(skc);
    struct flow *f = bpf_map_lookup_elem(&tcp_flows, &cookie);
    if (!f) {
        f = track_tcp(sk, cookie, 0, FLOW_PREEXISTING);
        if (!f)
            return 0;
        f->inode = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
    }
    fill_counters(f, tp);
    return 0;
}

// --- UDP and DNS (cgroup_skb) -------------------------------------------------------------------

struct packet {
    __u8 saddr[16];
    __u8 daddr[16];
    __u16 sport;
    __u16 dport;
    __u16 payload;     // UDP payload bytes
    __u16 offset;      // of the UDP payload in the packet
    __u8 family;
};

// Parses the IPv4 or IPv6 header and the UDP header; 0 if not UDP (or an IPv6 extension
// header comes first).
static __always_inline int parse_udp(struct __sk_buff *skb, struct packet *p)
{
    __u32 l4;
    if (skb->protocol == bpf_htons(FLOW_ETH_P_IP)) {
        struct iphdr ip;
        if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
            return 0;
        if (ip.protocol != FLOW_IPPROTO_UDP)
            return 0;
        if (ip.frag_off & bpf_htons(0x1fff))
            return 0;   // a later fragment has no UDP header
        __builtin_memcpy(p->saddr, &ip.saddr, 4);
        __builtin_memcpy(p->daddr, &ip.daddr, 4);
        p->family = FLOW_AF_INET;
        l4 = ip.ihl * 4;
    } else if (skb->protocol == bpf_htons(FLOW_ETH_P_IPV6)) {
        struct ipv6hdr ip6;
        if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
            return 0;
        if (ip6.nexthdr != FLOW_IPPROTO_UDP)
            return 0;
        __builtin_memcpy(p->saddr, &ip6.saddr, 16);
        __builtin_memcpy(p->daddr, &ip6.daddr, 16);
        p->family = FLOW_AF_INET6;
        l4 = sizeof(ip6);
    } else {
        return 0;
    }
    struct udphdr udp;
    if (bpf_skb_load_bytes(skb, l4, &udp, sizeof(udp)))
        return 0;
    p->sport = bpf_ntohs(udp.source);
    p->dport = bpf_ntohs(udp.dest);
    __u16 len = bpf_ntohs(udp.len);
    p->payload = len >= sizeof(udp) ? len - sizeof(udp) : 0;
    p->offset = l4 + sizeof(udp);
    return 1;
}

// The DNS record is built here (too big for the stack), then copied to the ring buffer.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct dns_event);
} dns_scratch SEC(".maps");

static __always_inline void send_dns(struct __sk_buff *skb, struct packet *p, int egress, __u64 cookie)
{
    __u32 zero = 0;
    struct dns_event *e = bpf_map_lookup_elem(&dns_scratch, &zero);
    if (!e)
        return;
    e->kind = FLOW_KIND_DNS;
    e->length = p->payload;
    e->timestamp_ns = bpf_ktime_get_ns();
    e->cookie = cookie;
    __builtin_memcpy(e->saddr, p->saddr, 16);
    __builtin_memcpy(e->daddr, p->daddr, 16);
    e->sport = p->sport;
    e->dport = p->dport;
    e->family = p->family;
    e->is_response = !egress;
    __builtin_memset(&e->owner, 0, sizeof(e->owner));
    if (egress) {
        struct flow_owner *o = bpf_map_lookup_elem(&owners, &cookie);
        if (o)
            e->owner = *o;
    }
    __u32 n = p->payload;
    if (n > FLOW_DNS_MAX) {
        n = FLOW_DNS_MAX;
        count(STAT_DNS_CUT);
    }
    if (n == 0) {
        e->length = 0;
    } else {
        // bpf_skb_load_bytes wants a length of at least 1 (ARG_CONST_SIZE), and verifiers
        // before 6.8 learn no lower bound from "n != 0" (6.1: "invalid access to map value ...
        // size=0"). ((n - 1) & 511) + 1 is n for n in 1...512, and 1...512 for the verifier;
        // the barrier keeps the compiler, which knows n's range, from folding it back to n.
        asm volatile("" : "+r"(n));
        __u32 len = ((n - 1) & (FLOW_DNS_MAX - 1)) + 1;
        if (bpf_skb_load_bytes(skb, p->offset, e->data, len))
            e->length = 0;
    }
    if (bpf_ringbuf_output(&flow_events, e, sizeof(*e), ringbuf_wakeup_flags(&flow_events, wakeup_bytes)))
        count(STAT_RING_LOST);
}

static __always_inline void account_udp(struct __sk_buff *skb, int egress)
{
    struct packet p = {};
    if (!parse_udp(skb, &p))
        return;
    __u64 cookie = bpf_get_socket_cookie(skb);
    // DNS on the client's side: queries leave to port 53, answers come from it.
    if (track_dns && ((egress && p.dport == 53) || (!egress && p.sport == 53)))
        send_dns(skb, &p, egress, cookie);
    if (!track_udp)
        return;
    struct udp_key k = { .cookie = cookie, .family = p.family };
    __u16 lport, rport;
    const __u8 *laddr;
    if (egress) {
        __builtin_memcpy(k.raddr, p.daddr, 16);
        k.rport = p.dport;
        lport = p.sport;
        laddr = p.saddr;
    } else {
        __builtin_memcpy(k.raddr, p.saddr, 16);
        k.rport = p.sport;
        lport = p.dport;
        laddr = p.daddr;
    }
    rport = k.rport;
    struct flow *f = bpf_map_lookup_elem(&udp_flows, &k);
    if (!f) {
        if (bpf_map_lookup_elem(&ignored, &cookie))
            return;
        if (!addr_port_pass(k.raddr, k.family, lport, rport))
            return;
        struct flow *n = new_flow();
        if (!n)
            return;
        n->protocol = FLOW_IPPROTO_UDP;
        n->family = p.family;
        n->lport = lport;
        n->rport = rport;
        __builtin_memcpy(n->laddr, laddr, 16);
        __builtin_memcpy(n->raddr, k.raddr, 16);
        n->cookie = cookie;
        n->direction = egress ? 1 : 2;
        n->start_ns = bpf_ktime_get_ns();
        // The owner noted at socket(2) by flows_sock_create.
        struct flow_owner *o = bpf_map_lookup_elem(&owners, &cookie);
        if (o) {
            n->owner = *o;
            n->flags |= FLOW_OWNED;
        } else if (process_filter_on()) {
            // Created before the tool started (or outside --cgroup): its owner is unknown.
            __u8 one = 1;
            bpf_map_update_elem(&ignored, &cookie, &one, BPF_ANY);
            return;
        }
        if (bpf_map_update_elem(&udp_flows, &k, n, BPF_NOEXIST) == -E2BIG) {
            count(STAT_UDP_FULL);
            return;
        }
        f = bpf_map_lookup_elem(&udp_flows, &k);
        if (!f)
            return;
    }
    if (egress) {
        __sync_fetch_and_add(&f->bytes_out, p.payload);
        __sync_fetch_and_add(&f->packets_out, 1);
    } else {
        __sync_fetch_and_add(&f->bytes_in, p.payload);
        __sync_fetch_and_add(&f->packets_in, 1);
    }
    f->last_ns = bpf_ktime_get_ns();
}

// socket(2) of a UDP socket (process context): its creator is its owner. Attached on the --cgroup
// directory when that filter is given (only sockets made there get an owner, and an unowned
// socket fails the process filters), else on the root.
SEC("cgroup/sock_create")
int flows_sock_create(struct bpf_sock *sk)
{
    if (sk->protocol != FLOW_IPPROTO_UDP)
        return 1;
    __u64 cookie = bpf_get_socket_cookie(sk);
    struct flow_owner o = {};
    if (!current_owner(&o)) {
        __u8 one = 1;
        bpf_map_update_elem(&ignored, &cookie, &one, BPF_ANY);
        return 1;
    }
    // The entry stays after close(2) until the LRU map needs the room.
    if (bpf_map_update_elem(&owners, &cookie, &o, BPF_ANY) == -E2BIG)
        count(STAT_OWNER_FULL);
    return 1;   // allow the socket
}

SEC("cgroup_skb/egress")
int flows_egress(struct __sk_buff *skb)
{
    account_udp(skb, 1);
    return 1;
}

SEC("cgroup_skb/ingress")
int flows_ingress(struct __sk_buff *skb)
{
    account_udp(skb, 0);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
