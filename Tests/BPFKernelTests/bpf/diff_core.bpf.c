// SPDX-License-Identifier: GPL-2.0
// Differential test object: CO-RE relocations of many kinds against the running kernel,
// on local type definitions, as a libbpf user writes them without vmlinux.h.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
    int pid;
    int tgid;
    unsigned int flags;
    struct task_struct *real_parent;
    char comm[16];
    unsigned int in_execve: 1;
} __attribute__((preserve_access_index));

struct task_struct___fake {
    int does_not_exist;
} __attribute__((preserve_access_index));

struct swiftbpf_no_such_type {
    int x;
} __attribute__((preserve_access_index));

enum pid_type {
    PIDTYPE_PID = 0,
    PIDTYPE_TGID,
    PIDTYPE_MAX,
};

enum bogus___flavor {
    NOT_IN_KERNEL = 1,
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} out SEC(".maps");

const volatile int use_fake = 0;

static __always_inline void put(__u32 k, __u64 v)
{
    bpf_map_update_elem(&out, &k, &v, BPF_ANY);
}

SEC("tp/syscalls/sys_enter_getpid")
int core_kinds(void *ctx)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    put(0, BPF_CORE_READ(t, tgid));
    put(1, BPF_CORE_READ(t, real_parent, tgid));
    put(2, bpf_core_field_size(t->comm));
    put(3, bpf_core_field_exists(t->flags));
    put(4, BPF_CORE_READ_BITFIELD_PROBED(t, in_execve));
    put(5, bpf_core_type_exists(struct swiftbpf_no_such_type));
    put(6, bpf_core_type_size(struct task_struct));
    put(7, bpf_core_enum_value_exists(enum pid_type, PIDTYPE_TGID));
    put(8, bpf_core_enum_value(enum pid_type, PIDTYPE_MAX));
    put(9, bpf_core_enum_value_exists(enum bogus___flavor, NOT_IN_KERNEL));
    put(10, bpf_core_type_id_kernel(struct task_struct));
    put(11, bpf_core_field_exists(((struct task_struct___fake *)t)->does_not_exist));
    if (use_fake) {
        struct task_struct___fake *f = (void *)t;
        put(12, BPF_CORE_READ(f, does_not_exist));
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
