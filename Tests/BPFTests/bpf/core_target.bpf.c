// SPDX-License-Identifier: GPL-2.0
// Not a program: a custom CO-RE target BTF (like libbpf's btf_custom_path) whose types give
// core_ambiguity.bpf.c several candidates per local type.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Two candidates that place x at different offsets: "field offset ambiguity". */
struct amb_offset { int pad; int x; };
struct amb_offset___v2 { int x; };

/* Same offset, different size: "relocation decision ambiguity" for byte_sz. */
struct amb_size { int x; };
struct amb_size___v2 { long x; };

/* Two candidates that agree: no ambiguity. */
struct amb_agree { int x; };
struct amb_agree___v2 { int x; int y; };

/* Only the second candidate has y: the first is dropped from the cached list. */
struct amb_prune { int x; };
struct amb_prune___v2 { int x; int y; };

/* Layouts for arrays, flexible arrays and bitfields. */
struct lay {
	int pad;
	int grid[3][4];
	int sbits : 5;
	int count;
	char flex[];
};

/* A bitfield that straddles an 8-byte boundary: no single load can read it. */
struct __attribute__((packed)) lay_straddle {
	unsigned long long low : 60;
	unsigned long long cross : 8;
};

struct lay t9; struct lay_straddle t10;
struct amb_offset t1; struct amb_offset___v2 t2;
struct amb_size t3; struct amb_size___v2 t4;
struct amb_agree t5; struct amb_agree___v2 t6;
struct amb_prune t7; struct amb_prune___v2 t8;

char LICENSE[] SEC("license") = "GPL";
