// SPDX-License-Identifier: Apache-2.0
// Load generators of Benchmarks/guard.sh, in C so that the harness's own cost never counts.
// Each prints one JSON line.
//   guard_load execs N            N fork+exec+wait of /bin/true, one after another
//   guard_load opens N PATH       N open+close of PATH (an existing file: successful opens)
//   guard_load killtime N BIN     N runs of BIN (which a kill policy forbids): the time from
//                                 just before the child's execve to the parent seeing it dead
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "execs")) {
        long n = atol(argv[2]);
        double t0 = now();
        for (long i = 0; i < n; i++) {
            pid_t pid = fork();
            if (pid == 0) {
                char *args[] = { "true", NULL };
                execv("/bin/true", args);
                _exit(127);
            }
            waitpid(pid, NULL, 0);
        }
        double t = now() - t0;
        printf("{\"mode\":\"execs\",\"count\":%ld,\"seconds\":%.6f,\"rate\":%.1f}\n", n, t, n / t);
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "opens")) {
        long n = atol(argv[2]);
        double t0 = now();
        for (long i = 0; i < n; i++) {
            int fd = open(argv[3], O_RDONLY);
            if (fd >= 0) close(fd);
        }
        double t = now() - t0;
        printf("{\"mode\":\"opens\",\"count\":%ld,\"seconds\":%.6f,\"rate\":%.1f}\n", n, t, n / t);
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "killtime")) {
        long n = atol(argv[2]), killed = 0;
        double total = 0, worst = 0;
        for (long i = 0; i < n; i++) {
            int p[2];
            if (pipe(p)) return 1;
            pid_t pid = fork();
            if (pid == 0) {
                double t = now();
                if (write(p[1], &t, sizeof(t)) != sizeof(t)) _exit(1);
                char *args[] = { argv[3], NULL };
                execv(argv[3], args);
                _exit(127);
            }
            close(p[1]);
            double before = 0;
            if (read(p[0], &before, sizeof(before)) != sizeof(before)) return 1;
            close(p[0]);
            int status = 0;
            waitpid(pid, &status, 0);
            double dt = now() - before;
            if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) killed++;
            total += dt;
            if (dt > worst) worst = dt;
        }
        printf("{\"mode\":\"killtime\",\"count\":%ld,\"killed\":%ld,\"mean_us\":%.1f,\"max_us\":%.1f}\n", n, killed, total / n * 1e6, worst * 1e6);
        return 0;
    }
    fprintf(stderr, "usage: guard_load execs N | opens N PATH | killtime N BIN\n");
    return 64;
}
