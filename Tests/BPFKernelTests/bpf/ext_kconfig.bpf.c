// SPDX-License-Identifier: GPL-2.0
// Extern test object: __kconfig externs (libbpf's virtual LINUX_* values and CONFIG_* values
// of every kind), written to a map when the test's own process calls getpid.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig;
extern int CONFIG_HZ __kconfig;
extern unsigned long long CONFIG_NR_CPUS __kconfig;
extern int CONFIG_SWIFTBPF_NO_SUCH_OPTION __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 9);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

const volatile __u32 target_pid = 0;

static __always_inline void put(__u32 key, __u64 value)
{
    bpf_map_update_elem(&values, &key, &value, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int read_kconfig(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_pid)
        return 0;
    put(0, LINUX_KERNEL_VERSION);
    put(1, LINUX_HAS_BPF_COOKIE);
    put(2, LINUX_HAS_SYSCALL_WRAPPER);
    put(3, CONFIG_BPF_SYSCALL);
    put(4, CONFIG_BPF_JIT);
    put(5, CONFIG_HZ);
    put(6, CONFIG_NR_CPUS);
    put(7, CONFIG_SWIFTBPF_NO_SUCH_OPTION);
    __u64 name = 0;
    __builtin_memcpy(&name, CONFIG_DEFAULT_HOSTNAME, 8);
    put(8, name);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
