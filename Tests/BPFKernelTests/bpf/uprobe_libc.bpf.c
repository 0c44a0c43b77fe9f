// SPDX-License-Identifier: GPL-2.0
// uprobe and uretprobe programs for the uprobe tests: each hit records its first two
// arguments (or the return value) and its bpf_get_attach_cookie() in the slot the cookie
// names, so two attachments of one program with different cookies land in different slots.
#include <linux/types.h>
#include <linux/bpf.h>

struct pt_regs {
    long unsigned int r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
} __attribute__((preserve_access_index));

// bpf_tracing.h reads the kernel's pt_regs names (di, si...) when vmlinux.h is in use.
#define __VMLINUX_H__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SLOTS 8
#define OTHER_PROCESS_SLOT 7

struct uprobe_hit {
    __u64 count;
    __s64 arg1;
    __s64 arg2;
    __s64 ret;
    __u64 cookie;
    __u32 tgid;
    __u32 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, SLOTS);
    __type(key, __u32);
    __type(value, struct uprobe_hit);
} hits SEC(".maps");

// Only this process counts, unless 0.
volatile const __u32 filter_tgid = 0;
// Hits from processes other than this one go to OTHER_PROCESS_SLOT, unless 0.
volatile const __u32 own_tgid = 0;

static __always_inline struct uprobe_hit *slot_for_hit(void *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (filter_tgid && tgid != filter_tgid)
        return 0;
    __u64 cookie = bpf_get_attach_cookie(ctx);
    __u32 key = cookie & (SLOTS - 1);
    if (own_tgid && tgid != own_tgid)
        key = OTHER_PROCESS_SLOT;
    struct uprobe_hit *h = bpf_map_lookup_elem(&hits, &key);
    if (!h)
        return 0;
    __sync_fetch_and_add(&h->count, 1);
    h->cookie = cookie;
    h->tgid = tgid;
    return h;
}

SEC("uprobe")
int BPF_KPROBE(on_entry, long arg1, long arg2)
{
    struct uprobe_hit *h = slot_for_hit(ctx);
    if (h) {
        h->arg1 = arg1;
        h->arg2 = arg2;
    }
    return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_return, long ret)
{
    struct uprobe_hit *h = slot_for_hit(ctx);
    if (h)
        h->ret = ret;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
