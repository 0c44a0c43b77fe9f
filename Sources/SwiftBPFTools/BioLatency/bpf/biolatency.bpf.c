// SPDX-License-Identifier: GPL-2.0
// biolatency: block I/O latency from issue to the device (block_rq_issue) to completion
// (block_rq_complete), as histograms built in the kernel: one in total, or one per disk.
// Completions run in interrupt or worker context, so the task filters do not apply; a disk
// filter does.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"

const volatile __u8 per_disk = 0;
const volatile __u8 from_insert = 0;     // 1: start at block_rq_insert (include OS queue time)        // key = disk's dev_t (major << 20 | minor)
const volatile __u8 unit_msecs = 0;      // histogram unit: 1 ms, else 1 us
const volatile __u64 linear_step = 0;    // 0: log2 histogram; else linear slots of this width
const volatile __u8 filter_disk = 0;     // 1: only the disk targ_dev
const volatile __u32 targ_dev = 0;       // major << 20 | first_minor

struct gendisk___lat { int major; int first_minor; } __attribute__((preserve_access_index));
struct request_queue___lat { struct gendisk___lat *disk; } __attribute__((preserve_access_index));
struct request___lat { struct request_queue___lat *q; } __attribute__((preserve_access_index));

struct biolatency_hist {
    __u64 slots[TOOL_MAX_SLOTS];
};

struct biolatency_hist zero_hist = {};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH); // entries whose end never comes age out
    __uint(max_entries, 10240);
    __type(key, __u64);   // struct request *
    __type(value, __u64); // issue time
} start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);   // 0, or the disk's dev_t
    __type(value, struct biolatency_hist);
} hists SEC(".maps");

static __always_inline __u32 hist_slot(__u64 v)
{
    __u64 s = linear_step ? v / linear_step : tool_log2l(v);
    return s >= TOOL_MAX_SLOTS ? TOOL_MAX_SLOTS - 1 : (__u32)s;
}

static __always_inline __u32 request_dev(struct request___lat *rq)
{
    struct gendisk___lat *disk = BPF_CORE_READ(rq, q, disk);
    if (!disk)
        return 0;
    return ((__u32)BPF_CORE_READ(disk, major) << 20) | (__u32)BPF_CORE_READ(disk, first_minor);
}

static __always_inline void start_request(struct request___lat *rq)
{
    if (filter_disk && request_dev(rq) != targ_dev)
        return;
    __u64 key = (__u64)rq;
    __u64 ts = bpf_ktime_get_ns();
    bpf_map_update_elem(&start, &key, &ts, BPF_ANY);
}

// block_rq_insert(struct request *rq): the request enters the I/O scheduler's queue.
SEC("tp_btf/block_rq_insert")
int biolatency_insert(unsigned long long *ctx)
{
    if (from_insert)
        start_request((struct request___lat *)ctx[0]);
    return 0;
}

// block_rq_issue(struct request *rq): the request goes to the device driver.
SEC("tp_btf/block_rq_issue")
int biolatency_issue(unsigned long long *ctx)
{
    struct request___lat *rq = (struct request___lat *)ctx[0];
    if (from_insert) {
        // Requests issued without an insert (no scheduler queueing) start here.
        __u64 key = (__u64)rq;
        if (bpf_map_lookup_elem(&start, &key))
            return 0;
    }
    start_request(rq);
    return 0;
}

// block_rq_complete(struct request *rq, blk_status_t error, unsigned int nr_bytes)
SEC("tp_btf/block_rq_complete")
int biolatency_complete(unsigned long long *ctx)
{
    struct request___lat *rq = (struct request___lat *)ctx[0];
    __u64 key = (__u64)rq;
    __u64 *ts = bpf_map_lookup_elem(&start, &key);
    if (!ts)
        return 0;
    __u64 delta = bpf_ktime_get_ns() - *ts;
    bpf_map_delete_elem(&start, &key);

    __u32 hkey = per_disk ? request_dev(rq) : 0;
    struct biolatency_hist *h = bpf_map_lookup_elem(&hists, &hkey);
    if (!h) {
        bpf_map_update_elem(&hists, &hkey, &zero_hist, BPF_NOEXIST);
        h = bpf_map_lookup_elem(&hists, &hkey);
        if (!h) {
            tool_count_drop(); // the table is full
            return 0;
        }
    }
    __u32 slot = hist_slot(delta / (unit_msecs ? 1000000 : 1000));
    __sync_fetch_and_add(&h->slots[slot], 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
