// SPDX-License-Identifier: GPL-2.0
// runqlat: scheduler run-queue latency, the time from a task's wakeup (or preemption) to the
// moment it runs, as histograms built in the kernel: one in total, per process or per cgroup.
// tp_btf gives the woken and switched tasks themselves, so the filters test those tasks, not
// the waker that happens to be current.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "swiftbpf_tool.h"

const volatile __u8 per_process = 0;      // key = tgid
const volatile __u8 per_thread = 0;       // key = thread id
const volatile __u8 per_cgroup = 0;       // key = cgroup v2 id of the task
const volatile __u8 unit_msecs = 0;       // histogram unit: 1 ms, else 1 us
const volatile __u64 linear_step = 0;     // 0: log2 histogram; else linear slots of this width
const volatile __u64 targ_cgroup_id = 0;  // with tool_targ_cgroup: the cgroup's id...
const volatile __s32 targ_cgroup_level = 0; // ...and its depth below the root

// The parts of the kernel's types this program reads (CO-RE matches them by name without the
// ___lat suffix, and by field name).
struct kernfs_node___lat { __u64 id; } __attribute__((preserve_access_index));
struct cgroup___lat {
    struct kernfs_node___lat *kn;
    int level;
    struct cgroup___lat *ancestors[];
} __attribute__((preserve_access_index));
struct css_set___lat { struct cgroup___lat *dfl_cgrp; } __attribute__((preserve_access_index));
struct task_struct___lat {
    int pid;
    int tgid;
    char comm[16];
    const struct cred *cred;
    struct css_set___lat *cgroups;
} __attribute__((preserve_access_index));
struct cred___lat { struct { __u32 val; } uid; } __attribute__((preserve_access_index));

struct runqlat_hist {
    __u64 slots[TOOL_MAX_SLOTS];
    char comm[TOOL_COMM_LEN];
};

struct runqlat_hist zero_hist = {};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH); // entries whose end never comes age out
    __uint(max_entries, 10240);
    __type(key, __u32);   // thread id
    __type(value, __u64); // enqueue time
} start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u64);   // 0, tgid or cgroup id
    __type(value, struct runqlat_hist);
} hists SEC(".maps");

static __always_inline __u32 hist_slot(__u64 v)
{
    __u64 s = linear_step ? v / linear_step : tool_log2l(v);
    return s >= TOOL_MAX_SLOTS ? TOOL_MAX_SLOTS - 1 : (__u32)s;
}

static __always_inline struct cgroup___lat *task_cgroup(struct task_struct___lat *t)
{
    return BPF_CORE_READ(t, cgroups, dfl_cgrp);
}

// The tool's filters, applied to task `t` (not to the current task).
static __always_inline int task_passes(struct task_struct___lat *t)
{
    if (tool_targ_tgid && (__u32)BPF_CORE_READ(t, tgid) != tool_targ_tgid)
        return 0;
    if (tool_targ_uid != 0xffffffff) {
        struct cred___lat *cred = (struct cred___lat *)BPF_CORE_READ(t, cred);
        if (BPF_CORE_READ(cred, uid.val) != tool_targ_uid)
            return 0;
    }
    if (tool_targ_comm_len) {
        char comm[TOOL_COMM_LEN] = {};
        BPF_CORE_READ_STR_INTO(&comm, t, comm);
        for (int i = 0; i < TOOL_COMM_LEN; i++) {
            if (i >= tool_targ_comm_len) {
                if (comm[i] != 0)
                    return 0;
                break;
            }
            if (comm[i] != tool_targ_comm[i])
                return 0;
        }
    }
    if (tool_targ_cgroup) {
        struct cgroup___lat *cg = task_cgroup(t);
        if (BPF_CORE_READ(cg, level) < targ_cgroup_level)
            return 0;
        struct cgroup___lat *anc = 0;
        bpf_core_read(&anc, sizeof(anc), &cg->ancestors[targ_cgroup_level & 0xff]);
        if (!anc || BPF_CORE_READ(anc, kn, id) != targ_cgroup_id)
            return 0;
    }
    return 1;
}

static __always_inline void enqueue(struct task_struct___lat *t)
{
    __u32 pid = BPF_CORE_READ(t, pid);
    if (!pid || !task_passes(t))
        return;
    __u64 ts = bpf_ktime_get_ns();
    bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
}

SEC("tp_btf/sched_wakeup")
int runqlat_wakeup(unsigned long long *ctx)
{
    enqueue((struct task_struct___lat *)ctx[0]);
    return 0;
}

SEC("tp_btf/sched_wakeup_new")
int runqlat_wakeup_new(unsigned long long *ctx)
{
    enqueue((struct task_struct___lat *)ctx[0]);
    return 0;
}

// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
SEC("tp_btf/sched_switch")
int runqlat_switch(unsigned long long *ctx)
{
    struct task_struct___lat *prev = (struct task_struct___lat *)ctx[1];
    struct task_struct___lat *next = (struct task_struct___lat *)ctx[2];
    unsigned int prev_state = (unsigned int)ctx[3];

    // A preempted task (still TASK_RUNNING) goes straight back on the run queue.
    if (prev_state == 0)
        enqueue(prev);

    __u32 pid = BPF_CORE_READ(next, pid);
    __u64 *ts = bpf_map_lookup_elem(&start, &pid);
    if (!ts)
        return 0;
    __u64 delta = bpf_ktime_get_ns() - *ts;
    bpf_map_delete_elem(&start, &pid);

    __u64 key = 0;
    if (per_thread)
        key = pid;
    else if (per_process)
        key = (__u32)BPF_CORE_READ(next, tgid);
    else if (per_cgroup)
        key = BPF_CORE_READ(task_cgroup(next), kn, id);
    struct runqlat_hist *h = bpf_map_lookup_elem(&hists, &key);
    if (!h) {
        bpf_map_update_elem(&hists, &key, &zero_hist, BPF_NOEXIST);
        h = bpf_map_lookup_elem(&hists, &key);
        if (!h) {
            tool_count_drop(); // the table is full
            return 0;
        }
        if (per_process || per_thread)
            BPF_CORE_READ_STR_INTO(&h->comm, next, comm);
    }
    __u32 slot = hist_slot(delta / (unit_msecs ? 1000000 : 1000));
    __sync_fetch_and_add(&h->slots[slot], 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
