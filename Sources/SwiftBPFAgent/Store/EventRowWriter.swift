import GRDB
import GRDBSQLite

/// Binds one event to the store's prepared INSERT with `sqlite3_bind_*` and steps it: a batch's
/// per-row path without GRDB's argument arrays (each value boxed, then converted to a
/// `DatabaseValue`), which were most of a row's cost. Errors are GRDB's `DatabaseError`, with
/// SQLite's result code, so the store tells a full disk from a corrupt file as before.
enum EventRowWriter {
    /// The INSERT the statement must have been prepared from: the placeholders' order.
    static let sql = """
        INSERT INTO events(time_ns, kind, collector, pid, ppid, uid, comm, cgroup_id, cgroup, fields)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// `SQLITE_TRANSIENT`: SQLite copies a text before the bind returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func insert(_ e: AgentEvent, with statement: Statement, in db: Database) throws {
        let s = statement.sqliteStatement
        sqlite3_reset(s)
        sqlite3_bind_int64(s, 1, e.timeNanoseconds)
        bindText(s, 2, e.kind)
        bindText(s, 3, e.collector)
        sqlite3_bind_int64(s, 4, Int64(e.pid))
        sqlite3_bind_int64(s, 5, Int64(e.ppid))
        sqlite3_bind_int64(s, 6, Int64(e.uid))
        bindText(s, 7, e.comm)
        sqlite3_bind_int64(s, 8, Int64(bitPattern: e.cgroupID))
        bindText(s, 9, e.cgroup)
        bindText(s, 10, JSONText.object(e.fields))
        let rc = sqlite3_step(s)
        guard rc == SQLITE_DONE else {
            let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_reset(s)
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: sql)
        }
    }

    /// Binds `text` as TEXT: an empty string too (a nil pointer would bind NULL).
    private static func bindText(_ s: SQLiteStatement, _ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress, !bytes.isEmpty {
                _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text(s, index, $0, Int32(bytes.count), transient)
                }
            } else {
                _ = sqlite3_bind_text(s, index, "", 0, transient)
            }
        }
    }
}
