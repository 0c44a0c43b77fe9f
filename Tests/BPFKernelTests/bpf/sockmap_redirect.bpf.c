// SPDX-License-Identifier: GPL-2.0
// sockops inserts established IPv4 TCP sockets of its cgroup into a SOCKHASH keyed by
// (local port, remote port); sk_msg counts the messages sent on them and redirects each to the
// peer socket's receive queue; sk_skb/stream_verdict counts the bytes received through TCP.
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2

/* Only connections to or from this TCP port (host order) are inserted. */
volatile const __u16 service_port = 0;

struct sock_key {
    __u32 local_port;   /* host order */
    __u32 remote_port;  /* host order */
};

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 64);
    __type(key, struct sock_key);
    __type(value, __u64);
} sock_hash SEC(".maps");

/* 0: sockets inserted, 1: messages seen by sk_msg, 2: message bytes, 3: redirects that
 * succeeded, 4: skbs seen by stream_verdict, 5: their bytes. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 6);
    __type(key, __u32);
    __type(value, __u64);
} sockmap_stats SEC(".maps");

static __always_inline void add(__u32 slot, __u64 n)
{
    __u64 *v = bpf_map_lookup_elem(&sockmap_stats, &slot);
    if (v)
        __sync_fetch_and_add(v, n);
}

SEC("sockops")
int sockops_insert(struct bpf_sock_ops *skops)
{
    struct sock_key key;

    if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
        return 1;
    if (skops->family != AF_INET)
        return 1;
    key.local_port = skops->local_port;
    key.remote_port = bpf_ntohl(skops->remote_port);
    if (key.local_port != service_port && key.remote_port != service_port)
        return 1;
    if (bpf_sock_hash_update(skops, &sock_hash, &key, BPF_NOEXIST) == 0)
        add(0, 1);
    return 1;
}

SEC("sk_msg")
int sk_msg_redirect(struct sk_msg_md *msg)
{
    /* The peer of the sending socket has the ports swapped. */
    struct sock_key peer = {
        .local_port = bpf_ntohl(msg->remote_port),
        .remote_port = msg->local_port,
    };
    long verdict;

    add(1, 1);
    add(2, msg->size);
    verdict = bpf_msg_redirect_hash(msg, &sock_hash, &peer, BPF_F_INGRESS);
    if (verdict == SK_PASS)
        add(3, 1);
    return verdict;
}

SEC("sk_skb/stream_verdict")
int sk_skb_count(struct __sk_buff *skb)
{
    add(4, 1);
    add(5, skb->len);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
