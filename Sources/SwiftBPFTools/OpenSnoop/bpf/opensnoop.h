// SPDX-License-Identifier: GPL-2.0
// The event opensnoop.bpf.c sends; OpenEvent.swift decodes the same layout.
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define OPEN_PATH_MAX 4096
#define OPEN_PREFIX_MAX 256
#define OPEN_AT_FDCWD -100

struct open_event {
    struct tool_task task;  // 0..48
    __s32 ret;              // 48: the fd, or -errno
    __u32 flags;            // 52: open flags (O_*)
    __s32 dfd;              // 56: the directory fd a relative path is resolved from (-100: cwd)
    __u32 path_size;        // 60: bytes of path sent, with the NUL
    char path[OPEN_PATH_MAX];  // 64
};

#define OPEN_EVENT_HEADER_SIZE 64  /* offsetof(struct open_event, path) */

#endif
