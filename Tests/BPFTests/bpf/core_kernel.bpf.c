// SPDX-License-Identifier: GPL-2.0
// CO-RE relocations against the running kernel's BTF, one program per aspect.
// Local copies of kernel types deliberately differ from the kernel's layout, so every
// relocation has to move something. Never loaded: the pure tests only relocate it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;                            /* kernel: far later */
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
	unsigned long flags;                /* kernel: unsigned int -> load size 8 -> 4 */
	long prio;                          /* kernel: int (signed) -> size change not allowed -> poison */
	unsigned int in_execve:1;
	unsigned int in_iowait:1;
} __attribute__((preserve_access_index));

/* A flavour: essential name task_struct, with a field the kernel does not have. */
struct task_struct___fake {
	int does_not_exist;
} __attribute__((preserve_access_index));

/* A flavour whose pid sits inside a local anonymous struct. */
struct task_struct___anon {
	long pad;
	struct {
		int pid;
	};
} __attribute__((preserve_access_index));

struct net_device {
	int ifindex;
} __attribute__((preserve_access_index));

/* In the kernel, dev is inside anonymous struct/union members. */
struct sk_buff {
	unsigned int len;
	struct net_device *dev;
} __attribute__((preserve_access_index));

struct list_head {
	struct list_head *next, *prev;
} __attribute__((preserve_access_index));

struct core_no_such_kernel_type {
	int x;
} __attribute__((preserve_access_index));

enum pid_type {
	PIDTYPE_SID = 0,        /* kernel: 3 */
	PIDTYPE_TGID = 5,       /* kernel: 1 */
	PIDTYPE_NOT_IN_KERNEL = 6,
};

volatile __u64 out[32];

/* FIELD_BYTE_OFFSET on LDX (with a load-size rewrite and a size-mismatch poison) and on ALU. */
SEC("tracepoint/core/fields")
int core_fields(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	out[0] = t->pid;
	out[1] = t->flags;
	out[2] = t->prio;
	out[3] = (__u64)&t->tgid;
	out[4] = (__u64)BPF_CORE_READ(t, real_parent, pid);
	out[5] = t->comm[3];
	return 0;
}

/* FIELD_EXISTS, FIELD_BYTE_SIZE, FIELD_SIGNED; a missing field gets poisoned. */
SEC("tracepoint/core/field_info")
int core_field_info(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct task_struct___fake *f = (void *)t;
	out[0] = bpf_core_field_exists(t->pid);
	out[1] = bpf_core_field_exists(f->does_not_exist);
	out[2] = bpf_core_field_size(t->comm);
	out[3] = bpf_core_field_size(t->flags);
	out[4] = __builtin_preserve_field_info(t->prio, BPF_FIELD_SIGNED);
	out[5] = __builtin_preserve_field_info(t->flags, BPF_FIELD_SIGNED);
	if (bpf_core_field_exists(f->does_not_exist))
		out[6] = f->does_not_exist;
	return 0;
}

/* Bitfields: probed read (BYTE_SIZE, BYTE_OFFSET, LSHIFT, SIGNED, RSHIFT). */
SEC("tracepoint/core/bitfield_probed")
int core_bitfield_probed(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
	return 0;
}

/* Bitfields: direct read. */
SEC("tp_btf/sched_switch")
int core_bitfield_direct(__u64 *ctx)
{
	struct task_struct *t = (void *)ctx[1];
	out[0] = BPF_CORE_READ_BITFIELD(t, in_iowait);
	return 0;
}

/* Anonymous members: local (task_struct___anon.pid) and in the kernel (sk_buff.dev). */
SEC("tracepoint/core/anonymous")
int core_anonymous(void *ctx)
{
	struct task_struct___anon *a = (void *)bpf_get_current_task();
	struct sk_buff *skb = (void *)a;
	out[0] = BPF_CORE_READ(a, pid);
	out[1] = BPF_CORE_READ(skb, dev, ifindex);
	return 0;
}

/* Type relocations: ids, existence, size, matches. */
SEC("tracepoint/core/types")
int core_types(void *ctx)
{
	out[0] = bpf_core_type_id_local(struct task_struct);
	out[1] = bpf_core_type_id_kernel(struct task_struct);
	out[2] = bpf_core_type_exists(struct task_struct);
	out[3] = bpf_core_type_exists(struct core_no_such_kernel_type);
	out[4] = bpf_core_type_size(struct task_struct);
	out[5] = bpf_core_type_size(struct core_no_such_kernel_type);
	out[6] = bpf_core_type_matches(struct list_head);
	out[7] = bpf_core_type_matches(struct task_struct);
	out[8] = bpf_core_type_id_kernel(struct core_no_such_kernel_type);
	out[9] = bpf_core_type_exists(struct task_struct___fake);
	return 0;
}

/* Enumerator relocations. */
SEC("tracepoint/core/enums")
int core_enums(void *ctx)
{
	out[0] = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_SID);
	out[1] = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_NOT_IN_KERNEL);
	out[2] = bpf_core_enum_value(enum pid_type, PIDTYPE_SID);
	out[3] = bpf_core_enum_value(enum pid_type, PIDTYPE_TGID);
	if (bpf_core_enum_value_exists(enum pid_type, PIDTYPE_NOT_IN_KERNEL))
		out[4] = bpf_core_enum_value(enum pid_type, PIDTYPE_NOT_IN_KERNEL);
	return 0;
}

/* Two functions in one section: each must get only its own relocations. */
SEC("tracepoint/core/shared")
int core_shared_a(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	out[0] = t->tgid;
	return 0;
}

SEC("tracepoint/core/shared")
int core_shared_b(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	out[1] = t->pid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

/* TYPE_MATCHES across kinds, and 64-bit enumerators. */
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
} __attribute__((preserve_access_index));

struct callback_head___wrong_arity {
	struct callback_head *next;
	void (*func)(struct callback_head *head, int extra);
} __attribute__((preserve_access_index));

union sigval {
	int sival_int;
	void *sival_ptr;
};

typedef int pid_t;
typedef unsigned int pid_t___unsigned;

enum perf_callchain_context {
	PERF_CONTEXT_HV = (__u64)-32,
	PERF_CONTEXT_KERNEL = (__u64)-128,
};

SEC("tracepoint/core/matches")
int core_matches(void *ctx)
{
	out[0] = bpf_core_type_matches(struct callback_head);
	out[1] = bpf_core_type_matches(struct callback_head___wrong_arity);
	out[2] = bpf_core_type_matches(union sigval);
	out[3] = bpf_core_type_matches(pid_t);
	out[4] = bpf_core_type_matches(pid_t___unsigned);
	out[5] = bpf_core_type_size(pid_t);
	out[6] = bpf_core_type_matches(enum perf_callchain_context);
	out[7] = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_KERNEL);
	return 0;
}
