// SPDX-License-Identifier: GPL-2.0
// CO-RE reads of kernel structures for Swift BPF programs. Swift has no spelling of clang's
// preserve_access_index, so these reads are written in C against BPFInclude/vmlinux.h; the
// build links this file's bitcode into each program with -mlink-builtin-bitcode, which
// internalizes the functions, so they are inlined and leave only the program's instructions
// and their CO-RE relocations (.BTF.ext), exactly as if the program were C.
// Each function is declared in CoreReads.swift; names start with `swiftbpf_`.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Inlined into each program like C's static __always_inline helpers (the linker's internalizing
 * alone leaves a large read used by several programs as a BPF-to-BPF call). */
#define SWIFTBPF_READ __attribute__((always_inline))

/* The process id (tgid) of the current task's parent: task->real_parent->tgid. */
SWIFTBPF_READ unsigned int swiftbpf_current_parent_tgid(void)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    return BPF_CORE_READ(task, real_parent, tgid);
}

/* The tgid of the current task's thread-group leader: task->group_leader->tgid. */
SWIFTBPF_READ unsigned int swiftbpf_current_group_leader_tgid(void)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    return BPF_CORE_READ(task, group_leader, tgid);
}

/* Reads of a task the program was handed rather than the current one: a tp_btf or raw
 * tracepoint argument such as sched_switch's `prev` and `next` (a `struct task_struct *`). */

/* task->pid: the task's thread id. */
SWIFTBPF_READ int swiftbpf_task_pid(struct task_struct *task)
{
    return BPF_CORE_READ(task, pid);
}

/* task->tgid: the task's process id. */
SWIFTBPF_READ int swiftbpf_task_tgid(struct task_struct *task)
{
    return BPF_CORE_READ(task, tgid);
}

/* task->cred->uid.val: the task's user id. */
SWIFTBPF_READ unsigned int swiftbpf_task_uid(struct task_struct *task)
{
    struct cred *cred = (struct cred *)BPF_CORE_READ(task, cred);
    return BPF_CORE_READ(cred, uid.val);
}

/* Copies task->comm (16 bytes with its NUL) to `buffer`; the bytes copied or a negative errno. */
SWIFTBPF_READ long swiftbpf_task_comm(struct task_struct *task, void *buffer)
{
    return bpf_core_read_str(buffer, sizeof(task->comm), &task->comm);
}

/* task->cgroups->dfl_cgrp->kn->id: the id of the task's cgroup v2 (its directory's inode). */
SWIFTBPF_READ unsigned long long swiftbpf_task_cgroup_id(struct task_struct *task)
{
    return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

/* The id of the ancestor at depth `level` of the task's cgroup v2 (the cgroup itself at its own
 * depth; the root is depth 0): dfl_cgrp->ancestors[level]->kn->id, or 0 when the cgroup is
 * shallower than `level`. A cgroup is under directory D when this equals D's id at D's depth. */
SWIFTBPF_READ unsigned long long swiftbpf_task_cgroup_ancestor_id(struct task_struct *task, int level)
{
    struct cgroup *cgroup = BPF_CORE_READ(task, cgroups, dfl_cgrp);
    if (BPF_CORE_READ(cgroup, level) < level)
        return 0;
    struct cgroup *ancestor = 0;
    bpf_core_read(&ancestor, sizeof(ancestor), &cgroup->ancestors[level & 0xff]);
    if (!ancestor)
        return 0;
    return BPF_CORE_READ(ancestor, kn, id);
}
