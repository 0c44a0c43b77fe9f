// SPDX-License-Identifier: GPL-2.0
// The layouts learn_kernel.bpf.c shares with Swift (LearnKernelObject, generated from this BTF).
#ifndef LEARN_H
#define LEARN_H

#define LEARN_COMM_LEN 16
#define LEARN_NO_ARG 0xffffffff

// A syscall seen from the workload (arg == LEARN_NO_ARG: the call itself), or one value of one
// of its arguments that seccomp filters can test (socket family, clone flags, ioctl and prctl numbers).
struct learn_syscall_key {
    __u32 nr;
    __u32 arg;     /* argument index, or LEARN_NO_ARG */
    __u64 value;
};

#endif
