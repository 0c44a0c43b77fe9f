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
        do {
            return .success(try TestHelperBinary.path(of: "cgchild"))
        } catch {
            return .failure(CgroupChildError(message: "\(error)"))
        }
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
