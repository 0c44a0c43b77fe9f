// SPDX-License-Identifier: GPL-2.0
// tcpretrans: every TCP retransmission, from tcp:tcp_retransmit_skb, with the endpoints and the
// socket's TCP state. Retransmissions mostly run from the retransmit timer (softirq), so the task
// is whatever ran on the CPU (attributed = 0), and the process filters test that task.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "swiftbpf_tool.h"
#include "tcp_event.h"

// Until Linux 6.15 tcp_retransmit_skb was an event of the tcp_event_sk_skb class, so its record
// is `struct trace_event_raw_tcp_event_sk_skb`: the same fields without `err`. Since then it is
// its own event with `err` appended. The record's BTF name changed, so a CO-RE field access to
// the new struct has no target on older kernels and the loader poisons it (the kernel then
// refuses the program with EINVAL). This flavour names the old struct; bpf_core_type_exists
// picks the layout at load time and the verifier drops the other branch.
struct trace_event_raw_tcp_event_sk_skb___old {
    struct trace_entry ent;
    const void *skbaddr;
    const void *skaddr;
    int state;
    __u16 sport;
    __u16 dport;
    __u16 family;
    __u8 saddr[4];
    __u8 daddr[4];
    __u8 saddr_v6[16];
    __u8 daddr_v6[16];
} __attribute__((preserve_access_index));

// Fills the event from either record layout (`err` is set by the caller where it exists).
#define TCPRETRANS_FILL(e, ctx)                                           \
    do {                                                                  \
        (e)->family = (ctx)->family;                                      \
        (e)->sport = (ctx)->sport;                                        \
        (e)->dport = (ctx)->dport;                                        \
        (e)->state = (ctx)->state;                                        \
        if ((e)->family == TOOL_AF_INET) {                                \
            bpf_probe_read_kernel((e)->saddr, 4, (ctx)->saddr);           \
            bpf_probe_read_kernel((e)->daddr, 4, (ctx)->daddr);           \
        } else {                                                          \
            bpf_probe_read_kernel((e)->saddr, 16, (ctx)->saddr_v6);       \
            bpf_probe_read_kernel((e)->daddr, 16, (ctx)->daddr_v6);       \
        }                                                                 \
    } while (0)

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcpretrans_skb(void *raw)
{
    struct tcp_event e = {};
    if (bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb)) {
        struct trace_event_raw_tcp_retransmit_skb *ctx = raw;
        TCPRETRANS_FILL(&e, ctx);
        e.err = ctx->err;
    } else {
        struct trace_event_raw_tcp_event_sk_skb___old *ctx = raw;
        TCPRETRANS_FILL(&e, ctx);
    }
    if (!tool_ports_pass(e.sport, e.dport))
        return 0;
    if (!tool_filter_pass())
        return 0;
    tool_fill_task(&e.task);
    tool_submit(&e, sizeof(e));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
