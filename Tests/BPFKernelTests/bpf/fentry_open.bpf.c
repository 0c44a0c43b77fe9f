// SPDX-License-Identifier: GPL-2.0
// fentry and fexit programs on vfs_open that count this test process's opens of one inode.
// The kernel types are declared here, with CO-RE, so the object relocates on any kernel.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct inode {
    long unsigned int i_ino;
} __attribute__((preserve_access_index));

struct dentry {
    struct inode *d_inode;
} __attribute__((preserve_access_index));

struct path {
    struct dentry *dentry;
} __attribute__((preserve_access_index));

struct file;

struct hit {
    __u64 count;
    __s64 last_ret;
};

// 0: fentry, 1: fexit.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, struct hit);
} hits SEC(".maps");

const volatile __u32 target_tgid = 0;
const volatile __u64 target_ino = 0;

static __always_inline int is_target(const struct path *path)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    return BPF_CORE_READ(path, dentry, d_inode, i_ino) == target_ino;
}

SEC("fentry/vfs_open")
int BPF_PROG(fentry_vfs_open, const struct path *path, struct file *file)
{
    if (!is_target(path))
        return 0;
    __u32 key = 0;
    struct hit *h = bpf_map_lookup_elem(&hits, &key);
    if (h)
        __sync_fetch_and_add(&h->count, 1);
    return 0;
}

SEC("fexit/vfs_open")
int BPF_PROG(fexit_vfs_open, const struct path *path, struct file *file, int ret)
{
    if (!is_target(path))
        return 0;
    __u32 key = 1;
    struct hit *h = bpf_map_lookup_elem(&hits, &key);
    if (h) {
        __sync_fetch_and_add(&h->count, 1);
        h->last_ret = ret;
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
