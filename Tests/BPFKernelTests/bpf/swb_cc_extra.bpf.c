// SPDX-License-Identifier: GPL-2.0
// A congestion control whose struct binds a program to a member the kernel's
// tcp_congestion_ops lacks: loading must fail and name the member.
#define SWB_EXTRA_MEMBER
#include "swb_cc.h"

SEC(".struct_ops.link")
struct tcp_congestion_ops swb_cc_extra = {
    .ssthresh = (void *)swb_ssthresh,
    .cong_avoid = (void *)swb_cong_avoid,
    .undo_cwnd = (void *)swb_undo_cwnd,
    .swb_extra = (void *)swb_init,
    .name = "swb_cc_extra",
};
