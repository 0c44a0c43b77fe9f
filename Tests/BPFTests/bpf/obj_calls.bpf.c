// SPDX-License-Identifier: GPL-2.0
// Object-parsing fixture: two tracepoint programs sharing static, global and hidden subprograms;
// globals in .rodata, .data, .bss and a custom .data.custom section; a bpf_loop callback
// (subprogram address); a sleepable tracepoint.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile const __u32 filter_pid = 7;         // .rodata, global
volatile const __u64 rodata_pair[2] = {1, 2}; // .rodata, global
__u64 data_counter = 42;                      // .data, global
static volatile __u32 data_static = 5;        // .data, static
__u64 bss_hits;                               // .bss, global
__u32 __attribute__((visibility("hidden"))) bss_hidden; // .bss, hidden global
__u64 custom_value SEC(".data.custom") = 9;   // .data.custom

static __attribute__((noinline)) int sub_static(int x)
{
    data_static += x;
    return x * 3 + filter_pid;
}

__attribute__((noinline)) int sub_global(int x)
{
    if (x == 5)
        return rodata_pair[1];
    return sub_static(x) + 1;
}

__attribute__((noinline, visibility("hidden"))) int sub_hidden(int x)
{
    bss_hidden += x;
    return x + 2;
}

static int loop_cb(__u32 index, void *ctx)
{
    bss_hits += index;
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int tp_first(void *ctx)
{
    data_counter++;
    custom_value += 1;
    return sub_global(1) + sub_static(2);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp_second(void *ctx)
{
    bpf_loop(4, loop_cb, 0, 0);
    return sub_hidden(3) + sub_static(4);
}

SEC("tp.s/syscalls/sys_enter_gettid")
int tp_sleepable(void *ctx)
{
    return bss_hits > 10;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
