// SPDX-License-Identifier: GPL-2.0
// A tail-call dispatcher: packet byte 0 picks the slot of jump_table; the targets stamp byte 1
// and return their own verdict. The table has no initial slots: user space fills it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} jump_table SEC(".maps");

SEC("xdp")
int tc_dispatch(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

    if (data + 2 > end)
        return XDP_ABORTED;
    bpf_tail_call(ctx, &jump_table, data[0]);
    return XDP_PASS;  /* empty slot */
}

static __always_inline int stamp(struct xdp_md *ctx, __u8 mark, int verdict)
{
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

    if (data + 2 > end)
        return XDP_ABORTED;
    data[1] = mark;
    return verdict;
}

SEC("xdp")
int tc_target_tx(struct xdp_md *ctx) { return stamp(ctx, 'A', XDP_TX); }

SEC("xdp")
int tc_target_drop(struct xdp_md *ctx) { return stamp(ctx, 'B', XDP_DROP); }

/* Chains on: stamps 'C', then tail-calls slot 0 (whose stamp wins if present). */
SEC("xdp")
int tc_target_chain(struct xdp_md *ctx)
{
    int verdict = stamp(ctx, 'C', XDP_PASS);

    if (verdict == XDP_ABORTED)
        return verdict;
    bpf_tail_call(ctx, &jump_table, 0);
    return verdict;
}

char LICENSE[] SEC("license") = "GPL";
