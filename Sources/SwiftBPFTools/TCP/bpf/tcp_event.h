// SPDX-License-Identifier: GPL-2.0
// The event shared by tcpconnect, tcpaccept, tcplife and tcpretrans (TCPEvent in Swift), the
// port filters and the helpers that read a socket's endpoints.
#ifndef SWIFTBPF_TCP_EVENT_H
#define SWIFTBPF_TCP_EVENT_H

#define TOOL_AF_INET 2
#define TOOL_AF_INET6 10
#define TOOL_IPPROTO_TCP 6

// enum of the kernel's TCP states (include/net/tcp_states.h)
#define TOOL_TCP_ESTABLISHED 1
#define TOOL_TCP_SYN_SENT 2
#define TOOL_TCP_SYN_RECV 3
#define TOOL_TCP_FIN_WAIT1 4
#define TOOL_TCP_CLOSE 7
#define TOOL_TCP_LAST_ACK 9

struct tcp_event {
    struct tool_task task;  // 0: who (see `attributed`)
    __u8 saddr[16];         // 48: local address (IPv4 in the first 4 bytes)
    __u8 daddr[16];         // 64: remote address
    __u64 tx_bytes;         // 80: tcplife: tcp_sock.bytes_acked
    __u64 rx_bytes;         // 88: tcplife: tcp_sock.bytes_received
    __u64 duration_ns;      // 96: tcplife: from the last state before FIN_WAIT1 to CLOSE
    __u16 sport;            // 104: local port, host order
    __u16 dport;            // 106: remote port, host order
    __u16 family;           // 108: AF_INET or AF_INET6
    __u8 state;             // 110: tcpretrans: the socket's TCP state
    __u8 attributed;        // 111: 1: task is the socket's process; 0: whatever ran (softirq)
    __s32 err;              // 112: tcpretrans: the retransmission's result
    __u32 pad;              // 116
};

// Port filters, host order; 0: any.
const volatile __u16 targ_lport = 0;
const volatile __u16 targ_rport = 0;

static __always_inline int tool_ports_pass(__u16 lport, __u16 rport)
{
    if (targ_lport && lport != targ_lport)
        return 0;
    if (targ_rport && rport != targ_rport)
        return 0;
    return 1;
}

// True when any of the process filters is on (then events need a process that passed them).
static __always_inline int tool_process_filter_on(void)
{
    return tool_targ_tgid || tool_targ_uid != 0xffffffff || tool_targ_comm_len || tool_targ_cgroup;
}

// Endpoints from sock:inet_sock_set_state's record (ports already host order there). The
// address arrays are copied with bpf_probe_read_kernel: the verifier rejects loads through a ctx
// pointer moved by a variable (CO-RE) offset.
static __always_inline void tcp_event_from_state(struct tcp_event *e, struct trace_event_raw_inet_sock_set_state *ctx)
{
    e->family = ctx->family;
    e->sport = ctx->sport;
    e->dport = ctx->dport;
    if (ctx->family == TOOL_AF_INET) {
        bpf_probe_read_kernel(e->saddr, 4, ctx->saddr);
        bpf_probe_read_kernel(e->daddr, 4, ctx->daddr);
    } else {
        bpf_probe_read_kernel(e->saddr, 16, ctx->saddr_v6);
        bpf_probe_read_kernel(e->daddr, 16, ctx->daddr_v6);
    }
}

#endif
