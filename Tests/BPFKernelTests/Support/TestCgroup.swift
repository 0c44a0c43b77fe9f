import BPF
import Foundation
import Glibc
import Testing

/// A cgroup v2 directory of its own for one test, under the cgroup2 mount (found in
/// /proc/mounts: /sys/fs/cgroup/unified on this hybrid hierarchy). Removed by `remove()` or on
/// deinit; the test's children must have exited by then.
final class TestCgroup {
    let path: String

    init(_ tag: String) throws {
        let mount = try Link.cgroup2MountPoint()
        path = mount + "/swiftbpf-test-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Syscalls.mkdir(path, mode: 0o755)
    }

    /// The file a child writes its pid to, to move itself into the cgroup.
    var procs: String { path + "/cgroup.procs" }

    /// The cgroup's id (the directory's inode), what `bpf_get_current_cgroup_id()` returns.
    var id: UInt64 { (try? Syscalls.inode(of: path)) ?? 0 }

    /// Removes the directory; retries briefly while the last exited child is still leaving it.
    func remove() {
        for _ in 0..<100 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(10_000)
        }
    }

    deinit { remove() }
}

/// A small C program compiled once per test process with the toolchain's clang, run as a child
/// that first moves itself into a cgroup (writes its pid to cgroup.procs) and then does socket,
/// file or sysctl work there, printing one result line ("ok ...", "errno N what", ...).
enum CgroupChild {
    /// The compiled helper, or nil with the reason when no C compiler is available.
    static let binary: Result<String, CgroupChildError> = compile()

    /// Whether the helper could be built (tests skip with `skipReason` otherwise).
    static var isAvailable: Bool { (try? binary.get()) != nil }
    static let skipReason: Comment = "needs root and a C compiler (clang or cc) to build the cgroup child helper"

    /// Runs the helper inside `cgroup` (nil: where the test runs) and returns its stdout line.
    static func run(in cgroup: TestCgroup?, _ args: [String]) throws -> String {
        let result = try Command.run(binary.get(), [cgroup?.procs ?? "-"] + args)
        guard result.status == 0 else { throw CgroupChildError(message: "cgchild \(args) exited \(result.status): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts the helper inside `cgroup` for a conversation over stdin/stdout.
    static func start(in cgroup: TestCgroup, _ args: [String]) throws -> InteractiveChild {
        try InteractiveChild(binary.get(), [cgroup.procs] + args)
    }

    static func compile() -> Result<String, CgroupChildError> {
        guard let cc = Command.which("clang") ?? Command.which("cc") else {
            return .failure(CgroupChildError(message: "no clang or cc on PATH"))
        }
        let dir = NSTemporaryDirectory() + "swiftbpf-cgchild-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try source.write(toFile: dir + "/cgchild.c", atomically: true, encoding: .utf8)
            let r = try Command.run(cc, ["-O1", "-o", dir + "/cgchild", dir + "/cgchild.c"])
            guard r.status == 0 else { return .failure(CgroupChildError(message: "\(cc) failed: \(r.stderr)")) }
        } catch {
            return .failure(CgroupChildError(message: "building the cgroup child helper: \(error)"))
        }
        CgroupChildCleanup.directory = dir
        atexit { CgroupChildCleanup.removeDirectory() }
        return .success(dir + "/cgchild")
    }

    static let source = #"""
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
"""#
}

/// Removes the helper's folder at process exit.
enum CgroupChildCleanup {
    nonisolated(unsafe) static var directory: String?
    static func removeDirectory() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

struct CgroupChildError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A port for one test's marker traffic, unlikely to collide with other tests' ports.
func testPort(_ offset: UInt16) -> UInt16 {
    20000 + UInt16(getpid() % 9000) * 4 + offset
}
