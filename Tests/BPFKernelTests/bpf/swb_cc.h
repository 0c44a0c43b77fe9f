// SPDX-License-Identifier: GPL-2.0
// The programs of a minimal TCP congestion control in BPF (Reno's slow start and congestion
// avoidance), shared by swb_cc.bpf.c (.struct_ops.link) and swb_cc_plain.bpf.c (.struct_ops).
// The kernel types are declared here: struct_ops members are matched by name against the
// kernel's tcp_congestion_ops, tcp_sock fields by CO-RE.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct sock;

struct tcp_sock {
    __u32 snd_cwnd;
    __u32 snd_cwnd_cnt;
    __u32 snd_cwnd_clamp;
    __u32 snd_ssthresh;
} __attribute__((preserve_access_index));

struct tcp_congestion_ops {
    __u32 (*ssthresh)(struct sock *sk);
    void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
    __u32 (*undo_cwnd)(struct sock *sk);
    void (*init)(struct sock *sk);
    char name[16];
#ifdef SWB_EXTRA_MEMBER
    // A member the kernel's tcp_congestion_ops does not have (swb_cc_extra.bpf.c).
    void (*swb_extra)(struct sock *sk);
#endif
};

// Calls of each callback, read by the test.
__u64 init_calls = 0;
__u64 ssthresh_calls = 0;
__u64 cong_avoid_calls = 0;
__u64 undo_cwnd_calls = 0;

SEC("struct_ops")
void BPF_PROG(swb_init, struct sock *sk)
{
    __sync_fetch_and_add(&init_calls, 1);
}

SEC("struct_ops")
__u32 BPF_PROG(swb_ssthresh, struct sock *sk)
{
    const struct tcp_sock *tp = (const struct tcp_sock *)sk;
    __u32 half = tp->snd_cwnd >> 1;

    __sync_fetch_and_add(&ssthresh_calls, 1);
    return half > 2 ? half : 2;
}

SEC("struct_ops")
void BPF_PROG(swb_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
    struct tcp_sock *tp = (struct tcp_sock *)sk;
    __u32 cwnd = tp->snd_cwnd;

    __sync_fetch_and_add(&cong_avoid_calls, 1);
    if (cwnd < tp->snd_ssthresh) {
        // Slow start: one segment per segment acked, up to ssthresh.
        cwnd += acked;
        if (cwnd > tp->snd_ssthresh)
            cwnd = tp->snd_ssthresh;
    } else {
        // Congestion avoidance: one segment per window acked.
        __u32 cnt = tp->snd_cwnd_cnt + acked;
        if (cnt >= cwnd) {
            cnt = 0;
            cwnd += 1;
        }
        tp->snd_cwnd_cnt = cnt;
    }
    if (cwnd > tp->snd_cwnd_clamp)
        cwnd = tp->snd_cwnd_clamp;
    tp->snd_cwnd = cwnd;
}

SEC("struct_ops")
__u32 BPF_PROG(swb_undo_cwnd, struct sock *sk)
{
    const struct tcp_sock *tp = (const struct tcp_sock *)sk;

    __sync_fetch_and_add(&undo_cwnd_calls, 1);
    return tp->snd_cwnd;
}

char LICENSE[] SEC("license") = "GPL";
