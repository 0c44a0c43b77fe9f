// SPDX-License-Identifier: GPL-2.0
// Extern test object: a missing __weak kfunc, guarded as libbpf's bpf_ksym_exists() does, so
// the verifier drops the (poisoned) call as dead code; next to a resolved kfunc pair.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct {
    int pid;
};
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void swiftbpf_no_such_kfunc(void) __ksym __weak;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

const volatile __u32 target_pid = 0;

SEC("tp_btf/sys_enter")
int weak_kfunc(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_pid)
        return 0;
    __u32 key = 0;
    __u64 value = 1;
    struct task_struct *t = bpf_task_from_pid(target_pid);
    if (t) {
        value = 2;
        bpf_task_release(t);
    }
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);
    key = 1;
    value = 3;
    if (!!swiftbpf_no_such_kfunc) {
        swiftbpf_no_such_kfunc();
        value = 4;
    }
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

/* Not loaded by default ('?'): calls the missing weak kfunc without checking that it exists,
 * so the verifier meets the poisoned call. */
SEC("?tp_btf/sys_enter")
int unguarded_weak_kfunc(void *ctx)
{
    swiftbpf_no_such_kfunc();
    return 0;
}
