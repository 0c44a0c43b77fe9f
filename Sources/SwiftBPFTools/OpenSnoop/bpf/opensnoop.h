// SPDX-License-Identifier: GPL-2.0
// The event opensnoop.bpf.c sends; OpenEvent.swift decodes the same layout.
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define OPEN_PATH_MAX 4096
#define OPEN_CWD_MAX 4096    /* bytes of working-directory names (power of two: offsets are masked) */
#define OPEN_CWD_DEPTH 48    /* directory levels and mount crossings walked for --full-path */
#define OPEN_NAME_MAX 256
#define OPEN_PREFIX_MAX 256
#define OPEN_AT_FDCWD -100

struct open_event {
    struct tool_task task;  // 0..48
    __s32 ret;              // 48: the fd, or -errno
    __u32 flags;            // 52: open flags (O_*)
    __s32 dfd;              // 56: the directory fd a relative path is resolved from (-100: cwd)
    __u16 path_size;        // 60: bytes of the path, with its NUL
    __u16 cwd_size;         // 62: bytes of working-directory names before the path (--full-path)
    // 64: cwd_size bytes of the working directory's names, innermost first, each ending in NUL
    // (only for a relative path with --full-path); then the path as passed, path_size bytes.
    char data[OPEN_CWD_MAX + OPEN_PATH_MAX];
};

#define OPEN_EVENT_HEADER_SIZE 64  /* offsetof(struct open_event, data) */

#endif
