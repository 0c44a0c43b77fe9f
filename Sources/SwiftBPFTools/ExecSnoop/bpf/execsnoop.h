// SPDX-License-Identifier: GPL-2.0
// The event execsnoop.bpf.c sends; ExecSnoop.swift decodes the same layout.
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#define TASK_COMM_LEN 16
#define MAX_ARGS 64
#define ARG_MAX_LEN 1024
#define ARGS_DATA_SIZE 8192  /* power of two: offsets are masked with it */

struct exec_event {
    __u32 pid;
    __u32 ppid;
    __u32 uid;
    __s32 retval;
    __u32 args_count;
    __u32 args_size;
    __u32 truncated;
    char comm[TASK_COMM_LEN];
    char args[ARGS_DATA_SIZE + ARG_MAX_LEN];
};

#define EXEC_EVENT_HEADER_SIZE 44  /* offsetof(struct exec_event, args) */

#endif
