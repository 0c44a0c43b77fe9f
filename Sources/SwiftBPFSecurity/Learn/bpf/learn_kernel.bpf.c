// SPDX-License-Identifier: GPL-2.0
// swiftbpf guard learn: counts the system calls of one workload (a cgroup, a comm and its
// descendants, or a pid and its descendants) from raw_syscalls:sys_enter, with the argument
// values seccomp filters can test. Counting happens here; user space reads the table at the end.
// It also copies the DNS answers the workload's sockets receive (UDP from port 53) to a ring
// buffer, so that user space can name the peers the workload resolved.
// GPL: bpf_get_current_ancestor_cgroup_id is GPL-only.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "learn.h"

// The workload (frozen .rodata). With a cgroup, membership is the cgroup v2 subtree; otherwise
// the learn_members table: pids user space put there, processes named targ_comm on first sight,
// and every child forked by a member.
const volatile __u64 targ_cgroup_id = 0;
const volatile __u32 targ_cgroup_level = 0;
const volatile __u32 targ_comm_len = 0;
const volatile char targ_comm[LEARN_COMM_LEN] = {};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} learn_members SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, struct learn_syscall_key);
    __type(value, __u64);
} learn_syscalls SEC(".maps");

static __always_inline int comm_matches(void)
{
    char comm[LEARN_COMM_LEN] = {};
    bpf_get_current_comm(comm, sizeof(comm));
    for (int i = 0; i < LEARN_COMM_LEN; i++) {
        if (i >= targ_comm_len)
            return comm[i] == 0;
        if (comm[i] != targ_comm[i])
            return 0;
    }
    return 1;
}

static __always_inline int is_member(void)
{
    if (targ_cgroup_id)
        return bpf_get_current_ancestor_cgroup_id(targ_cgroup_level) == targ_cgroup_id;
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (bpf_map_lookup_elem(&learn_members, &tgid))
        return 1;
    if (targ_comm_len && comm_matches()) {
        __u8 one = 1;
        bpf_map_update_elem(&learn_members, &tgid, &one, BPF_ANY);
        return 1;
    }
    return 0;
}

static __always_inline void count(__u32 nr, __u32 arg, __u64 value)
{
    struct learn_syscall_key key = { .nr = nr, .arg = arg, .value = value };
    __u64 *n = bpf_map_lookup_elem(&learn_syscalls, &key);
    if (n) {
        __sync_fetch_and_add(n, 1);
        return;
    }
    __u64 one = 1;
    if (bpf_map_update_elem(&learn_syscalls, &key, &one, BPF_NOEXIST)) {
        n = bpf_map_lookup_elem(&learn_syscalls, &key);
        if (n)
            __sync_fetch_and_add(n, 1);
    }
}

// x86_64 numbers (asm/unistd_64.h) of the calls whose arguments are recorded.
#define NR_ioctl 16
#define NR_socket 41
#define NR_clone 56
#define NR_personality 135
#define NR_prctl 157

SEC("tracepoint/raw_syscalls/sys_enter")
int learn_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
    if (!is_member())
        return 0;
    long nr = ctx->id;
    if (nr < 0)
        return 0;
    count((__u32)nr, LEARN_NO_ARG, 0);
    switch (nr) {
    case NR_socket:
        count(NR_socket, 0, ctx->args[0]);
        break;
    case NR_clone:
        count(NR_clone, 0, ctx->args[0]);
        break;
    case NR_ioctl:
        count(NR_ioctl, 1, (__u32)ctx->args[1]);
        break;
    case NR_prctl:
        count(NR_prctl, 0, ctx->args[0]);
        break;
    case NR_personality:
        count(NR_personality, 0, (__u32)ctx->args[0]);
        break;
    }
    return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(learn_fork, struct task_struct *parent, struct task_struct *child)
{
    if (targ_cgroup_id)
        return 0;
    __u32 tgid = BPF_CORE_READ(child, tgid);
    if (BPF_CORE_READ(child, pid) != tgid)
        return 0;  // a thread
    __u32 ptgid = BPF_CORE_READ(parent, tgid);
    if (!bpf_map_lookup_elem(&learn_members, &ptgid))
        return 0;
    __u8 one = 1;
    bpf_map_update_elem(&learn_members, &tgid, &one, BPF_ANY);
    return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(learn_exit, struct task_struct *p)
{
    if (targ_cgroup_id || BPF_CORE_READ(p, signal, live.counter) != 0)
        return 0;
    __u32 tgid = BPF_CORE_READ(p, tgid);
    bpf_map_delete_elem(&learn_members, &tgid);
    return 0;
}

// --- DNS answers (cgroup_skb) -----------------------------------------------------------------
// With a cgroup, learn_dns_ingress is attached on that cgroup: it runs for the sockets created
// there. Otherwise it is attached on the cgroup v2 root, and only sockets marked by
// learn_sock_create count: ingress runs in softirq, where the receiving process is not known,
// while socket(2) runs in the process, where is_member() can tell.

#define LEARN_IPPROTO_UDP 17
#define LEARN_ETH_P_IP 0x0800
#define LEARN_ETH_P_IPV6 0x86DD
#define LEARN_DNS_PORT 53

// UDP sockets of members, by cookie (comm and pid learning). LRU: closed sockets age out.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, __u8);
} learn_dns_socks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} learn_dns SEC(".maps");

