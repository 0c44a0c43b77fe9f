// SPDX-License-Identifier: GPL-2.0
// tcplife: one event per TCP session when it closes, from sock:inet_sock_set_state, as BCC's
// tcplife: the lifetime runs from the last transition to a state before FIN_WAIT1 (SYN_SENT,
// SYN_RECV, ESTABLISHED) to CLOSE; bytes are tcp_sock.bytes_acked and bytes_received.
// The process is taken where the socket's owner is on the CPU: connect(2) (SYN_SENT) and close(2)
// or shutdown(2) (FIN_WAIT1, LAST_ACK). Without such a transition the task at CLOSE is reported
// with attributed = 0 (often softirq), and only when no process filter is on.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"
#include "tcp_event.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, __u64);
} birth SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, struct tool_task);
} owner SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int tcplife_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
    if (ctx->protocol != TOOL_IPPROTO_TCP)
        return 0;
    __u64 sk = (__u64)ctx->skaddr;
    int newstate = ctx->newstate;
    if (newstate < TOOL_TCP_FIN_WAIT1) {
        __u64 now = bpf_ktime_get_ns();
        bpf_map_update_elem(&birth, &sk, &now, BPF_ANY);
    }
    if (newstate == TOOL_TCP_SYN_SENT || newstate == TOOL_TCP_FIN_WAIT1 || newstate == TOOL_TCP_LAST_ACK) {
        if (!bpf_map_lookup_elem(&owner, &sk) && tool_filter_pass()) {
            struct tool_task task = {};
            tool_fill_task(&task);
            bpf_map_update_elem(&owner, &sk, &task, BPF_NOEXIST);
        }
    }
    if (newstate != TOOL_TCP_CLOSE)
        return 0;
    __u64 *start = bpf_map_lookup_elem(&birth, &sk);
    if (!start)
        goto cleanup;
    struct tcp_event e = {};
    struct tool_task *who = bpf_map_lookup_elem(&owner, &sk);
    if (who) {
        e.task = *who;
        e.task.timestamp_ns = bpf_ktime_get_ns();
        e.attributed = 1;
    } else {
        if (tool_process_filter_on())
            goto cleanup;
        tool_fill_task(&e.task);
    }
    tcp_event_from_state(&e, ctx);
    if (!tool_ports_pass(e.sport, e.dport))
        goto cleanup;
    e.duration_ns = e.task.timestamp_ns - *start;
    struct tcp_sock *tp = (struct tcp_sock *)ctx->skaddr;
    e.tx_bytes = BPF_CORE_READ(tp, bytes_acked);
    e.rx_bytes = BPF_CORE_READ(tp, bytes_received);
    tool_submit(&e, sizeof(e));
cleanup:
    bpf_map_delete_elem(&birth, &sk);
    bpf_map_delete_elem(&owner, &sk);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
