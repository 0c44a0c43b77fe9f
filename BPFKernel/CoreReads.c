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

/* The process id (tgid) of the current task's parent: task->real_parent->tgid. */
unsigned int swiftbpf_current_parent_tgid(void)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    return BPF_CORE_READ(task, real_parent, tgid);
}

/* The tgid of the current task's thread-group leader: task->group_leader->tgid. */
unsigned int swiftbpf_current_group_leader_tgid(void)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    return BPF_CORE_READ(task, group_leader, tgid);
}
