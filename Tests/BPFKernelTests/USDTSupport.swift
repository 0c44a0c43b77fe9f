import Foundation

/// A native program with USDT probes, compiled at test time from `sys/sdt.h` (systemtap-sdt-dev)
/// with the compiler under test: clang tends to pass arguments through the stack
/// (`-4@12(%rsp)`), gcc through registers (`-4@%eax`), so both forms are exercised.
///
/// Each line read from stdin (a decimal `x`) fires, in order:
/// - `myprov:myprobe(int a = -42, long b = 0x1122334455667788)`
/// - `myprov:regs(int x, long -3x, unsigned long x << 40)`
/// - `myprov:mixed(short -7, unsigned char 200, long long -1234567890123, constant 77)`
/// - `myprov:twice(int x + 1)` — two sites with one argument string
/// - `myprov:semprobe(long a * 1000)`, only while its semaphore is non-zero
/// then prints the semaphore's value on a line. `q` ends the program.
final class USDTTargetProgram {
    let directory: String
    let path: String

    static let sdtHeader = ["/usr/include/x86_64-linux-gnu/sys/sdt.h", "/usr/include/sys/sdt.h"]
        .first { FileManager.default.fileExists(atPath: $0) }

    static let mainSource = """
        #include <sys/sdt.h>
        #include <stdio.h>
        #include <stdlib.h>
        void fire_semaphore_probe(long v);
        unsigned short semaphore_value(void);
        int main(void) {
        	volatile int a = -42;
        	volatile long b = 0x1122334455667788L;
        	volatile short s = -7;
        	volatile unsigned char u = 200;
        	volatile long long n = -1234567890123LL;
        	char line[16];
        	while (fgets(line, sizeof line, stdin)) {
        		if (line[0] == 'q') break;
        		int x = atoi(line);
        		long y = -3L * x;
        		unsigned long z = (unsigned long)x << 40;
        		DTRACE_PROBE2(myprov, myprobe, a, b);
        		DTRACE_PROBE3(myprov, regs, x, y, z);
        		DTRACE_PROBE4(myprov, mixed, s, u, n, 77);
        		DTRACE_PROBE1(myprov, twice, x + 1);
        		fire_semaphore_probe(a * 1000);
        		printf("%u\\n", (unsigned)semaphore_value());
        		DTRACE_PROBE1(myprov, twice, x + 1);
        		fflush(stdout);
        	}
        	return 0;
        }
        """

    /// The translation unit with a semaphore: `_SDT_HAS_SEMAPHORES` makes every probe of the
    /// file record `PROVIDER_NAME_semaphore`, a 2-byte counter in `.probes`.
    static let semaphoreSource = """
        #define _SDT_HAS_SEMAPHORES 1
        #include <sys/sdt.h>
        __extension__ unsigned short myprov_semprobe_semaphore __attribute__((unused)) __attribute__((section(".probes")));
        unsigned short semaphore_value(void) { return *(volatile unsigned short *)&myprov_semprobe_semaphore; }
        void fire_semaphore_probe(long v) {
        	if (myprov_semprobe_semaphore)
        		DTRACE_PROBE1(myprov, semprobe, v);
        }
        """

    init(compiler: String) throws {
        directory = NSTemporaryDirectory() + "swiftbpf-usdt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/usdt_target"
        try Self.mainSource.write(toFile: directory + "/main.c", atomically: true, encoding: .utf8)
        try Self.semaphoreSource.write(toFile: directory + "/sema.c", atomically: true, encoding: .utf8)
        guard let cc = Command.which(compiler) else { throw USDTTestError("compiler \(compiler) not found") }
        let r = try Command.run(cc, ["-O2", "-o", path, directory + "/main.c", directory + "/sema.c"])
        guard r.status == 0 else { throw USDTTestError("\(compiler) failed: \(r.stderr)") }
        // On disk before it runs and is probed (a guess at the fresh-clone flake of a site that
        // did not fire, see USDTTests.expectBothSites: there the build had just written gigabytes).
        let fd = open(path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

struct USDTTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A USDT test program: each line sent makes it fire its probes and answer one line; `q` ends it.
final class USDTChild {
    let child: InteractiveChild

    init(_ path: String, _ args: [String] = []) throws {
        child = try InteractiveChild(path, args)
    }

    var pid: Int32 { child.pid }

    /// Writes one line, then reads the reply line.
    func send(_ line: String) throws -> String {
        try child.send(line)
        return try child.readCompleteLine()
    }

    /// Ends the child (a `q` line, then stdin closed) and waits for it.
    func finish() {
        try? child.send("q")
        child.finish()
    }
}

/// The perf-event descriptors this process holds (`anon_inode:[perf_event]` in /proc/self/fd).
func perfEventDescriptorCount() -> Int {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == "anon_inode:[perf_event]" }.count
}

/// One slot of `usdt_hits` (struct usdt_hit in usdt_args.bpf.c).
struct USDTHit: Equatable {
    var hits: UInt64
    var pid: UInt32
    var argCount: Int32
    var cookie: UInt64
    var args: [Int64]
    var argErrors: Int32

    init(_ b: [UInt8]) {
        func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * $1) } }
        func u32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * $1) } }
        hits = u64(0)
        pid = u32(8)
        argCount = Int32(bitPattern: u32(12))
        cookie = u64(16)
        args = (0..<6).map { Int64(bitPattern: u64(24 + 8 * $0)) }
        argErrors = Int32(bitPattern: u32(72))
    }
}
