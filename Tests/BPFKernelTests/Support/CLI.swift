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
