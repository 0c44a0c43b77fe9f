// SPDX-License-Identifier: GPL-2.0
// tcpconnect: active TCP opens from sock:inet_sock_set_state. The SYN_SENT transition runs in
// the connecting process (connect(2)), but the source port is still 0 there; the full 4-tuple is
// known at SYN_SENT -> ESTABLISHED. So the process is remembered per socket at SYN_SENT and the
// event is sent at ESTABLISHED.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"
#include "tcp_event.h"

// BPFGen generates TcpconnectObject.TcpEvent from this BTF; TCPEvent.swift reads the events of
// all four TCP tools through it (they share tcp_event.h).
// swiftbpf:record tcp_event

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __type(key, __u64);
    __type(value, struct tool_task);
} connecting SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int tcpconnect_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
    if (ctx->protocol != TOOL_IPPROTO_TCP)
        return 0;
    __u64 sk = (__u64)ctx->skaddr;
    int newstate = ctx->newstate;
    if (newstate == TOOL_TCP_SYN_SENT) {
        if (!tool_filter_pass())
            return 0;
        struct tool_task task = {};
        tool_fill_task(&task);
        bpf_map_update_elem(&connecting, &sk, &task, BPF_ANY);
        return 0;
    }
    if (ctx->oldstate != TOOL_TCP_SYN_SENT)
        return 0;
    // SYN_SENT -> ESTABLISHED (connected) or -> CLOSE (refused, timed out): forget the socket.
    struct tool_task *task = bpf_map_lookup_elem(&connecting, &sk);
    if (!task)
        return 0;
    if (newstate == TOOL_TCP_ESTABLISHED && tool_ports_pass(ctx->sport, ctx->dport)) {
        struct tcp_event e = {};
        e.task = *task;
        e.attributed = 1;
        tcp_event_from_state(&e, ctx);
        tool_submit(&e, sizeof(e));
    }
    bpf_map_delete_elem(&connecting, &sk);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
