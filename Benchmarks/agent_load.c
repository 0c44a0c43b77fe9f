// SPDX-License-Identifier: Apache-2.0
// Paced load for Benchmarks/agent.sh: EXECS fork+exec of /bin/true per second and OPENS failing
// openat(2) per second, for SECONDS, on two threads; prints the rates it reached as one JSON
// line (on a busy 2-core machine the targets may not be reached: the reached rates are what
// the agent saw).
//   agent_load SECONDS EXECS_PER_S OPENS_PER_S
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static double seconds;
static long exec_rate, open_rate, execs_done, opens_done;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Runs `step` rate times per second in slices of 10 ms until `seconds` have passed.
static void paced(long rate, long *done, void (*step)(long))
{
    double start = now(), end = start + seconds;
    while (now() < end) {
        long due = (long)((now() - start) * rate);
        while (*done < due && now() < end) {
            step(*done);
            (*done)++;
        }
        usleep(1000);
    }
}

static void one_exec(long i)
{
    (void)i;
    pid_t pid;
    char *argv[] = {"true", NULL};
    if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0)
        waitpid(pid, NULL, 0);
}

static void one_open(long i)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/agent-bench-missing-%ld", i & 1023);
    int fd = open(path, O_RDONLY);
    if (fd >= 0)
        close(fd);
}

static void *exec_thread(void *arg) { (void)arg; paced(exec_rate, &execs_done, one_exec); return NULL; }
static void *open_thread(void *arg) { (void)arg; paced(open_rate, &opens_done, one_open); return NULL; }

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: agent_load SECONDS EXECS_PER_S OPENS_PER_S\n");
        return 2;
    }
    seconds = atof(argv[1]);
    exec_rate = atol(argv[2]);
    open_rate = atol(argv[3]);
    pthread_t a, b;
    double start = now();
    pthread_create(&a, NULL, exec_thread, NULL);
    pthread_create(&b, NULL, open_thread, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    double took = now() - start;
    printf("{\"seconds\":%.1f,\"execs_per_s\":%.0f,\"opens_per_s\":%.0f}\n", took, execs_done / took, opens_done / took);
    return 0;
}
