// SPDX-License-Identifier: GPL-2.0
// Extern test object: a typeless ksym (a kallsyms address), a missing __weak typed ksym, and
// kfuncs (bpf_rcu_read_lock/unlock), run when the test's own process calls getpid.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void __x64_sys_getpid __ksym;
extern const int swiftbpf_no_such_variable __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

const volatile __u32 target_pid = 0;

static __always_inline void put(__u32 key, __u64 value)
{
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int read_ksyms(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_pid)
        return 0;
    put(0, (__u64)&__x64_sys_getpid);
    put(1, &swiftbpf_no_such_variable ? 5 : 4);
    bpf_rcu_read_lock();
    bpf_rcu_read_unlock();
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
