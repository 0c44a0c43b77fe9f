// SPDX-License-Identifier: GPL-2.0
// Cgroup hooks on sockets, addresses, socket options, sysctls and devices. Each test attaches
// the programs it needs to its own cgroup and sets the globals below before load.
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SOL_IP 0
#define IP_TOS 1

/* cgroup/sock_create: deny sockets of this type and protocol (0: allow everything). */
volatile const __u32 deny_sock_type = 0;
volatile const __u32 deny_sock_protocol = 0;
/* connect, bind, sendmsg: deny this port; rewrite redirect_from to redirect_to (host order). */
volatile const __u16 deny_port = 0;
volatile const __u16 redirect_from = 0;
volatile const __u16 redirect_to = 0;
/* getsockopt(SOL_IP, IP_TOS) reports this value; setsockopt(SOL_IP, IP_TOS) stores tos_set_to. */
volatile const __u32 tos_reported = 0;
volatile const __u32 tos_set_to = 0;
/* cgroup/dev: deny this character device. */
volatile const __u32 deny_dev_major = 0;
volatile const __u32 deny_dev_minor = 0;
/* cgroup/sysctl: deny writes to this sysctl (name relative to /proc/sys). */
const char deny_sysctl[32] = "vm/swappiness";

/* Hits per hook, indexed by enum hook. */
enum hook { H_SOCK, H_CONNECT4, H_CONNECT6, H_BIND4, H_BIND6, H_SENDMSG4, H_SENDMSG6,
            H_GETSOCKOPT, H_SETSOCKOPT, H_SYSCTL_READ, H_SYSCTL_WRITE, H_DEV, H_DENIED, H_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, H_MAX);
    __type(key, __u32);
    __type(value, __u64);
} cg_hits SEC(".maps");

/* The name of the last sysctl read through the hook. */
struct sysctl_name { char name[64]; };
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct sysctl_name);
} cg_sysctl_seen SEC(".maps");

static __always_inline void hit(__u32 h)
{
    __u64 *v = bpf_map_lookup_elem(&cg_hits, &h);
    if (v)
        __sync_fetch_and_add(v, 1);
}

static __always_inline int deny(void)
{
    hit(H_DENIED);
    return 0;
}

SEC("cgroup/sock_create")
int cg_sock_create(struct bpf_sock *sk)
{
    hit(H_SOCK);
    if (deny_sock_type && sk->type == deny_sock_type && sk->protocol == deny_sock_protocol)
        return deny();
    return 1;
}

static __always_inline int sock_addr(struct bpf_sock_addr *ctx, __u32 h)
{
    __u16 port = bpf_ntohs(ctx->user_port);
    hit(h);
    if (deny_port && port == deny_port)
        return deny();
    if (redirect_from && port == redirect_from)
        ctx->user_port = bpf_htons(redirect_to);
    return 1;
}

SEC("cgroup/connect4")
int cg_connect4(struct bpf_sock_addr *ctx) { return sock_addr(ctx, H_CONNECT4); }

SEC("cgroup/connect6")
int cg_connect6(struct bpf_sock_addr *ctx) { return sock_addr(ctx, H_CONNECT6); }

SEC("cgroup/bind4")
int cg_bind4(struct bpf_sock_addr *ctx) { return sock_addr(ctx, H_BIND4); }

SEC("cgroup/bind6")
int cg_bind6(struct bpf_sock_addr *ctx) { return sock_addr(ctx, H_BIND6); }

SEC("cgroup/sendmsg4")
int cg_sendmsg4(struct bpf_sock_addr *ctx) { return sock_addr(ctx, H_SENDMSG4); }

SEC("cgroup/sendmsg6")
int cg_sendmsg6(struct bpf_sock_addr *ctx) { return sock_addr(ctx, H_SENDMSG6); }

SEC("cgroup/getsockopt")
int cg_getsockopt(struct bpf_sockopt *ctx)
{
    __u8 *optval = ctx->optval, *end = ctx->optval_end;

    if (ctx->level != SOL_IP || ctx->optname != IP_TOS)
        return 1;
    hit(H_GETSOCKOPT);
    if (optval + sizeof(__u32) > end)
        return 1;
    *(__u32 *)optval = tos_reported;
    /* Separate 4-byte stores: the context rejects one 8-byte store over both fields. */
    *(volatile __s32 *)&ctx->optlen = sizeof(__u32);
    *(volatile __s32 *)&ctx->retval = 0;
    return 1;
}

SEC("cgroup/setsockopt")
int cg_setsockopt(struct bpf_sockopt *ctx)
{
    __u8 *optval = ctx->optval, *end = ctx->optval_end;

    if (ctx->level != SOL_IP || ctx->optname != IP_TOS) {
        ctx->optlen = 0;  /* leave other options to the kernel untouched */
        return 1;
    }
    hit(H_SETSOCKOPT);
    if (optval + sizeof(__u32) > end)
        return 1;
    *(__u32 *)optval = tos_set_to;
    return 1;
}

SEC("cgroup/sysctl")
int cg_sysctl(struct bpf_sysctl *ctx)
{
    char name[32] = {};

    if (!ctx->write) {
        __u32 zero = 0;
        struct sysctl_name *seen = bpf_map_lookup_elem(&cg_sysctl_seen, &zero);
        hit(H_SYSCTL_READ);
        if (seen)
            bpf_sysctl_get_name(ctx, seen->name, sizeof(seen->name), 0);
        return 1;
    }
    hit(H_SYSCTL_WRITE);
    if (bpf_sysctl_get_name(ctx, name, sizeof(name), 0) < 0)
        return 1;
    if (bpf_strncmp(name, sizeof(name), deny_sysctl) == 0)
        return deny();
    return 1;
}

SEC("cgroup/dev")
int cg_dev(struct bpf_cgroup_dev_ctx *ctx)
{
    __u32 type = ctx->access_type & 0xffff;

    hit(H_DEV);
    if (type == BPF_DEVCG_DEV_CHAR && ctx->major == deny_dev_major && ctx->minor == deny_dev_minor)
        return deny();
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
