// SPDX-License-Identifier: GPL-2.0
// struct_ops maps for the parser: one per section kind (.struct_ops.link, .struct_ops,
// ?.struct_ops), over a struct of our own (parsing needs no kernel type).
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct swb_test_ops {
    int (*first)(void *arg);
    __u32 flags;
    void (*second)(void *arg);
    char name[16];
};

SEC("struct_ops/first")
int test_first(unsigned long long *ctx)
{
    return 1;
}

SEC("struct_ops.s/second")
int test_second(unsigned long long *ctx)
{
    return 0;
}

SEC("struct_ops")
int test_unused(unsigned long long *ctx)
{
    return 0;
}

SEC(".struct_ops.link")
struct swb_test_ops ops_link = {
    .first = (void *)test_first,
    .flags = 7,
    .second = (void *)test_second,
    .name = "ops_link",
};

SEC(".struct_ops")
struct swb_test_ops ops_plain = {
    .second = (void *)test_second,
    .name = "ops_plain",
};

SEC("?.struct_ops")
struct swb_test_ops ops_optional = {
    .first = (void *)test_unused,
};

char LICENSE[] SEC("license") = "GPL";
