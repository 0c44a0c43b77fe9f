// SPDX-License-Identifier: GPL-2.0
// The floor of a TLS plaintext tracer: an entry and a return probe on each of libssl's read and
// write functions (the return is where a read's plaintext can first be read), each only
// counting. A load under it shows what the probes themselves cost (Benchmarks/tls-http.sh).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 probes_hit;

#define FLOOR(name, sec) SEC(sec) int name(void *ctx) { __sync_fetch_and_add(&probes_hit, 1); return 0; }
#define LIBSSL "/usr/lib/x86_64-linux-gnu/libssl.so.3"

FLOOR(write_entry, "uprobe/" LIBSSL ":SSL_write")
FLOOR(write_return, "uretprobe/" LIBSSL ":SSL_write")
FLOOR(read_entry, "uprobe/" LIBSSL ":SSL_read")
FLOOR(read_return, "uretprobe/" LIBSSL ":SSL_read")
FLOOR(write_ex_entry, "uprobe/" LIBSSL ":SSL_write_ex")
FLOOR(write_ex_return, "uretprobe/" LIBSSL ":SSL_write_ex")
FLOOR(read_ex_entry, "uprobe/" LIBSSL ":SSL_read_ex")
FLOOR(read_ex_return, "uretprobe/" LIBSSL ":SSL_read_ex")

char LICENSE[] SEC("license") = "GPL";
