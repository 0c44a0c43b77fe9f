// SPDX-License-Identifier: GPL-2.0
// A BPF TCP congestion control "swb_cc" in .struct_ops.link: registered through a BPF link
// (BPF_LINK_CREATE with BPF_STRUCT_OPS), unregistered when the link closes.
#include "swb_cc.h"

SEC(".struct_ops.link")
struct tcp_congestion_ops swb_cc = {
    .init = (void *)swb_init,
    .ssthresh = (void *)swb_ssthresh,
    .cong_avoid = (void *)swb_cong_avoid,
    .undo_cwnd = (void *)swb_undo_cwnd,
    .name = "swb_cc",
};
