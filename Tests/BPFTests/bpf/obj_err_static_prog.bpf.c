// SPDX-License-Identifier: GPL-2.0
// Error fixture: a static function in a program section ("program 'hidden_prog' is static").
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp/syscalls/sys_enter_getpid")
static __attribute__((used)) int hidden_prog(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
