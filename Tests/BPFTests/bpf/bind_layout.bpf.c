// SPDX-License-Identifier: GPL-2.0
// Generator fixture for the typed bindings (BindingsLayoutTests): C types of every shape the
// generator lays out, every map kind it types, and one program of each hook family. Parsed only,
// never loaded.
// swiftbpf:record bind_event
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum bind_color { BIND_RED = 1, BIND_GREEN = 2, BIND_BIG = 0x10000 };
enum bind_signed { BIND_NEG = -2, BIND_POS = 3 };

struct bind_inner {
    __u32 a;
    __s16 b;                 /* 4; tail padding 6..8 */
};

struct bind_padded {
    __u8 u8v;                /* 0 */
    __u16 u16v;              /* 2 */
    __u64 u64v;              /* 8 */
    __u8 last;               /* 16; tail padding 17..24 */
};

struct bind_bits {
    __u32 flag : 3;          /* bits 0..2 */
    __s32 level : 5;         /* bits 3..7 */
    __u32 wide : 20;         /* bits 8..27 */
    __u8 after;              /* 4 */
    enum bind_color color : 8; /* bits 40..47 */
    __u16 tail;              /* 6 */
};

struct bind_event {
    __u8 u8v;                      /* 0 */
    __u32 u32v;                    /* 4 */
    __u64 u64v;                    /* 8 */
    struct bind_inner inner;       /* 16 */
    char name[12];                 /* 24 */
    __u32 nums[3];                 /* 36 */
    __u16 grid[2][3];              /* 48 */
    union {
        __u64 whole;
        __u32 halves[2];
        struct { __u16 lo, hi; } parts;
    } u;                           /* 64 */
    struct {
        __u32 x;
        __u8 y;
    } anon_named;                  /* 72 */
    enum bind_color color;         /* 80 */
    enum bind_signed sign;         /* 84 */
    void *ptr;                     /* 88 */
    struct bind_bits bits;         /* 96 */
    _Bool ok;                      /* 104 */
};

struct bind_packed {
    __u8 tag;
    __u32 value;             /* 1: misaligned */
    __u16 more;              /* 5 */
} __attribute__((packed));

struct bind_lpm_key {
    __u32 prefixlen;
    __u8 addr[4];
};

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, struct bind_padded); __type(value, struct bind_event); } hash_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 8); __type(key, __u64); __type(value, struct bind_bits); } lru_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } percpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } lru_percpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct bind_packed); } array_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct bind_inner); } percpu_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 8); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, struct bind_lpm_key); __type(value, __u32); } lpm_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } perf_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __uint(key_size, 4); __uint(value_size, 4); } jump_table SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 16); __uint(key_size, 4); __uint(value_size, 64); } stacks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 4); __uint(value_size, 4); } queue SEC(".maps");

const volatile __u32 cfg_pid = 42;
const volatile char cfg_name[8] = "init";
const volatile enum bind_color cfg_color = BIND_GREEN;
__u64 bss_counter;
struct bind_inner data_inner = { .a = 5 };
static __u32 hidden_static;

SEC("tp/syscalls/sys_enter_getpid") int on_tp(void *ctx) { hidden_static++; bss_counter += cfg_pid + data_inner.a + cfg_color + cfg_name[0]; return 0; }
SEC("raw_tp/sys_enter") int on_raw_tp(void *ctx) { return 0; }
SEC("kprobe/do_unlinkat") int on_kprobe(void *ctx) { return 0; }
SEC("uretprobe/libc.so.6:malloc") int on_uretprobe(void *ctx) { return 0; }
SEC("perf_event") int on_perf(void *ctx) { return 0; }
SEC("xdp") int on_xdp(struct xdp_md *ctx) { return XDP_PASS; }
SEC("tc") int on_tc(struct __sk_buff *ctx) { return 0; }
SEC("cgroup_skb/egress") int on_cgroup(struct __sk_buff *ctx) { return 1; }
SEC("sockops") int on_sockops(struct bpf_sock_ops *ctx) { return 1; }
SEC("socket") int on_socket(struct __sk_buff *ctx) { return 0; }
SEC("sk_lookup") int on_sk_lookup(struct bpf_sk_lookup *ctx) { return SK_PASS; }
SEC("sk_msg") int on_sk_msg(struct sk_msg_md *ctx) { return SK_PASS; }
SEC("syscall") int on_syscall(void *ctx) { return 0; }
SEC("?xdp") int on_optional(struct xdp_md *ctx) { return XDP_DROP; }

char LICENSE[] SEC("license") = "GPL";
