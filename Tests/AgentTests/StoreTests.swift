import Foundation
import Glibc
import Logging
import Testing
@testable import SwiftBPFAgent

/// The SQLite store: events survive a restart, retention by age and size, a corrupt file is
/// moved aside and replaced, a full filesystem (a small loop-mounted ext4) is reported and
/// recovered from.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct StoreTests {
    static func events(_ n: Int, at time: Int64, kind: String = "exec", padding: Int = 0) -> [AgentEvent] {
        (0..<n).map { i in
            AgentEvent(timeNanoseconds: time + Int64(i), kind: kind, collector: "test", pid: UInt32(1000 + i % 7), ppid: 1, uid: 0,
                       comm: "c\(i % 5)", cgroupID: 42, cgroup: "/test", fields: ["args": String(repeating: "x", count: padding) + "\(i)"])
        }
    }

    static func config(_ edit: (inout StoreConfig) -> Void = { _ in }) -> StoreConfig {
        var c = StoreConfig()
        c.batchSize = 500
        c.flushIntervalMilliseconds = 50
        edit(&c)
        return c
    }

    @Test func eventsSurviveRestartAndQueriesFilter() throws {
        let dir = TempDir("store")
        defer { dir.cleanup() }
        let path = dir.path + "/events.db"
        let now = Clocks.wallNanoseconds()
        do {
            let store = try EventStore(config: Self.config(), path: path, logger: Logger(label: "t"))
            store.enqueue(Self.events(1200, at: now - 1_000_000))
            store.close()
        }
        let store = try EventStore(config: Self.config(), path: path, logger: Logger(label: "t"))
        defer { store.close() }
        #expect(try store.count() == 1200)
        let mode = try store.journalMode()
        #expect(mode == "wal")
        let byPid = try store.query(EventQuery(pid: 1003, limit: 10_000))
        #expect(byPid.count == 1200 / 7 + (1200 % 7 > 3 ? 1 : 0))
        let newest = try store.query(EventQuery(limit: 3))
        #expect(newest.map(\.timeNanoseconds) == [now - 1_000_000 + 1199, now - 1_000_000 + 1198, now - 1_000_000 + 1197])
        #expect(newest.first?.fields["args"] == "1199")
        let range = try store.query(EventQuery(since: now - 1_000_000 + 100, until: now - 1_000_000 + 110, limit: 100))
        #expect(range.count == 10)
        #expect(try store.indexNames().isSuperset(of: ["events_time", "events_kind_time", "events_pid_time", "events_cgroup_time"]))
    }

    @Test func retentionByAgeAndSize() throws {
        let dir = TempDir("retention")
        defer { dir.cleanup() }
        let store = try EventStore(config: Self.config { $0.retentionHours = 1; $0.maxSizeMB = 1 }, path: dir.path + "/e.db",
                                   logger: Logger(label: "t"))
        defer { store.close() }
        let now = Clocks.wallNanoseconds()
        store.enqueue(Self.events(300, at: now - 2 * 3600 * 1_000_000_000))
        store.enqueue(Self.events(200, at: now, kind: "open"))
        store.flush()
        #expect(try store.applyRetention(now: now) == 300)
        #expect(try store.count() == 200)
        // Size: 4 MiB of events against a 1 MiB limit; the oldest go until it fits.
        store.enqueue(Self.events(4000, at: now + 1000, padding: 1000))
        store.flush()
        #expect(try store.usedBytes() > 1_048_576)
        let deleted = try store.applyRetention(now: now)
        #expect(deleted > 0)
        #expect(try store.usedBytes() <= 1_048_576)
        let remaining = try store.query(EventQuery(limit: 1))
        #expect(remaining.first?.timeNanoseconds == now + 1000 + 3999, "the newest events stay")
    }

    @Test func corruptDatabaseIsMovedAsideAndReplaced() throws {
        let dir = TempDir("corrupt")
        defer { dir.cleanup() }
        let path = dir.path + "/events.db"
        do {
            let store = try EventStore(config: Self.config(), path: path, logger: Logger(label: "t"))
            store.enqueue(Self.events(500, at: 1))
            store.close()
        }
        // Overwrite the middle of the file (pages of the table and indexes) with garbage.
        let fd = open(path, O_WRONLY)
        var junk = [UInt8](repeating: 0xA5, count: 16384)
        _ = pwrite(fd, &junk, junk.count, 4096)
        close(fd)
        let store = try EventStore(config: Self.config(), path: path, logger: Logger(label: "t"))
        defer { store.close() }
        let status = store.status
        #expect(status.state == .recovered, "status: \(status)")
        #expect(status.reason.contains("corrupt"))
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("events.db.corrupt-") }
        #expect(!aside.isEmpty)
        store.enqueue(Self.events(10, at: 5))
        store.flush()
        #expect(try store.count() == 10)

        // A file that is not a database at all.
        let other = dir.path + "/not-a-db.db"
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: other))
        let s2 = try EventStore(config: Self.config(), path: other, logger: Logger(label: "t"))
        #expect(s2.status.state == .recovered)
        s2.close()
    }

    @Test(.enabled(if: isRoot && which("mkfs.ext4", extra: ["/sbin/mkfs.ext4", "/usr/sbin/mkfs.ext4"]) != nil,
                   "needs root and mkfs.ext4 for a loop-mounted filesystem"))
    func fullDiskIsReportedAndRecovered() throws {
        let dir = TempDir("full")
        defer { dir.cleanup() }
        let image = dir.path + "/fs.img", mount = dir.path + "/mnt"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        #expect(shell("truncate -s 3M \(image) && mkfs.ext4 -q -F \(image) && mount -o loop \(image) \(mount)") == 0)
        defer { _ = shell("umount \(mount)") }
        let store = try EventStore(config: Self.config(), path: mount + "/events.db", logger: Logger(label: "t"))
        var filled = false
        for round in 0..<100 {
            store.enqueue(Self.events(500, at: Int64(round) * 1000, padding: 2000))
            store.flush()
            if store.status.state == .full { filled = true; break }
        }
        #expect(filled, "the 3 MiB filesystem never filled: \(store.status)")
        #expect(store.status.droppedEvents > 0)
        #expect(store.status.reason.contains("disk full"))
        // After the store deleted its oldest tenth, small batches fit again.
        var recovered = false
        for _ in 0..<20 {
            store.enqueue(Self.events(5, at: 10_000_000))
            store.flush()
            if store.status.state == .ok { recovered = true; break }
            _ = try? store.applyRetention(now: 0)
        }
        #expect(recovered, "writes never succeeded again: \(store.status)")
        store.close()
    }
}
