// SPDX-License-Identifier: GPL-2.0
// The same congestion control as swb_cc.bpf.c, named "swb_cc_plain", in a plain .struct_ops
// section: registered by the map update itself, unregistered by deleting the element.
#include "swb_cc.h"

SEC(".struct_ops")
struct tcp_congestion_ops swb_cc_plain = {
    .init = (void *)swb_init,
    .ssthresh = (void *)swb_ssthresh,
    .cong_avoid = (void *)swb_cong_avoid,
    .undo_cwnd = (void *)swb_undo_cwnd,
    .name = "swb_cc_plain",
};
