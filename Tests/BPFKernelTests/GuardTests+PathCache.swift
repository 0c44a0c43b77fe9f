import Foundation
import Glibc
import SwiftBPFSecurity
import Testing

/// The kernel answers an open's path rules from a per-directory cache (`guard_dirs`). These
/// tests move directories and mounts under a watched path between opens of the same files, so
/// that a cache entry that outlived its layout would show as a missed or a wrong match.
extension GuardTests {
    /// Opens `file` with /bin/cat and returns its wait status.
    func cat(_ file: String) -> Int32 { run("/bin/cat", ["/bin/cat", file]) }

    @Test func pathCacheFollowsRenamesAndMounts() throws {
        let ws = try Workspace()
        let fm = FileManager.default
        let watched = ws.path("watched"), outside = ws.path("outside")
        try fm.createDirectory(atPath: watched + "/m", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside + "/sub", withIntermediateDirectories: true)
        fm.createFile(atPath: outside + "/sub/f", contents: Data("x".utf8))
        let monitor = try GuardMonitor(policy: compile("- {name: watched, events: [open], paths: [\(watched)], action: alert}\n"))
        // Outside the watched directory, twice: the second open is answered from the cache.
        #expect(cat(outside + "/sub/f") == 0 && cat(outside + "/sub/f") == 0)
        // The directory moves under the watched one: its cached "no rule" must not survive.
        #expect(rename(outside + "/sub", watched + "/sub") == 0)
        #expect(cat(watched + "/sub/f") == 0)
        // And back out: the cached "watched" must not survive either.
        #expect(rename(watched + "/sub", outside + "/sub") == 0)
        #expect(cat(outside + "/sub/f") == 0)
        // The same directory through a bind mount below the watched one: another mount, another
        // answer; through its own path it stays unwatched, also once the mount is gone.
        let bind = try Command.run("/bin/mount", ["--bind", outside + "/sub", watched + "/m"])
        #expect(bind.status == 0, "mount --bind: \(bind.stderr)")
        #expect(cat(watched + "/m/f") == 0)
        #expect(cat(outside + "/sub/f") == 0)
        #expect(try Command.run("/bin/umount", [watched + "/m"]).status == 0)
        #expect(cat(outside + "/sub/f") == 0)
        // A file created in the watched directory, then opened for writing again: the kernel's
        // file mode says which open created it.
        #expect(run("/bin/sh", ["/bin/sh", "-c", "echo a > \(watched)/new && echo b > \(watched)/new"]) == 0)

        let events = try collect(monitor) { $0.filter { $0.ruleName == "watched" }.count >= 4 }
        // umount(8) opens the mount point itself, under the watched directory: a true match, not
        // one of the opens under test.
        let matched = events.filter { $0.ruleName == "watched" && $0.path != watched + "/m" }
        #expect(matched.map(\.path) == [watched + "/sub/f", watched + "/m/f", watched + "/new", watched + "/new"],
                "matched opens: \(matched.map { $0.path ?? "?" })")
        // No open of the file under its unwatched name matched, before, between or after.
        #expect(!matched.contains { $0.path?.hasPrefix(outside) == true })
        let writes = matched.filter { $0.path == watched + "/new" }
        if writes.count == 2 {
            #expect(writes[0].flags.contains(.create) && writes[0].flags.contains(.write))
            #expect(writes[0].arguments.first.map { $0 & UInt64(O_CREAT) != 0 } == true)
            #expect(!writes[1].flags.contains(.create) && writes[1].flags.contains(.write))
            #expect(writes[1].arguments.first.map { $0 & UInt64(O_ACCMODE) == UInt64(O_WRONLY) } == true)
        }
    }
}
