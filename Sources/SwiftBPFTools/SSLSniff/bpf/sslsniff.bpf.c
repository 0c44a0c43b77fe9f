// SPDX-License-Identifier: GPL-2.0
// sslsniff: the plaintext of every TLS read and write, from uprobes on the TLS library's
// functions (OpenSSL's SSL_read/SSL_write and their _ex forms, GnuTLS's gnutls_record_recv/send)
// and the handshake's latency (SSL_do_handshake, gnutls_handshake). The programs live in
// swiftbpf_payload.h, shared with http.bpf.c; Swift attaches them to each library it finds.
// GPL because it calls GPL-only helpers (bpf_probe_read_user, bpf_get_current_task).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "swiftbpf_tool.h"
#include "swiftbpf_payload.h"

// BPFGen generates SslsniffObject (SSLSniffEvent.swift reads events through its PayloadEvent).
// swiftbpf:record payload_event

// The syscalls a TLS library makes inside SSL_read/SSL_write tell which fd (and so which
// socket) the SSL object uses; nothing is sent from here.
SEC("tracepoint/syscalls/sys_enter_read")
int note_read(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }

SEC("tracepoint/syscalls/sys_enter_write")
int note_write(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }

SEC("tracepoint/syscalls/sys_enter_sendto")
int note_sendto(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int note_recvfrom(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int note_sendmsg(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int note_recvmsg(struct trace_event_raw_sys_enter *ctx) { payload_note_fd((int)ctx->args[0]); return 0; }

char LICENSE[] SEC("license") = "GPL";
