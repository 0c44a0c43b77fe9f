// SPDX-License-Identifier: GPL-2.0
// tcpretrans: every TCP retransmission, from tcp:tcp_retransmit_skb, with the endpoints and the
// socket's TCP state. Retransmissions mostly run from the retransmit timer (softirq), so the task
// is whatever ran on the CPU (attributed = 0), and the process filters test that task.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"
#include "tcp_event.h"

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcpretrans_skb(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
    if (!tool_ports_pass(ctx->sport, ctx->dport))
        return 0;
    if (!tool_filter_pass())
        return 0;
    struct tcp_event e = {};
    tool_fill_task(&e.task);
    e.family = ctx->family;
    e.sport = ctx->sport;
    e.dport = ctx->dport;
    e.state = ctx->state;
    e.err = ctx->err;
    if (e.family == TOOL_AF_INET) {
        bpf_probe_read_kernel(e.saddr, 4, ctx->saddr);
        bpf_probe_read_kernel(e.daddr, 4, ctx->daddr);
    } else {
        bpf_probe_read_kernel(e.saddr, 16, ctx->saddr_v6);
        bpf_probe_read_kernel(e.daddr, 16, ctx->daddr_v6);
    }
    tool_submit(&e, sizeof(e));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
