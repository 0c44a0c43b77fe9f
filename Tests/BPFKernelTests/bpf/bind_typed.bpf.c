// SPDX-License-Identifier: GPL-2.0
// Typed bindings against the kernel (TypedBindingsTests): on getpid from one thread, the
// program counts in a .bss global, stores a typed map value under a key with tail padding,
// and sends a record, whole and cut short, that carries what Swift wrote to a neighbouring
// .bss global.
// swiftbpf:record bind_record
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum bind_kind { BIND_KIND_FULL = 1, BIND_KIND_SHORT = 2 };

struct bind_key {
    __u32 tid;
    __u16 port;              /* 4; tail padding 6..8 */
};

struct bind_value {
    __u64 hits;              /* 0 */
    __s32 last_ret;          /* 8 */
    __u8 kind;               /* 12 */
    __u8 flags : 3;          /* 13, bits 0..2 */
    __u8 level : 5;          /* 13, bits 3..7 */
    char tag[6];             /* 14; tail padding 20..24 */
};

struct bind_record {
    __u64 seq;               /* 0 */
    __u32 tid;               /* 8 */
    enum bind_kind kind;     /* 12 */
    __u64 from_swift;        /* 16 */
    char comm[16];           /* 24: a short record stops here */
    __u32 tail_marker;       /* 40; tail padding 44..48 */
};

const volatile __u32 targ_tid = 0;
const volatile __u16 targ_port = 0;
__u64 hits_counter = 0;      /* written by the program */
__u64 swift_value = 0;       /* its neighbour, written by Swift */
__u32 data_marker = 7;       /* .data */

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16384);
} records SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, struct bind_key);
    __type(value, struct bind_value);
} values SEC(".maps");

SEC("tp/syscalls/sys_enter_getpid")
int on_getpid(void *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    if (tid != targ_tid)
        return 0;
    __u64 n = __sync_add_and_fetch(&hits_counter, 1);

    struct bind_key key;
    __builtin_memset(&key, 0, sizeof(key));
    key.tid = tid;
    key.port = targ_port;
    struct bind_value value;
    __builtin_memset(&value, 0, sizeof(value));
    value.hits = n;
    value.last_ret = -(__s32)n;
    value.kind = 1;
    value.flags = 5;
    value.level = 17;
    __builtin_memcpy(value.tag, "typed", 6);
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);

    struct bind_record rec;
    __builtin_memset(&rec, 0, sizeof(rec));
    rec.seq = n;
    rec.tid = tid;
    rec.kind = BIND_KIND_FULL;
    rec.from_swift = swift_value;
    bpf_get_current_comm(rec.comm, sizeof(rec.comm));
    rec.tail_marker = 0xfeedface;
    bpf_ringbuf_output(&records, &rec, sizeof(rec), 0);
    rec.kind = BIND_KIND_SHORT;
    bpf_ringbuf_output(&records, &rec, __builtin_offsetof(struct bind_record, comm), 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
