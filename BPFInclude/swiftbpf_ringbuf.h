// SPDX-License-Identifier: GPL-2.0
// Batched wakeups for a ring buffer whose reader polls with a timeout. Without flags the kernel
// wakes the reader for a record whenever the reader had caught up, so a fast reader is woken,
// and the producing call pays for the wakeup, on nearly every record. With this, a record wakes
// it (BPF_RB_FORCE_WAKEUP) only once `threshold` bytes wait; until then BPF_RB_NO_WAKEUP, and
// the reader's next timed poll takes them. A threshold of 0 keeps the kernel's default.
// Include after vmlinux.h and <bpf/bpf_helpers.h>.
#ifndef SWIFTBPF_RINGBUF_H
#define SWIFTBPF_RINGBUF_H

static __always_inline __u64 ringbuf_wakeup_flags(void *ring, __u64 threshold)
{
    if (!threshold)
        return 0;
    return bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= threshold ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif
