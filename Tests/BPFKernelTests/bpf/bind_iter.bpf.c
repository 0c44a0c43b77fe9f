// SPDX-License-Identifier: GPL-2.0
// Typed iterator and syscall programs (TypedBindingsTests): a task iterator that writes every
// task's tgid, and a syscall program that doubles its context's value.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_iter_meta {
    struct seq_file *seq;
    __u64 session_id;
    __u64 seq_num;
} __attribute__((preserve_access_index));

struct task_struct {
    int tgid;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
    struct bpf_iter_meta *meta;
    struct task_struct *task;
} __attribute__((preserve_access_index));

SEC("iter/task")
int list_tgids(struct bpf_iter__task *ctx)
{
    struct task_struct *task = ctx->task;
    if (!task)
        return 0;
    __u32 tgid = task->tgid;
    bpf_seq_write(ctx->meta->seq, &tgid, sizeof(tgid));
    return 0;
}

struct double_args {
    __u64 value;
};

SEC("syscall")
int double_it(struct double_args *ctx)
{
    ctx->value *= 2;
    return 7;
}

char LICENSE[] SEC("license") = "GPL";
