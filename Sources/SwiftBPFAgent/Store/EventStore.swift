import Foundation
import GRDB
import Logging
import Synchronization

/// Events in SQLite (GRDB, WAL mode): written in batches from a queue by one writer thread,
/// indexed by time, kind, process and cgroup, trimmed by age and size. A corrupt database is
/// moved aside and replaced; a full disk drops batches (counted) until space returns.
public final class EventStore: Sendable {
    public let path: String
    private let config: StoreConfig
    private let pool: Mutex<DatabasePool?>
    private let pending = Mutex<[AgentEvent]>([])
    private let state: Mutex<StoreStatus>
    private let wake = DispatchSemaphore(value: 0)
    private let running = Atomic<Bool>(true)
    private let finished = DispatchGroup()
    private let logger: Logger
    /// Serializes flushes, so that `flush()` returns only when what was queued is written
    /// (also when the writer thread had already taken it).
    private let flushing = NSLock()
    /// Most events kept in memory while the writer is behind; beyond it they are dropped.
    static let maxPending = 200_000

    /// Opens (or creates) the database, recovering from corruption. Throws only when no
    /// database can be created at the path at all.
    public init(config: StoreConfig, path: String, logger: Logger) throws {
        self.config = config
        self.path = path
        self.logger = logger
        state = Mutex(StoreStatus(state: .ok, reason: "", path: path))
        pool = Mutex(nil)
        let opened = try openRecovering()
        pool.locked { $0 = opened }
        finished.enter()
        let thread = Thread { [self] in
            self.writerLoop()
            self.finished.leave()
        }
        thread.name = "event-store"
        thread.start()
    }

    // MARK: Opening

