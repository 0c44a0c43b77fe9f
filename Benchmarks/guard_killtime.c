// SPDX-License-Identifier: Apache-2.0
// The workload of Benchmarks/guard-killtime.sh: N children, one after another, each making one
// violating call; the parent records, per child, the CLOCK_MONOTONIC time the child read just
// before the call (in a shared page, so no other call sits between it and the violation) and
// the time waitpid returned, with how the child ended. One JSON line per child goes to OUT.
//   guard_killtime open N PATH OUT    the child calls open(PATH, O_RDONLY), then _exit(0)
//   guard_killtime exec N BIN OUT     the child calls execv(BIN)
// bpf_ktime_get_ns() (the timestamps of guard's events) is CLOCK_MONOTONIC too, so the lines
// can be joined with `guard run --json` by pid.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "open") && strcmp(argv[1], "exec"))) {
        fprintf(stderr, "usage: guard_killtime open|exec N PATH OUT\n");
        return 64;
    }
    int opening = !strcmp(argv[1], "open");
    long n = atol(argv[2]);
    const char *target = argv[3];
    FILE *out = fopen(argv[4], "w");
    if (!out) { perror(argv[4]); return 1; }
    volatile long long *before = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (before == MAP_FAILED) { perror("mmap"); return 1; }
    long killed = 0;
    for (long i = 0; i < n; i++) {
        *before = 0;
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) {
            char *args[] = { (char *)target, NULL };
            *before = now_ns();
            if (opening) {
                open(target, O_RDONLY);
                _exit(0);
            }
            execv(target, args);
            _exit(127);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {}
        long long reaped = now_ns();
        int sigkill = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        killed += sigkill;
        fprintf(out, "{\"pid\":%d,\"before_ns\":%lld,\"reaped_ns\":%lld,\"killed\":%s,\"status\":%d}\n",
                pid, *before, reaped, sigkill ? "true" : "false", status);
    }
    fclose(out);
    printf("{\"mode\":\"%s\",\"runs\":%ld,\"killed\":%ld}\n", argv[1], n, killed);
    return 0;
}
