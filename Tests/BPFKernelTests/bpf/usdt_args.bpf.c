// SPDX-License-Identifier: GPL-2.0
// USDT test programs written against libbpf's BPF-side USDT support (<bpf/usdt.bpf.h>), so
// that SwiftBPF's attach fills the same __bpf_usdt_specs map libbpf would. Each hit stores its
// arguments in slot `bpf_usdt_cookie()` of `usdt_hits`.
#include <linux/types.h>
#include <linux/ptrace.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#define USDT_TEST_ARGS 6

struct usdt_hit {
	__u64 hits;
	__u32 pid;
	__s32 arg_cnt;
	__u64 cookie;
	__s64 args[USDT_TEST_ARGS];
	__s32 arg_errors;
	__s32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct usdt_hit);
} usdt_hits SEC(".maps");

const volatile __u32 usdt_target_tgid = 0;

static __always_inline struct usdt_hit *usdt_slot(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 key = (__u32)bpf_usdt_cookie(ctx);

	if (usdt_target_tgid && tgid != usdt_target_tgid)
		return 0;
	struct usdt_hit *h = bpf_map_lookup_elem(&usdt_hits, &key);
	if (!h)
		return 0;
	h->hits++;
	h->pid = tgid;
	h->cookie = bpf_usdt_cookie(ctx);
	h->arg_cnt = bpf_usdt_arg_cnt(ctx);
	return h;
}

/* The BPF_USDT form: typed arguments, read through bpf_usdt_arg(). */
SEC("usdt")
int BPF_USDT(usdt_pair, int a, long b)
{
	struct usdt_hit *h = usdt_slot(ctx);

	if (!h)
		return 0;
	h->args[0] = a;
	h->args[1] = b;
	return 0;
}

/* The generic form: every argument by number, whatever the probe. */
SEC("usdt")
int usdt_generic(struct pt_regs *ctx)
{
	struct usdt_hit *h = usdt_slot(ctx);
	long v;

	if (!h)
		return 0;
	h->arg_errors = 0;
	for (int i = 0; i < USDT_TEST_ARGS; i++) {
		v = 0;
		if (bpf_usdt_arg(ctx, i, &v) != 0 && i < h->arg_cnt)
			h->arg_errors++;
		h->args[i] = v;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
