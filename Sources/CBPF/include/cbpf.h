// SPDX-License-Identifier: Apache-2.0
// The C shim: only what Swift cannot call or import directly.
// - syscall(2) is variadic, so each system call used gets a static inline wrapper.
// - Function-like ioctl macros are not imported into Swift, so they are re-exported as constants.
// UAPI structs come from the installed Linux headers (linux-libc-dev); no kernel header is copied here.
#ifndef CBPF_H
#define CBPF_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/perf_event.h>

/// bpf(2): `cmd` is a `enum bpf_cmd` value, `attr` is zero-filled by the caller.
static inline long cbpf_sys_bpf(int cmd, void *attr, unsigned int size) {
    return syscall(__NR_bpf, cmd, attr, size);
}

/// perf_event_open(2).
static inline long cbpf_sys_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags) {
    return syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags);
}

/// setns(2): glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does not set,
/// and a static executable cannot look it up at run time.
static inline int cbpf_setns(int fd, int nstype) {
    return (int)syscall(__NR_setns, fd, nstype);
}

/// ioctl(2) with an integer argument (ioctl is variadic too).
static inline int cbpf_ioctl_int(int fd, unsigned long request, unsigned long arg) {
    return ioctl(fd, request, arg);
}

/// fcntl(2) with an integer argument (variadic).
static inline int cbpf_fcntl_int(int fd, int cmd, int arg) {
    return fcntl(fd, cmd, arg);
}

/// open(2) without a mode (variadic).
static inline int cbpf_open(const char *path, int flags) {
    return open(path, flags | O_CLOEXEC);
}

/// open(2) with a mode, for files that may be created.
static inline int cbpf_open_mode(const char *path, int flags, unsigned int mode) {
    return open(path, flags | O_CLOEXEC, mode);
}

/// statfs(2)'s f_type for `path` in `*type`; 0 or -1 with errno. (struct statfs is not
/// imported through Glibc.)
static inline int cbpf_statfs_type(const char *path, long *type) {
    struct statfs st;
    int r = statfs(path, &st);
    if (r == 0) *type = (long)st.f_type;
    return r;
}

static inline int cbpf_errno(void) { return errno; }

// ioctl requests of <linux/perf_event.h>, which Swift does not import (function-like macros).
static const unsigned long CBPF_PERF_EVENT_IOC_ENABLE = PERF_EVENT_IOC_ENABLE;
static const unsigned long CBPF_PERF_EVENT_IOC_DISABLE = PERF_EVENT_IOC_DISABLE;
static const unsigned long CBPF_PERF_EVENT_IOC_SET_BPF = PERF_EVENT_IOC_SET_BPF;

/// ThreadSanitizer's happens-before annotations (compiler-rt's `tsan_interface.h`). Weak: they
/// resolve only in a binary linked with the sanitizer's runtime (`--sanitize=thread`); anywhere
/// else they are null and the wrappers do nothing.
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));
static inline void cbpf_tsan_acquire(const void *addr) {
    if (__tsan_acquire) __tsan_acquire((void *)addr);
}
static inline void cbpf_tsan_release(const void *addr) {
    if (__tsan_release) __tsan_release((void *)addr);
}

#endif
