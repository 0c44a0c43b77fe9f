// SPDX-License-Identifier: GPL-2.0
// Auto-attached uprobes: SEC("uprobe/libc.so.6:getsid") and its uretprobe, counting this
// process's calls with the argument and the return value.
#include <linux/types.h>
#include <linux/bpf.h>

struct pt_regs {
    long unsigned int r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
} __attribute__((preserve_access_index));

#define __VMLINUX_H__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

// 0: entry count, 1: last argument, 2: return count, 3: last return value.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __s64);
} auto_hits SEC(".maps");

volatile const __u32 filter_tgid = 0;

static __always_inline void record(__u32 count_key, __s64 value)
{
    if ((bpf_get_current_pid_tgid() >> 32) != filter_tgid)
        return;
    __u32 value_key = count_key + 1;
    __s64 *count = bpf_map_lookup_elem(&auto_hits, &count_key);
    __s64 *last = bpf_map_lookup_elem(&auto_hits, &value_key);
    if (count && last) {
        __sync_fetch_and_add(count, 1);
        *last = value;
    }
}

SEC("uprobe/libc.so.6:getsid")
int BPF_KPROBE(auto_getsid, long pid)
{
    record(0, pid);
    return 0;
}

SEC("uretprobe/libc.so.6:getsid")
int BPF_KRETPROBE(auto_getsid_return, long ret)
{
    record(2, ret);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
