// SPDX-License-Identifier: GPL-2.0
// Extern test object: a typed ksym, the per-CPU int bpf_prog_active, read through
// bpf_this_cpu_ptr and bpf_per_cpu_ptr (BPF_PSEUDO_BTF_ID). The kernel finds its address with
// kallsyms, so kernels without CONFIG_KALLSYMS_ALL reject it ("failed to find the address").
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

const volatile __u32 target_pid = 0;

SEC("tracepoint/syscalls/sys_enter_getpid")
int read_typed_ksym(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_pid)
        return 0;
    __u32 key = 0;
    const int *active = bpf_this_cpu_ptr(&bpf_prog_active);
    __u64 value = *active;
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);
    const int *first = bpf_per_cpu_ptr(&bpf_prog_active, 0);
    key = 1;
    value = first ? 1 : 2;
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
