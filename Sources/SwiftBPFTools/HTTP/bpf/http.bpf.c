// SPDX-License-Identifier: GPL-2.0
// http: the bytes HTTP is parsed from (in Swift): TLS plaintext from the uprobes of
// swiftbpf_payload.h, and the payload of read/write/sendto/recvfrom on plain TCP sockets from
// the syscall tracepoints. A syscall made inside a TLS call carries ciphertext and is skipped.
// GPL because it calls GPL-only helpers (bpf_probe_read_user, bpf_get_current_task).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "swiftbpf_tool.h"
#include "swiftbpf_payload.h"

// BPFGen generates HttpObject; its events are read as PayloadEventRecord, generated from
// sslsniff.bpf.c (the same struct payload_event of swiftbpf_payload.h).

// A plain-socket syscall between its entry and its exit, per thread.
struct plain_call {
    __u64 start_ns;
    __u64 buf;
    __u64 sk;
    __s32 fd;
    __u8 direction;
    __u8 pad[3];
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u64);
    __type(value, struct plain_call);
} plain_calls SEC(".maps");

// 0: the syscalls only tell TLS calls their fd (--no-plain).
const volatile __u8 capture_plain = 1;

static __always_inline int plain_enter(struct trace_event_raw_sys_enter *ctx, __u8 direction)
{
    int fd = (int)ctx->args[0];
    if (payload_note_fd(fd))
        return 0;   // inside a TLS call: ciphertext, the uprobes report the plaintext
    if (!capture_plain)
        return 0;
    if (payload_is_self() || !tool_filter_pass())
        return 0;
    struct sock *sk = payload_socket(fd);
    if (!payload_is_tcp(sk))
        return 0;
    struct plain_call call = {
        .start_ns = bpf_ktime_get_ns(),
        .buf = (__u64)ctx->args[1],
        .sk = (__u64)sk,
        .fd = fd,
        .direction = direction,
    };
    __u64 id = bpf_get_current_pid_tgid();
    bpf_map_update_elem(&plain_calls, &id, &call, BPF_ANY);
    return 0;
}

static __always_inline int plain_exit(struct trace_event_raw_sys_exit *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    struct plain_call *found = bpf_map_lookup_elem(&plain_calls, &id);
    if (!found)
        return 0;
    struct plain_call call = *found;
    bpf_map_delete_elem(&plain_calls, &id);
    long ret = ctx->ret;
    if (ret <= 0)
        return 0;
    payload_emit(call.start_ns, 0, call.direction, PAYLOAD_SYSCALL, call.sk, call.fd, (struct sock *)call.sk, ret,
                 (__u32)ret, call.buf);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx) { return plain_enter(ctx, PAYLOAD_READ); }
SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx) { return plain_exit(ctx); }

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int enter_recvfrom(struct trace_event_raw_sys_enter *ctx) { return plain_enter(ctx, PAYLOAD_READ); }
SEC("tracepoint/syscalls/sys_exit_recvfrom")
int exit_recvfrom(struct trace_event_raw_sys_exit *ctx) { return plain_exit(ctx); }

SEC("tracepoint/syscalls/sys_enter_write")
int enter_write(struct trace_event_raw_sys_enter *ctx) { return plain_enter(ctx, PAYLOAD_WRITE); }
SEC("tracepoint/syscalls/sys_exit_write")
int exit_write(struct trace_event_raw_sys_exit *ctx) { return plain_exit(ctx); }

SEC("tracepoint/syscalls/sys_enter_sendto")
int enter_sendto(struct trace_event_raw_sys_enter *ctx) { return plain_enter(ctx, PAYLOAD_WRITE); }
SEC("tracepoint/syscalls/sys_exit_sendto")
int exit_sendto(struct trace_event_raw_sys_exit *ctx) { return plain_exit(ctx); }

// sendmsg/recvmsg carry iovecs (not captured as plain payload); inside a TLS call they still
// tell the connection's fd.
SEC("tracepoint/syscalls/sys_enter_sendmsg")
int note_sendmsg(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }
SEC("tracepoint/syscalls/sys_enter_recvmsg")
int note_recvmsg(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }

char LICENSE[] SEC("license") = "GPL";
