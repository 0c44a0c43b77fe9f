import Foundation
import Glibc
import SwiftBPFTools

/// Helpers of the snoop tools' tests (opensnoop, exitsnoop, killsnoop).
enum SnoopTest {

    /// Starts a program (exact argv, output to /dev/null) and returns its pid without waiting.
    /// posix_spawn returns after the child's exec, so the child already runs the new program.
    /// The child starts with no signal blocked and SIGUSR1/SIGUSR2 at their default action (the
    /// test runner may block or ignore them, and both are inherited across exec).
    static func spawnChild(_ path: String, _ args: [String]) -> pid_t? {
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let devnull = open("/dev/null", O_WRONLY)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, devnull, 1)
        posix_spawn_file_actions_adddup2(&actions, devnull, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGUSR1)
        sigaddset(&defaults, SIGUSR2)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let rc = posix_spawn(&pid, path, &actions, &attr, cArgs, environ)
        posix_spawnattr_destroy(&attr)
        posix_spawn_file_actions_destroy(&actions)
        close(devnull)
        return rc == 0 ? pid : nil
    }

    /// The calling thread's command name (what a BPF program sees as its comm).
    static func threadComm() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .newlines)
    }

    /// Polls a tool session: runs `trigger`, then collects decoded events for up to 100 ms, until
    /// `done` says the collected events suffice (about 5 s at most). Returns everything collected.
    static func collectEvents<E>(_ session: ToolSession, decode: (UnsafeRawBufferPointer) -> E?, trigger: () -> Void,
                          until done: ([E]) -> Bool) throws -> [E] {
        var events: [E] = []
        for _ in 0..<50 {
            trigger()
            _ = try session.poll(timeoutMilliseconds: 100) { record in if let e = decode(record) { events.append(e) } }
            if done(events) { break }
        }
        return events
    }

    /// A JSON line decoded into a dictionary (nil if it is not a JSON object).
    static func jsonObject(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
}
