// SPDX-License-Identifier: GPL-2.0
// Extern test object: kfuncs taking and returning kernel pointers (bpf_task_from_pid,
// bpf_task_release) in a tp_btf program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct {
    int pid;
};
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

const volatile __u32 target_pid = 0;

SEC("tp_btf/sys_enter")
int find_task(void *ctx)
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
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
