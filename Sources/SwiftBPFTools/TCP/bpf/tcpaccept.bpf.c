// SPDX-License-Identifier: GPL-2.0
// tcpaccept: passive TCP opens, seen where accept(2)/accept4(2) return in the accepting process.
// (The SYN_RECV -> ESTABLISHED transition of sock:inet_sock_set_state runs in softirq, in whatever
// task happened to be on the CPU, so it cannot name the accepting process.) The returned fd is
// followed to its socket: task->files->fdt->fd[ret]->private_data (struct socket)->sk, and the
// 4-tuple is read from the sock with CO-RE. Accepts made through io_uring are not seen.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "swiftbpf_tool.h"
#include "tcp_event.h"

static __always_inline int accepted(struct trace_event_raw_sys_exit *ctx)
{
    long fd = ctx->ret;
    if (fd < 0)
        return 0;
    if (!tool_filter_pass())
        return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
        return 0;
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *file = 0;
    if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
        return 0;
    struct socket *sock = BPF_CORE_READ(file, private_data);
    if (!sock)
        return 0;
    struct sock *sk = BPF_CORE_READ(sock, sk);
    if (!sk)
        return 0;
    __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
    if (family != TOOL_AF_INET && family != TOOL_AF_INET6)
        return 0;
    if (BPF_CORE_READ(sk, sk_protocol) != TOOL_IPPROTO_TCP)
        return 0;
    struct tcp_event e = {};
    e.family = family;
    e.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
    e.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    if (!tool_ports_pass(e.sport, e.dport))
        return 0;
    if (family == TOOL_AF_INET) {
        BPF_CORE_READ_INTO(&e.saddr, sk, __sk_common.skc_rcv_saddr);
        BPF_CORE_READ_INTO(&e.daddr, sk, __sk_common.skc_daddr);
    } else {
        BPF_CORE_READ_INTO(&e.saddr, sk, __sk_common.skc_v6_rcv_saddr);
        BPF_CORE_READ_INTO(&e.daddr, sk, __sk_common.skc_v6_daddr);
    }
    tool_fill_task(&e.task);
    e.attributed = 1;
    tool_submit(&e, sizeof(e));
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tcpaccept_accept4(struct trace_event_raw_sys_exit *ctx)
{
    return accepted(ctx);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tcpaccept_accept(struct trace_event_raw_sys_exit *ctx)
{
    return accepted(ctx);
}

char LICENSE[] SEC("license") = "GPL";
