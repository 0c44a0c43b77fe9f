// SPDX-License-Identifier: GPL-2.0
// Object-parsing fixture: __kconfig variables, a typed and a typeless __ksym, and kfuncs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[8] __kconfig __weak;
extern unsigned long long CONFIG_HZ __kconfig __weak;

extern const int bpf_prog_active __ksym;   // typed ksym (a per-CPU int)
extern const void init_task __ksym;        // typeless ksym

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_fake_kfunc(int, void *) __ksym __weak;

SEC("tp/syscalls/sys_enter_getpid")
int uses_externs(void *ctx)
{
    long r = LINUX_KERNEL_VERSION + CONFIG_HZ;
    if (CONFIG_BPF_SYSCALL && CONFIG_BPF_JIT == TRI_YES && CONFIG_DEFAULT_HOSTNAME[0])
        r++;
    bpf_rcu_read_lock();
    r += (long)&init_task + (long)&bpf_prog_active;
    if (bpf_fake_kfunc)
        r += bpf_fake_kfunc(1, 0);
    bpf_rcu_read_unlock();
    return r;
}

char LICENSE[] SEC("license") = "GPL";
