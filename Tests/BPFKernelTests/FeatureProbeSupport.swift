import BPF
import Glibc
import Testing

/// Test conditions from the library's own feature probes, so a test that cannot run here is
/// skipped with the probed reason (shown as `skipped: "<feature>: <reason>"` in the output),
/// and a test whose probe says "supported" must then attach and see its events.
enum ProbedFeature {
    static func isSupported(_ feature: KernelFeature) -> Bool { isRoot && Features.probe(feature).isSupported }

    /// Why the feature cannot be tested here: the probe's reason, or the lack of root.
    static func reason(_ feature: KernelFeature) -> String {
        guard isRoot else { return "\(feature) needs root" }
        return "\(feature) unsupported: \(Features.probe(feature).reason ?? "supported")"
    }

    /// Runs the test only where the probe says `feature` works; the skip comment is the reason.
    static func enabled(_ feature: KernelFeature) -> ConditionTrait {
        .enabled(if: isSupported(feature), Comment(rawValue: reason(feature)))
    }

    /// Runs the test only where the probe says `feature` does not work (the checks that the
    /// library then fails with that reason).
    static func whereUnsupported(_ feature: KernelFeature) -> ConditionTrait {
        .enabled(if: isRoot && !Features.probe(feature).isSupported,
                 Comment(rawValue: isRoot ? "\(feature) is supported here; the unsupported path cannot be checked" : "needs root"))
    }
}

/// A file under /tmp whose name carries the test's pid, removed on deinit.
final class MarkerFile {
    let path: String
    let inode: UInt64

    init(_ tag: String, create: Bool = true) throws {
        path = "/tmp/swiftbpf-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if create {
            let fd = Glibc.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
            try #require(fd >= 0, "cannot create \(path): errno \(errno)")
            Glibc.close(fd)
            var st = stat()
            try #require(stat(path, &st) == 0)
            inode = UInt64(st.st_ino)
        } else {
            inode = 0
        }
    }

    /// open(2) read-only: the descriptor (closed again at once) or -errno.
    func open() -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return -errno }
        Glibc.close(fd)
        return fd
    }

    deinit { unlink(path) }
}

/// Reads a little-endian integer out of a map value.
func readLE<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as: T.Type = T.self) -> T {
    var v: T = 0
    for i in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
    return v
}
