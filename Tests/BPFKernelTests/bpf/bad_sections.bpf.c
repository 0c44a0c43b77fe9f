// SPDX-License-Identifier: GPL-2.0
// One program in a known section and one in a section libbpf does not know.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp/syscalls/sys_enter_getpid")
int known_section(void *ctx)
{
    return 0;
}

SEC("foo/bar")
int unknown_section(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
