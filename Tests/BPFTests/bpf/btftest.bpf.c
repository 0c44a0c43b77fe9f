// SPDX-License-Identifier: GPL-2.0
// Exercises BTF kinds and .BTF.ext records for the BTF parser tests: bitfields, enums (signed,
// 64-bit), unions, floats, decl/type tags, global data in three sections, a global and a static
// subprogram (func_info), and CO-RE relocations of several kinds.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

enum btftest_color { BTFTEST_RED = -1, BTFTEST_GREEN = 2 };
enum btftest_big { BTFTEST_BIG = 0x123456789aULL };

struct btftest_bits {
    unsigned int a : 3;
    unsigned int b : 5;
    int c;
    union {
        long l;
        char bytes[8];
    };
    float f;
    enum btftest_color color;
    enum btftest_big big;
} __attribute__((preserve_access_index));

struct btftest_flavour___v2 {
    int x;
} __attribute__((preserve_access_index));

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, struct btftest_bits);
} btftest_map SEC(".maps");

int btftest_counter = 1;
__u64 btftest_zero;
volatile const int btftest_config __attribute__((btf_decl_tag("btftest_tag"))) = 7;
int __attribute__((btf_type_tag("user"))) *btftest_tagged;

static __attribute__((noinline)) int static_helper(int x)
{
    return x * 3 + btftest_counter;
}

__attribute__((noinline)) int global_helper(int x)
{
    return x + 1;
}

SEC("tp/syscalls/sys_enter_getpid")
int btftest_prog(void *ctx)
{
    __u32 key = 0;
    struct btftest_bits *v = bpf_map_lookup_elem(&btftest_map, &key);
    int r = 0;
    if (!v)
        return 0;
    r += BPF_CORE_READ_BITFIELD(v, b);
    r += v->c;
    r += bpf_core_field_exists(v->f);
    r += bpf_core_type_exists(struct btftest_flavour___v2);
    r += bpf_core_enum_value(enum btftest_color, BTFTEST_GREEN);
    r += bpf_core_field_size(v->l);
    btftest_zero = static_helper(r) + global_helper(btftest_config);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
