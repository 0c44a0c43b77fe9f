// UDP flood for Benchmarks/firewall.sh: sends 18-byte datagrams from SRC to DST:PORT as fast as
// one core can (sendmmsg, 64 per call) for SECONDS, then prints "SENT PACKETS_PER_SECOND
// CPU_SECONDS" (its own user + system time: veth runs the receiver's hook in the sender's
// system call or in its softirq).
//   udpflood SRC DST PORT SECONDS
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
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
    if (argc != 5) {
        fprintf(stderr, "usage: udpflood SRC DST PORT SECONDS\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
    if (fd < 0 || inet_pton(AF_INET, argv[1], &src.sin_addr) != 1 || inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1 ||
        bind(fd, (struct sockaddr *)&src, sizeof src) || connect(fd, (struct sockaddr *)&dst, sizeof dst)) {
        perror("udpflood: socket setup");
        return 1;
    }
    char payload[18] = "firewall-benchmark";
    struct iovec iov = { payload, sizeof payload };
    struct mmsghdr msgs[64];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < 64; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    double seconds = atof(argv[4]), start = now(), end = start + seconds;
    unsigned long long sent = 0;
    while (now() < end) {
        int n = sendmmsg(fd, msgs, 64, 0);
        if (n > 0)
            sent += n;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("%llu %.0f %.3f\n", sent, sent / (now() - start), cpu);
    return 0;
}
