// What a uprobe costs on this kernel by the instruction it is placed on: two functions that do
// the same, one starting with `sub $0x18,%rsp` (as OpenSSL's SSL_read/SSL_write do; the kernel
// single-steps it out of line) and one with `push %r13` (as ssl_read_internal does; emulated).
// Run by Benchmarks/uprobe-insn.sh; prints the time per call.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long starts_with_sub(long x);
long starts_with_push(long x);
__asm__(".globl starts_with_sub\n.type starts_with_sub,@function\nstarts_with_sub:\n"
        " sub $0x18,%rsp\n mov %rdi,%rax\n add $1,%rax\n add $0x18,%rsp\n ret\n"
        ".size starts_with_sub, .-starts_with_sub\n");
__asm__(".globl starts_with_push\n.type starts_with_push,@function\nstarts_with_push:\n"
        " push %r13\n mov %rdi,%rax\n add $1,%rax\n pop %r13\n ret\n"
        ".size starts_with_push, .-starts_with_push\n");

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s sub|push CALLS\n", argv[0]);
        return 2;
    }
    long (*f)(long) = strcmp(argv[1], "sub") == 0 ? starts_with_sub : starts_with_push;
    long calls = atol(argv[2]), s = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < calls; i++)
        s = f(s);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
    printf("%s: %.3f us per call\n", argv[1], ns / calls / 1000.0);
    return s == calls ? 0 : 1;
}
