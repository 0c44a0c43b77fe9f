// SPDX-License-Identifier: GPL-2.0
// Object-parsing fixture: two XDP functions in one section, a '?'-prefixed section, no .text.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_one(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    return data + 14 > end ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_two(struct xdp_md *ctx)
{
    // A string literal: clang puts it in .rodata.str1.1, which has no DATASEC.
    bpf_trace_printk("xdp_two\n", 9);
    return XDP_PASS;
}

SEC("?xdp.frags")
int xdp_optional(struct xdp_md *ctx)
{
    return XDP_ABORTED;
}

SEC("cgroup/connect4")
int connect_hook(struct bpf_sock_addr *ctx)
{
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
__u32 VERSION SEC("version") = 0x060c00;

// An unrecognised data section: libbpf skips it (no map), and so must we.
__attribute__((used)) const char build_note[] SEC(".fixture_info") = "fixture";
