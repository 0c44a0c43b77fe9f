import Foundation
import Glibc
import Synchronization

/// The C programs of `Tests/BPFKernelTests/Helpers/` that tests run as children (a profiling
/// workload, the cgroup child). Where `SWIFTBPF_TEST_HELPERS` names a folder holding the binary
/// (the kernel-matrix VM, which has no compiler: `Scripts/vmtest.sh` builds them on the host with
/// the same flags), that binary is used; otherwise the source next to this file is compiled once
/// per test process with clang or cc into a temporary folder removed at exit.
enum TestHelperBinary {
    /// The flags every helper is built with (kept in step with Scripts/vmtest.sh): frame
    /// pointers and symbols for the profiling tests.
    static let flags = ["-O1", "-g", "-fno-omit-frame-pointer"]

    /// The path of helper `name` (`Helpers/NAME.c`), built if needed.
    static func path(of name: String) throws -> String {
        try cache.locked { built -> String in
            if let path = built[name] { return path }
            let path = try locateOrBuild(name)
            built[name] = path
            return path
        }
    }

    private static let cache = Mutex<[String: String]>([:])

    private static func locateOrBuild(_ name: String) throws -> String {
        if let dir = ProcessInfo.processInfo.environment["SWIFTBPF_TEST_HELPERS"] {
            let prebuilt = dir + "/" + name
            guard access(prebuilt, X_OK) == 0 else {
                throw HelperError("SWIFTBPF_TEST_HELPERS=\(dir) has no executable \(name)")
            }
            return prebuilt
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Helpers/\(name).c").path
        guard FileManager.default.fileExists(atPath: source) else {
            throw HelperError("the helper source \(source) is missing")
        }
        guard let cc = Command.which("clang") ?? Command.which("cc") else {
            throw HelperError("no clang or cc on PATH to build \(name).c, and SWIFTBPF_TEST_HELPERS is not set")
        }
        let dir = NSTemporaryDirectory() + "swiftbpf-helpers-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        HelperCleanup.register(dir)
        let binary = dir + "/" + name
        let result = try Command.run(cc, flags + ["-o", binary, source])
        guard result.status == 0 else { throw HelperError("\(cc) failed on \(name).c: \(result.stderr)") }
        return binary
    }

    struct HelperError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Removes the helpers' temporary folder at process exit.
private enum HelperCleanup {
    nonisolated(unsafe) static var directory: String?
    static func register(_ dir: String) {
        guard directory == nil else { return }
        directory = dir
        atexit { if let d = HelperCleanup.directory { try? FileManager.default.removeItem(atPath: d) } }
    }
}
