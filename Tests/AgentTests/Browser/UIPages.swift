import Foundation

/// The web UI's pages as the browser tests load them: the route, and a script expression that
/// is true once the page has drawn what it fetched (its "meaningful paint").
enum UIPages {
    static let all: [(name: String, ready: String)] = [
        ("events", "(document.getElementById('ev-status')||{}).textContent?.startsWith('live') && document.querySelectorAll('#ev-table tbody tr').length > 0"),
        ("processes", "document.getElementById('proc-tree') !== null"),
        ("network", "(document.getElementById('net-status')||{}).textContent?.includes('edges') && document.querySelectorAll('#net-map .node').length > 0"),
        ("profiles", "(() => { const f = document.getElementById('prof-frame'); return !!(f && f.contentDocument && f.contentDocument.querySelectorAll('g.f').length > 1 && f.contentWindow.fgSearch); })()"),
        ("security", "(document.getElementById('sec-status')||{}).textContent?.startsWith('updated') && document.querySelector('#sec-firewalls .status, #sec-firewalls .firewall') !== null"),
        ("health", "document.querySelectorAll('#health-collectors tbody tr').length > 0 && document.querySelectorAll('#health-cards .card').length > 0"),
    ]

    /// Widths of a laptop and of a large monitor.
    static let widths: [(width: Int, height: Int)] = [(1280, 800), (1920, 1080)]

    /// Where screenshots go: test-artifacts/ui in the package (git-ignored).
    static var artifacts: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("test-artifacts/ui").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A C program spinning in a function with a known name (built now with clang), for the
/// profile collector to sample; killed by `stop()`.
final class SpinWorkload {
    static let function = "swiftbpf_ui_spin"
    let pid: pid_t
    let name: String

    init(in dir: TempDir) throws {
        name = "uispin\(UInt16.random(in: 1000...9999))"
        let source = dir.path + "/spin.c", binary = dir.path + "/" + name
        try """
            #include <unistd.h>
            __attribute__((noinline)) void \(Self.function)(volatile unsigned long *n) {
                for (unsigned long i = 0; i < 100000000UL; i++) *n += i;
            }
            int main(void) { volatile unsigned long n = 0; alarm(60); for (;;) \(Self.function)(&n); }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        let clang = ["/usr/bin/clang", "/usr/local/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "clang"
        let built = try ProcessRun.run("/usr/bin/env", [clang, "-O0", "-fno-omit-frame-pointer", "-o", binary, source], timeout: 60)
        guard built.status == 0 else { throw TestError("clang spin.c: \(built.output)") }
        var child: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), nil]
        defer { for p in argv { free(p) } }
        guard posix_spawn(&child, binary, nil, nil, &argv, environ) == 0 else { throw TestError("spawning \(binary) failed") }
        pid = child
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
