// SPDX-License-Identifier: GPL-2.0
// The event execsnoop.bpf.c sends; ExecEvent.swift decodes the same layout.
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#define MAX_ARGS 64
#define ARG_MAX_LEN 1024
#define ARGS_DATA_SIZE 8192  /* power of two: offsets are masked with it */

struct exec_event {
    struct tool_task task;  /* 48 bytes, swiftbpf_tool.h */
    __s32 retval;
    __u32 args_count;
    __u32 args_size;
    __u32 truncated;
    char args[ARGS_DATA_SIZE + ARG_MAX_LEN];
};

#define EXEC_EVENT_HEADER_SIZE 64  /* offsetof(struct exec_event, args) */

#endif
