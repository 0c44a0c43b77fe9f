// SPDX-License-Identifier: GPL-2.0
// A BPF LSM program on file_open that denies this test process opening one inode with -EPERM.
// The kernel types are declared here, with CO-RE, so the object relocates on any kernel.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define EPERM 1

struct inode {
    long unsigned int i_ino;
} __attribute__((preserve_access_index));

struct file {
    struct inode *f_inode;
} __attribute__((preserve_access_index));

// 0: opens denied, 1: other opens by the target process seen.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

const volatile __u32 target_tgid = 0;
const volatile __u64 deny_ino = 0;

SEC("lsm/file_open")
int BPF_PROG(deny_marker_open, struct file *file, int ret)
{
    if (ret != 0)
        return ret;
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    __u32 key = BPF_CORE_READ(file, f_inode, i_ino) == deny_ino ? 0 : 1;
    __u64 *n = bpf_map_lookup_elem(&counts, &key);
    if (n)
        __sync_fetch_and_add(n, 1);
    return key == 0 ? -EPERM : 0;
}

char LICENSE[] SEC("license") = "GPL";
