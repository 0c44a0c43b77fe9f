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

// The same struct as an older object might declare it (a CO-RE flavour): other member order and
// a member the "kernel" struct above lacks. With this object's own BTF standing in for the
// kernel's, the layout translation (members by name) can be checked without a kernel.
struct swb_test_ops___old {
    char name[16];
    void (*second)(void *arg);
    __u64 gone;
    __u32 flags;
    int (*first)(void *arg);
};

SEC(".struct_ops")
struct swb_test_ops___old ops_flavour = {
    .name = "ops_flavour",
    .second = (void *)test_second,
    .flags = 9,
    .first = (void *)test_first,
};

// The kernel's wrapper of a struct_ops value (struct bpf_struct_ops_<name>), for the same purpose.
struct bpf_struct_ops_swb_test_ops {
    __u64 common[2];
    struct swb_test_ops data;
};
struct bpf_struct_ops_swb_test_ops wrapper_for_tests;

char LICENSE[] SEC("license") = "GPL";
