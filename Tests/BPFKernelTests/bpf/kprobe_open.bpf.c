// SPDX-License-Identifier: GPL-2.0
// kprobe, kretprobe and ksyscall programs that see this test process open a marker path.
// The kernel types are declared here, with CO-RE, so the object relocates on any kernel.
#include <linux/types.h>
#include <linux/bpf.h>

struct pt_regs {
    long unsigned int r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
} __attribute__((preserve_access_index));

// bpf_tracing.h reads the kernel's pt_regs names (di, si...) when vmlinux.h is in use.
#define __VMLINUX_H__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define MARKER_LEN 48

struct hit {
    __u64 count;
    __s64 last_ret;
    __u64 cookie;
    char path[64];
};

// 0: kprobe on do_sys_openat2, 1: its kretprobe, 2: ksyscall openat.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, struct hit);
} hits SEC(".maps");

// Threads whose open of the marker is in flight, for the kretprobe.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u8);
} pending SEC(".maps");

const volatile __u32 target_tgid = 0;
const volatile char marker[MARKER_LEN] = {};

static __always_inline int is_marker(const char *user_path, char *buf)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    if (bpf_probe_read_user_str(buf, 64, user_path) < 0)
        return 0;
    for (int i = 0; i < MARKER_LEN; i++) {
        if (marker[i] == 0)
            return i > 0;
        if (buf[i] != marker[i])
            return 0;
    }
    return 1;
}

static __always_inline struct hit *hit_at(__u32 key)
{
    return bpf_map_lookup_elem(&hits, &key);
}

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(kprobe_openat2, int dfd, const char *filename)
{
    char buf[64] = {};
    if (!is_marker(filename, buf))
        return 0;
    struct hit *h = hit_at(0);
    if (!h)
        return 0;
    __sync_fetch_and_add(&h->count, 1);
    h->cookie = bpf_get_attach_cookie(ctx);
    __builtin_memcpy(h->path, buf, sizeof(buf));
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u8 one = 1;
    bpf_map_update_elem(&pending, &tid, &one, BPF_ANY);
    return 0;
}

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(kretprobe_openat2, long ret)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    if (!bpf_map_lookup_elem(&pending, &tid))
        return 0;
    bpf_map_delete_elem(&pending, &tid);
    struct hit *h = hit_at(1);
    if (!h)
        return 0;
    __sync_fetch_and_add(&h->count, 1);
    h->last_ret = ret;
    return 0;
}

SEC("ksyscall/openat")
int BPF_KSYSCALL(ksyscall_openat, int dfd, const char *pathname, int flags)
{
    char buf[64] = {};
    if (!is_marker(pathname, buf))
        return 0;
    struct hit *h = hit_at(2);
    if (!h)
        return 0;
    __sync_fetch_and_add(&h->count, 1);
    h->last_ret = flags;
    __builtin_memcpy(h->path, buf, sizeof(buf));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
