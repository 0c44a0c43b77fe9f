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

// A DNS answer a workload's socket received (UDP from port 53): the message as it came, for the
// Swift parser, which names the workload's peers with it. length is the message's length on the
// wire; data holds at most LEARN_DNS_MAX bytes of it.
#define LEARN_DNS_MAX 512
struct learn_dns_answer {
    __u32 length;
    __u32 reserved;
    __u8 data[LEARN_DNS_MAX];
};

// Indexes of learn_dns_stats.
#define LEARN_DNS_LOST 0    /* the ring buffer was full */
#define LEARN_DNS_SLOTS 2

#endif