    /// Opens the file and checks it; on a corrupt file, renames it (and its -wal/-shm) to
    /// `<path>.corrupt-<time>` and creates a new one.
    private func openRecovering() throws -> DatabasePool {
        do {
            return try Self.open(path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            let aside = "\(path).corrupt-\(Int(Date().timeIntervalSince1970))"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            logger.error("event store was corrupt; moved aside and started anew", metadata: ["path": "\(path)", "moved_to": "\(aside)", "error": "\(error)"])
            state.locked {
                $0.state = .recovered
                $0.reason = "corrupt database (\(error.resultCode)) moved to \(aside)"
                $0.recoveries += 1
            }
            return try Self.open(path)
        }
    }

    static func open(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // In WAL mode NORMAL syncs at checkpoints, not at every commit: a power loss can lose
        // the last batches, never corrupt the file (SQLite's recommended setting for WAL).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        // DatabasePool puts the database in WAL mode.
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
            guard check == "ok" else { throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "quick_check: \(check)") }
        }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE events(
                    id INTEGER PRIMARY KEY,
                    time_ns INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    collector TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    ppid INTEGER NOT NULL,
                    uid INTEGER NOT NULL,
                    comm TEXT NOT NULL,
                    cgroup_id INTEGER NOT NULL,
                    cgroup TEXT NOT NULL,
                    fields TEXT NOT NULL);
                CREATE INDEX events_time ON events(time_ns);
                CREATE INDEX events_kind_time ON events(kind, time_ns);
                CREATE INDEX events_pid_time ON events(pid, time_ns);
                CREATE INDEX events_cgroup_time ON events(cgroup_id, time_ns);
                """)
        }
        try migrator.migrate(pool)
        return pool
    }

    // MARK: Writing

    /// Queues events for the writer. Never blocks on the disk.
    public func enqueue(_ events: [AgentEvent]) {
        var dropped = 0
        let count = pending.locked { p -> Int in
            let room = Self.maxPending - p.count
            if room < events.count { dropped = events.count - max(0, room) }
            p.append(contentsOf: events.prefix(max(0, room)))
            return p.count
        }
        if dropped > 0 { state.locked { $0.droppedEvents += Int64(dropped) } }
        if count >= config.batchSize { wake.signal() }
    }

    private func writerLoop() {
        var lastRetention = Date()
        while running.load(ordering: .relaxed) {
            _ = wake.wait(timeout: .now() + .milliseconds(config.flushIntervalMilliseconds))
            flush()
            if Date().timeIntervalSince(lastRetention) > 30 {
                lastRetention = Date()
                _ = try? applyRetention()
            }
        }
        flush()
    }

    /// Writes every queued event, in transactions of `batch_size`.
    public func flush() {
        flushing.lock()
        defer { flushing.unlock() }
        let events = pending.locked { p -> [AgentEvent] in
            let all = p
            p.removeAll(keepingCapacity: true)
            return all
        }
        var start = 0
        while start < events.count {
            let end = min(events.count, start + config.batchSize)
            write(events[start..<end])
            start = end
        }
    }

    private func write(_ batch: ArraySlice<AgentEvent>) {
        guard let pool = pool.locked({ $0 }) else {
            state.locked { $0.droppedEvents += Int64(batch.count) }
            return
        }
        do {
            try pool.write { db in
                let statement = try db.cachedStatement(sql: EventRowWriter.sql)
                for e in batch { try EventRowWriter.insert(e, with: statement, in: db) }
            }
            state.locked {
                $0.storedEvents += Int64(batch.count)
                if $0.state == .full || $0.state == .failed {
                    $0.state = .ok
                    $0.reason = "writes succeed again"
                }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            state.locked {
                if $0.state != .full { logger.error("event store: disk full, dropping batches", metadata: ["path": "\(path)"]) }
                $0.state = .full
                $0.reason = "disk full (SQLITE_FULL) writing \(path); batches are dropped until space returns"
                $0.droppedEvents += Int64(batch.count)
            }
            // Make room inside the file for later batches: drop the oldest tenth.
            _ = try? deleteOldest(fraction: 0.1)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            state.locked { $0.droppedEvents += Int64(batch.count) }
            reopenAfterCorruption(error)
        } catch {
            state.locked {
                $0.state = .failed
                $0.reason = "write failed: \(error)"
                $0.droppedEvents += Int64(batch.count)
            }
            logger.error("event store write failed", metadata: ["error": "\(error)"])
        }
    }

    private func reopenAfterCorruption(_ error: DatabaseError) {
        pool.locked { $0 = nil }
        do {
            let fresh = try openRecovering()
            pool.locked { $0 = fresh }
        } catch {
            state.locked {
                $0.state = .failed
                $0.reason = "corrupt and could not be recreated: \(error)"
            }
        }
    }

    /// Checks the database (`PRAGMA quick_check`) and recovers when it is corrupt. The agent
    /// calls it periodically; returns the state after the check.
    @discardableResult
    public func check() -> StoreStatus.State {
        guard let db = pool.locked({ $0 }) else { return status.state }
        do {
            let result = try db.read { try String.fetchOne($0, sql: "PRAGMA quick_check") ?? "?" }
            if result != "ok" { reopenAfterCorruption(DatabaseError(resultCode: .SQLITE_CORRUPT, message: result)) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            reopenAfterCorruption(error)
        } catch {}
        return status.state
    }

    // MARK: Retention

    /// Deletes events older than the retention age, then the oldest until the used pages fit
    /// the size limit. Returns how many went.
    @discardableResult
    public func applyRetention(now: Int64? = nil) throws -> Int {
        let now = now ?? Clocks.wallNanoseconds()
        guard let pool = pool.locked({ $0 }) else { return 0 }
        let cutoff = now - Int64(config.retentionHours * 3600 * 1e9)
        var deleted = try pool.write { db -> Int in
            try db.execute(sql: "DELETE FROM events WHERE time_ns < ?", arguments: [cutoff])
            return db.changesCount
        }
        let limit = Int64(config.maxSizeMB * 1024 * 1024)
        var rounds = 0
        while rounds < 10 {
            let used = try usedBytes()
            guard used > limit else { break }
            // Delete the share of events that is over the limit, and a little more.
            deleted += try deleteOldest(fraction: min(0.9, max(0.05, 1 - Double(limit) / Double(used) + 0.05)))
            rounds += 1
        }
        state.locked { $0.lastRetentionDeleted = deleted }
        return deleted
    }

    /// Bytes of the database's pages in use (page_count - freelist_count, times page_size).
    public func usedBytes() throws -> Int64 {
        guard let pool = pool.locked({ $0 }) else { return 0 }
        return try pool.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            return (pages - free) * size
        }
    }

    @discardableResult
    private func deleteOldest(fraction: Double) throws -> Int {
        guard let pool = pool.locked({ $0 }) else { return 0 }
        return try pool.write { db -> Int in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            let n = max(1, Int(Double(count) * fraction))
            try db.execute(sql: "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY time_ns LIMIT ?)", arguments: [n])
            return db.changesCount
        }
    }

    // MARK: Reading

    /// Stored events matching `query`, newest first.
    public func query(_ q: EventQuery) throws -> [AgentEvent] {
        guard let pool = pool.locked({ $0 }) else { return [] }
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        if let since = q.since { clauses.append("time_ns >= ?"); args.append(since) }
        if let until = q.until { clauses.append("time_ns < ?"); args.append(until) }
        if let kind = q.kind { clauses.append("kind = ?"); args.append(kind) }
        if let pid = q.pid { clauses.append("pid = ?"); args.append(Int64(pid)) }
        if let comm = q.comm { clauses.append("comm = ?"); args.append(comm) }
        if let cg = q.cgroupID { clauses.append("cgroup_id = ?"); args.append(Int64(bitPattern: cg)) }
        let whereText = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        args.append(max(1, min(q.limit, 100_000)))
        let sql = "SELECT time_ns, kind, collector, pid, ppid, uid, comm, cgroup_id, cgroup, fields FROM events \(whereText) ORDER BY time_ns DESC LIMIT ?"
        return try pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                AgentEvent(timeNanoseconds: row[0], kind: row[1], collector: row[2], pid: UInt32(truncatingIfNeeded: row[3] as Int64),
                           ppid: UInt32(truncatingIfNeeded: row[4] as Int64), uid: UInt32(truncatingIfNeeded: row[5] as Int64),
                           comm: row[6], cgroupID: UInt64(bitPattern: row[7] as Int64), cgroup: row[8],
                           fields: Self.decodeFields(row[9]))
            }
        }
    }

    /// Events stored in total (a count query).
    public func count() throws -> Int {
        guard let pool = pool.locked({ $0 }) else { return 0 }
        return try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    static func decodeFields(_ text: String) -> [String: String] {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return object
    }

    public var status: StoreStatus { state.locked { $0 } }

    /// Writes what is queued, stops the writer and closes the database.
    public func close() {
        guard running.exchange(false, ordering: .relaxed) else { return }
        wake.signal()
        finished.wait()
        pool.locked { pool in
            try? pool?.close()
            pool = nil
        }
    }
}

extension EventStore {
    /// `PRAGMA journal_mode` ("wal").
    public func journalMode() throws -> String {
        guard let pool = pool.locked({ $0 }) else { return "" }
        return try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// The names of the events table's indexes.
    public func indexNames() throws -> Set<String> {
        guard let pool = pool.locked({ $0 }) else { return [] }
        return Set(try pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'") })
    }
}
