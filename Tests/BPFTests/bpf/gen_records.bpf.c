// SPDX-License-Identifier: GPL-2.0
// Test object for BPFGen's record generator: one struct of every field shape it reads.
// swiftbpf:record gen_event
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum gen_color { GEN_RED = 1, GEN_GREEN = 2, GEN_BIG = 0x10000 };

struct gen_inner {
    __u32 a;
    __s16 b;
};

struct gen_event {
    __u8 u8v;              /* 0 */
    __u16 u16v;            /* 2 */
    __u32 u32v;            /* 4 */
    __u64 u64v;            /* 8 */
    __s32 s32v;            /* 16 */
    struct gen_inner inner; /* 20: a 20, b 24; size 8 */
    char name[8];          /* 28 */
    __u32 nums[3];         /* 36 */
    __u32 flag : 3;        /* 48, bits 0..2 */
    __s32 level : 5;       /* 48, bits 3..7 */
    union {
        __u64 whole;
        __u32 half;
    } u;                   /* 56 */
    enum gen_color color;  /* 64 */
    char tail[16];         /* 68: trailing, may arrive partially */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct gen_event);
} gen_map SEC(".maps");

SEC("socket")
int gen_prog(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
