// SPDX-License-Identifier: GPL-2.0
// CO-RE relocations meant for the custom target BTF of core_target.bpf.c.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct amb_offset { int x; } __attribute__((preserve_access_index));
struct amb_size { int x; } __attribute__((preserve_access_index));
struct amb_agree { int x; } __attribute__((preserve_access_index));
struct amb_prune { int x; int y; } __attribute__((preserve_access_index));

struct lay {
	int grid[3][4];
	int sbits : 5;
	int count;
	char flex[];
} __attribute__((preserve_access_index));

struct lay_straddle {
	unsigned long long low : 60;
	unsigned long long cross : 4;
} __attribute__((preserve_access_index));

volatile __u64 out[16];

SEC("tracepoint/amb/offset")
int amb_offset_read(void *ctx)
{
	struct amb_offset *p = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ(p, x);
	return 0;
}

SEC("tracepoint/amb/size")
int amb_size_read(void *ctx)
{
	struct amb_size *p = (void *)bpf_get_current_task();
	out[0] = bpf_core_field_size(p->x);
	return 0;
}

SEC("tracepoint/amb/agree")
int amb_agree_read(void *ctx)
{
	struct amb_agree *p = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ(p, x);
	return 0;
}

SEC("tracepoint/amb/prune")
int amb_prune_read(void *ctx)
{
	struct amb_prune *p = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ(p, y);
	out[1] = BPF_CORE_READ(p, x);
	return 0;
}

SEC("tracepoint/lay/arrays")
int lay_arrays(void *ctx)
{
	struct lay *p = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ(p, grid[2][3]);
	out[1] = bpf_core_field_size(p->grid[1]);
	out[2] = bpf_core_field_size(p->grid);
	out[3] = BPF_CORE_READ(p, flex[5]);
	out[4] = BPF_CORE_READ(p, count);
	return 0;
}

SEC("tracepoint/lay/signed_bitfield")
int lay_signed_bitfield(void *ctx)
{
	struct lay *p = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ_BITFIELD_PROBED(p, sbits);
	return 0;
}

SEC("tracepoint/lay/straddle")
int lay_straddle(void *ctx)
{
	struct lay_straddle *p = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ_BITFIELD_PROBED(p, cross);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
