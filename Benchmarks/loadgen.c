// SPDX-License-Identifier: Apache-2.0
// Bounded load generators of the tool benchmarks (Benchmarks/tools.py), in C so that the harness
// drives the kernel at full speed and its own CPU never counts against a tool. Each prints one
// JSON line: how many events it generated, and how fast.
//   loadgen opens N TAG MODE   N failing opens of /tmp/osb-TAG-<i> (openat(2), ENOENT), with MODE
//                              as the (ignored) mode argument: a marker tools without strings see
//   loadgen execs SECONDS TAG  fork+exec of /tmp/esb-TAG/true (a symlink to /bin/true, made here)
//                              with argv "mTAG <i>", one after another, for SECONDS; the children
//                              start with the comm "esb" + TAG's first 12 bytes (a marker in
//                              sys_enter_execve, before the exec renames them)
//   loadgen connects N PORT    N TCP connections to a listener on 127.0.0.1:PORT (served here);
//                              each is closed with an RST (SO_LINGER 0), so no TIME_WAIT piles up
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int opens(long n, const char *tag, int mode)
{
    char path[256];
    double t0 = now();
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/tmp/osb-%s-%ld", tag, i);
        // openat(2) itself: glibc's open() passes the mode only with O_CREAT.
        int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, mode);
        if (fd >= 0)
            close(fd);
    }
    double dt = now() - t0;
    printf("{\"generated\":%ld,\"seconds\":%.3f,\"per_s\":%.0f}\n", n, dt, n / dt);
    return 0;
}

static int execs(double seconds, const char *tag)
{
    char dir[128], link[160];
    snprintf(dir, sizeof(dir), "/tmp/esb-%s", tag);
    snprintf(link, sizeof(link), "%s/true", dir);
    mkdir(dir, 0755);
    char comm[16];
    snprintf(comm, sizeof(comm), "esb%.12s", tag);
    prctl(PR_SET_NAME, comm);
    if (symlink("/bin/true", link) && errno != EEXIST)
        return 1;
    // argv strings live on the stack, not in read-only data (see platform-facts: static literals).
    char a0[160], a1[64], a2[32];
    snprintf(a0, sizeof(a0), "%s", link);
    snprintf(a1, sizeof(a1), "m%s", tag);
    char *argv[] = {a0, a1, a2, NULL};
    long n = 0;
    double t0 = now(), end = t0 + seconds;
    while (now() < end) {
        snprintf(a2, sizeof(a2), "%ld", n);
        pid_t pid;
        if (posix_spawn(&pid, a0, NULL, NULL, argv, environ))
            return 1;
        waitpid(pid, NULL, 0);
        n++;
    }
    double dt = now() - t0;
    unlink(link);
    rmdir(dir);
    printf("{\"generated\":%ld,\"seconds\":%.3f,\"per_s\":%.0f}\n", n, dt, n / dt);
    return 0;
}

static int listener;

static void *serve(void *arg)
{
    for (;;) {
        int c = accept(listener, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        close(c);
    }
}

static int connects(long n, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(listener, (struct sockaddr *)&a, sizeof(a)) || listen(listener, 4096)) {
        perror("loadgen: listen");
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, serve, NULL);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    long ok = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0)
            return 1;
        if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
            ok++;
        setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(s);
    }
    double dt = now() - t0;
    printf("{\"generated\":%ld,\"attempted\":%ld,\"seconds\":%.3f,\"per_s\":%.0f}\n", ok, n, dt, ok / dt);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 5 && !strcmp(argv[1], "opens"))
        return opens(atol(argv[2]), argv[3], atoi(argv[4]));
    if (argc == 4 && !strcmp(argv[1], "execs"))
        return execs(atof(argv[2]), argv[3]);
    if (argc == 4 && !strcmp(argv[1], "connects"))
        return connects(atol(argv[2]), atoi(argv[3]));
    fprintf(stderr, "usage: see the comment at the top of loadgen.c\n");
    return 2;
}
