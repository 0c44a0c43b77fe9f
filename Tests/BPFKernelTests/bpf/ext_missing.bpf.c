// SPDX-License-Identifier: GPL-2.0
// Extern test object: strong externs that the kernel does not have, which must fail the load
// with errors naming them (a CONFIG_ value, a typeless ksym, a kfunc).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_SWIFTBPF_NOT_SET __kconfig;
extern const void swiftbpf_no_such_symbol __ksym;
extern void swiftbpf_no_such_kfunc(void) __ksym;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int use_missing(void *ctx)
{
    __u32 key = 0;
    __u64 value = CONFIG_SWIFTBPF_NOT_SET + (__u64)&swiftbpf_no_such_symbol;
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);
    swiftbpf_no_such_kfunc();
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
