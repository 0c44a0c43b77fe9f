// SPDX-License-Identifier: GPL-2.0
// Auto-attached USDT programs on CPython 3.11's own probes (Debian's python3.11 ships
// .note.stapsdt with semaphores): SEC("usdt/PATH:PROVIDER:NAME") as libbpf spells it.
#include <linux/types.h>
#include <linux/ptrace.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct py_gc {
	__u64 starts[3];	/* gc__start calls by generation */
	__u64 done_calls;	/* gc__done calls */
	__s64 last_collected;	/* gc__done's argument: objects collected */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct py_gc);
} py_gc_stats SEC(".maps");

const volatile __u32 py_target_tgid = 0;

static __always_inline struct py_gc *py_slot(void)
{
	__u32 key = 0;

	if ((bpf_get_current_pid_tgid() >> 32) != py_target_tgid)
		return 0;
	return bpf_map_lookup_elem(&py_gc_stats, &key);
}

/* python:gc__start(int generation): an argument in memory (-4@112(%rsp) in Debian's build). */
SEC("usdt//usr/bin/python3.11:python:gc__start")
int BPF_USDT(py_gc_start, int generation)
{
	struct py_gc *c = py_slot();

	if (c && generation >= 0 && generation < 3)
		c->starts[generation]++;
	return 0;
}

/* python:gc__done(long collected): an argument in a register (-8@%r12). */
SEC("usdt//usr/bin/python3.11:python:gc__done")
int BPF_USDT(py_gc_done, long collected)
{
	struct py_gc *c = py_slot();

	if (c) {
		c->done_calls++;
		c->last_collected = collected;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
