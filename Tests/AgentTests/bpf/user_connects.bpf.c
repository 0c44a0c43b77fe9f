// SPDX-License-Identifier: GPL-2.0
// A user's own CO-RE object for the agent's user-defined metrics test: IPv4 connects counted
// per destination address, with the address of tcp_v4_connect in the key (a kernel symbol for
// the ksym decoder). Compiled by the test with clang; not part of any tool.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct conn_key {
    __u8 daddr[4];
    __u32 pad;
    __u64 func;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct conn_key);
    __type(value, __u64);
} connects SEC(".maps");

extern const void tcp_v4_connect __ksym;

SEC("tracepoint/sock/inet_sock_set_state")
int count_connects(struct trace_event_raw_inet_sock_set_state *ctx)
{
    // AF_INET is 2; TCP_SYN_SENT is 2 (the transition a connect(2) makes).
    if (ctx->family != 2 || ctx->newstate != 2)
        return 0;
    struct conn_key key = {};
    __builtin_memcpy(key.daddr, ctx->daddr, 4);
    key.func = (__u64)&tcp_v4_connect;
    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&connects, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&connects, &key, &one, BPF_NOEXIST);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
