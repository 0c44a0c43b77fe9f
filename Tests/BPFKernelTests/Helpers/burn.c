// The profiling workload of the kernel tests (BurnWorkload in SymbolizeTests.swift): alternates a
// user-space loop (swiftbpf_burn_user) and reads of /dev/zero (kernel time) for argv[1] seconds.
// Built by the tests with clang or cc, or on the host by Scripts/vmtest.sh for the VM.
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long swiftbpf_sink;

__attribute__((noinline)) void swiftbpf_burn_user(void) {
    for (unsigned long i = 0; i < 20000000UL; i++) swiftbpf_sink += i * 7;
}

__attribute__((noinline)) void swiftbpf_burn_kernel(int fd) {
    static char buffer[1 << 20];
    for (int i = 0; i < 100; i++) swiftbpf_sink += read(fd, buffer, sizeof buffer);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double end = now() + (argc > 1 ? atof(argv[1]) : 1.0);
    int fd = open("/dev/zero", O_RDONLY);
    while (now() < end) {
        swiftbpf_burn_user();
        swiftbpf_burn_kernel(fd);
    }
    return 0;
}
