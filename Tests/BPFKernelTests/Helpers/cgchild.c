// The cgroup child helper of the kernel tests (CgroupChild in Support/TestCgroup.swift): moves
// itself into a cgroup, does socket, file or sysctl work there and prints one result line.
// Built by the tests with clang or cc, or on the host by Scripts/vmtest.sh for the VM.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

static int fail(const char *what) { printf("errno %d %s\n", errno, what); return 0; }

static void timeout(int fd, int ms) {
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static socklen_t addr(int v6, int port, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof(*ss));
    if (v6) {
        struct sockaddr_in6 *a = (void *)ss;
        a->sin6_family = AF_INET6; a->sin6_port = htons(port); a->sin6_addr = in6addr_loopback;
        return sizeof(*a);
    }
    struct sockaddr_in *a = (void *)ss;
    a->sin_family = AF_INET; a->sin_port = htons(port); a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
}

static int port_of(struct sockaddr_storage *ss) {
    return ntohs(ss->ss_family == AF_INET6 ? ((struct sockaddr_in6 *)ss)->sin6_port : ((struct sockaddr_in *)ss)->sin_port);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: cgchild PROCS|- CMD ARGS...\n"); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(argv[1], "-") != 0) {
        FILE *f = fopen(argv[1], "w");
        if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0) { perror("cgroup.procs"); return 3; }
    }
    const char *cmd = argv[2];
    int a1 = argc > 3 ? atoi(argv[3]) : 0, a2 = argc > 4 ? atoi(argv[4]) : 0, a3 = argc > 5 ? atoi(argv[5]) : 0;
    struct sockaddr_storage ss; socklen_t len;
    if (!strcmp(cmd, "socket")) {            /* socket FAMILY TYPE PROTO */
        int fd = socket(a1, a2, a3);
        if (fd < 0) return fail("socket");
        printf("ok\n");
    } else if (!strcmp(cmd, "connect4") || !strcmp(cmd, "connect6")) {   /* connectN PORT */
        int v6 = cmd[7] == '6';
        int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        len = addr(v6, a1, &ss);
        if (connect(fd, (void *)&ss, len) < 0) return fail("connect");
        len = sizeof(ss);
        getpeername(fd, (void *)&ss, &len);
        printf("ok %d\n", port_of(&ss));
    } else if (!strcmp(cmd, "bind4") || !strcmp(cmd, "bind6")) {          /* bindN PORT */
        int v6 = cmd[4] == '6';
        int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        len = addr(v6, a1, &ss);
        if (bind(fd, (void *)&ss, len) < 0) return fail("bind");
        len = sizeof(ss);
        getsockname(fd, (void *)&ss, &len);
        printf("ok %d\n", port_of(&ss));
    } else if (!strcmp(cmd, "sendmsg4") || !strcmp(cmd, "sendmsg6")) {    /* sendmsgN TO_PORT LISTEN_PORT */
        int v6 = cmd[7] == '6';
        int rx = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0), tx = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        len = addr(v6, a2, &ss);
        if (bind(rx, (void *)&ss, len) < 0) return fail("bind");
        timeout(rx, 1000);
        len = addr(v6, a1, &ss);
        if (sendto(tx, "marker", 6, 0, (void *)&ss, len) < 0) return fail("sendto");
        char buf[16];
        ssize_t n = recv(rx, buf, sizeof(buf), 0);
        if (n < 0) return fail("recv");
        printf("ok %zd\n", n);
    } else if (!strcmp(cmd, "udp-echo4")) {                               /* udp-echo4 PORT COUNT */
        int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
        len = addr(0, a1, &ss);
        if (bind(rx, (void *)&ss, len) < 0) return fail("bind");
        timeout(rx, 300);
        for (int i = 0; i < a2; i++)
            if (sendto(tx, "ping", 4, 0, (void *)&ss, len) < 0) return fail("sendto");
        int got = 0; char buf[16];
        while (got < a2 && recv(rx, buf, sizeof(buf), 0) > 0) got++;
        printf("received %d\n", got);
    } else if (!strcmp(cmd, "tos")) {                                     /* tos [SET] */
        int fd = socket(AF_INET, SOCK_DGRAM, 0), v = a1;
        if (argc > 3 && setsockopt(fd, IPPROTO_IP, IP_TOS, &v, sizeof(v)) < 0) return fail("setsockopt");
        v = -1; len = sizeof(v);
        if (getsockopt(fd, IPPROTO_IP, IP_TOS, &v, &len) < 0) return fail("getsockopt");
        printf("ok %d\n", v);
    } else if (!strcmp(cmd, "open")) {                                    /* open PATH */
        if (open(argv[3], O_RDONLY) < 0) return fail("open");
        printf("ok\n");
    } else if (!strcmp(cmd, "open-write")) {                              /* open-write PATH */
        if (open(argv[3], O_WRONLY) < 0) return fail("open");
        printf("ok\n");
    } else if (!strcmp(cmd, "mknod-block")) {                             /* mknod-block PATH MAJOR MINOR */
        if (mknod(argv[3], S_IFBLK | 0600, makedev(a2, a3)) < 0) return fail("mknod");
        unlink(argv[3]);
        printf("ok\n");
    } else if (!strcmp(cmd, "write-same")) {                              /* write-same PATH */
        char buf[256];
        int fd = open(argv[3], O_RDWR);
        if (fd < 0) return fail("open");
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0) return fail("read");
        if (pwrite(fd, buf, n, 0) < 0) return fail("write");
        printf("ok\n");
    } else if (!strcmp(cmd, "tcp-pair")) {                                /* tcp-pair PORT COUNT SIZE */
        int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        len = addr(0, a1, &ss);
        if (bind(lfd, (void *)&ss, len) < 0 || listen(lfd, 4) < 0) return fail("listen");
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c, (void *)&ss, len) < 0) return fail("connect");
        int s = accept(lfd, NULL, NULL);
        if (s < 0) return fail("accept");
        timeout(s, 2000);
        struct sockaddr_storage local; socklen_t ll = sizeof(local);
        getsockname(c, (void *)&local, &ll);
        printf("ready %d\n", port_of(&local));
        char line[16];
        if (!fgets(line, sizeof(line), stdin)) return fail("stdin");
        char msg[4096], in[65536];
        if (a3 > (int)sizeof(msg)) a3 = sizeof(msg);
        long total = (long)a2 * a3, got = 0, bad = 0;
        for (int i = 0; i < a2; i++) {
            for (int j = 0; j < a3; j++) msg[j] = 'a' + (i + j) % 26;
            if (send(c, msg, a3, 0) != a3) return fail("send");
        }
        while (got < total) {
            ssize_t n = recv(s, in, sizeof(in), 0);
            if (n <= 0) break;
            for (ssize_t k = 0; k < n; k++) {
                long pos = got + k; int i = pos / a3, j = pos % a3;
                if (in[k] != 'a' + (i + j) % 26) bad++;
            }
            got += n;
        }
        printf("received %ld bad %ld\n", got, bad);
    } else {
        fprintf(stderr, "unknown command %s\n", cmd);
        return 2;
    }
    return 0;
}
