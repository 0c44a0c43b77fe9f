import Foundation

/// The `swiftbpf` executable built next to the test bundle (`swift build --build-tests` builds it),
/// or the one `SWIFTBPF_CLI` names (to run the CLI tests against another build, e.g. to see a
/// regression test fail on the build before its fix).
enum CLI {
    static var path: String? {
        if let override = ProcessInfo.processInfo.environment["SWIFTBPF_CLI"] { return override }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("swiftbpf").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}

extension CLI {
    /// Waits until process `pid` holds at least one BPF link (a descriptor whose
    /// /proc/PID/fdinfo has `link_id:`), i.e. the tool has attached, or `timeout` seconds pass.
    /// A fixed sleep is not enough where start-up is slow (a debug build under qemu's emulation).
    /// Returns whether a link was seen.
    @discardableResult
    static func waitUntilAttached(pid: pid_t, timeout: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fdinfo"),
               fds.contains(where: { fd in
                   (try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8))?.contains("link_id:") == true
               }) {
                // The tool attaches its programs one after another: give the rest a moment.
                usleep(200_000)
                return true
            }
            usleep(20_000)
        }
        return false
    }
}