// The record is built here (too big for the stack), then copied to the ring buffer.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct learn_dns_answer);
} learn_dns_scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, LEARN_DNS_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} learn_dns_stats SEC(".maps");

SEC("cgroup/sock_create")
int learn_sock_create(struct bpf_sock *sk)
{
    if (sk->protocol != LEARN_IPPROTO_UDP || !is_member())
        return 1;
    __u64 cookie = bpf_get_socket_cookie(sk);
    __u8 one = 1;
    bpf_map_update_elem(&learn_dns_socks, &cookie, &one, BPF_ANY);
    return 1;   // allow the socket
}

// The offset and length of the UDP payload when the packet is UDP from port 53; 0 otherwise
// (also for IPv4 fragments after the first and IPv6 with extension headers before UDP).
static __always_inline int dns_payload(struct __sk_buff *skb, __u32 *offset, __u32 *length)
{
    __u32 l4;
    if (skb->protocol == bpf_htons(LEARN_ETH_P_IP)) {
        struct iphdr ip;
        if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
            return 0;
        if (ip.protocol != LEARN_IPPROTO_UDP || ip.ihl < 5 || (ip.frag_off & bpf_htons(0x1fff)))
            return 0;
        l4 = ip.ihl * 4;
    } else if (skb->protocol == bpf_htons(LEARN_ETH_P_IPV6)) {
        struct ipv6hdr ip6;
        if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
            return 0;
        if (ip6.nexthdr != LEARN_IPPROTO_UDP)
            return 0;
        l4 = sizeof(ip6);
    } else {
        return 0;
    }
    struct udphdr udp;
    if (bpf_skb_load_bytes(skb, l4, &udp, sizeof(udp)))
        return 0;
    __u16 len = bpf_ntohs(udp.len);
    if (bpf_ntohs(udp.source) != LEARN_DNS_PORT || len <= sizeof(udp))
        return 0;
    *offset = l4 + sizeof(udp);
    *length = len - sizeof(udp);
    return 1;
}

SEC("cgroup_skb/ingress")
int learn_dns_ingress(struct __sk_buff *skb)
{
    __u32 offset = 0, length = 0;
    if (!dns_payload(skb, &offset, &length))
        return 1;
    if (!targ_cgroup_id) {
        __u64 cookie = bpf_get_socket_cookie(skb);
        if (!bpf_map_lookup_elem(&learn_dns_socks, &cookie))
            return 1;
    }
    __u32 zero = 0;
    struct learn_dns_answer *a = bpf_map_lookup_elem(&learn_dns_scratch, &zero);
    if (!a)
        return 1;
    a->length = length;
    __u32 n = length > LEARN_DNS_MAX ? LEARN_DNS_MAX : length;
    // n is 1...LEARN_DNS_MAX here; verifiers before 6.8 do not learn the lower bound from a
    // comparison, so the load's size is written as ((n - 1) & (MAX - 1)) + 1, which equals n and
    // is 1...MAX by construction. The empty asm keeps the compiler from folding it back to n.
    asm volatile("" : "+r"(n));
    n = ((n - 1) & (LEARN_DNS_MAX - 1)) + 1;
    if (bpf_skb_load_bytes(skb, offset, a->data, n))
        return 1;
    if (bpf_ringbuf_output(&learn_dns, a, sizeof(*a), 0)) {
        __u32 slot = LEARN_DNS_LOST;
        __u64 *lost = bpf_map_lookup_elem(&learn_dns_stats, &slot);
        if (lost)
            __sync_fetch_and_add(lost, 1);
    }
    return 1;   // never drop: learning only watches
}

char LICENSE[] SEC("license") = "GPL";
