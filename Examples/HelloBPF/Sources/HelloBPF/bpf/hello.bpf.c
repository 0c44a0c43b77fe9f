// SPDX-License-Identifier: GPL-2.0
// Every exec on the machine: counted per user id in a hash map, and sent to user space through a
// ring buffer with the new program's pid, uid, command name and file name.
#include "vmlinux.h"            // every kernel type, shipped by SwiftBPF (BPFInclude/vmlinux.h)
#include <bpf/bpf_helpers.h>    // SEC(), __uint, __type and the helpers (Debian's libbpf-dev)

#define COMM_LEN 16
#define FILENAME_LEN 128

// One record in the ring buffer. The lines below ask the plugin for this struct's Swift type
// (HelloObject.ExecEvent; a struct only reserved in the ring buffer has no BTF of its own) and
// to type the `events` map's records with it.
// swiftbpf:record exec_event
// swiftbpf:ringbuf events exec_event
struct exec_event {
    __u32 pid;
    __u32 uid;
    char comm[COMM_LEN];
    char filename[FILENAME_LEN];
};

// Set from Swift before the object loads (LoadOptions); 0xffffffff keeps every user.
const volatile __u32 target_uid = 0xffffffff;

// Execs per user id.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} execs_by_uid SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

// The tracepoint's context is the kernel's trace_event_raw_sched_process_exec, from vmlinux.h.
SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
    __u32 uid = (__u32)bpf_get_current_uid_gid();
    if (target_uid != 0xffffffff && uid != target_uid)
        return 0;

    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&execs_by_uid, &uid);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&execs_by_uid, &uid, &one, BPF_NOEXIST);

    struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = ctx->pid;
    e->uid = uid;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    // filename is a __data_loc field: its low 16 bits are the offset of the string in the record.
    unsigned int offset = ctx->__data_loc_filename & 0xFFFF;
    bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + offset);
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
