/// A query of stored events: a time range and optional filters, newest first.
public struct EventQuery: Sendable, Equatable {
    /// Inclusive lower bound, Unix nanoseconds.
    public var since: Int64?
    /// Exclusive upper bound, Unix nanoseconds.
    public var until: Int64?
    public var kind: String?
    public var pid: UInt32?
    public var comm: String?
    public var cgroupID: UInt64?
    public var limit: Int = 100

    public init(since: Int64? = nil, until: Int64? = nil, kind: String? = nil, pid: UInt32? = nil, comm: String? = nil,
                cgroupID: UInt64? = nil, limit: Int = 100) {
        self.since = since
        self.until = until
        self.kind = kind
        self.pid = pid
        self.comm = comm
        self.cgroupID = cgroupID
        self.limit = limit
    }

    /// Applies the filters to an event (for the in-memory recent events when there is no store).
    func matches(_ e: AgentEvent) -> Bool {
        if let since, e.timeNanoseconds < since { return false }
        if let until, e.timeNanoseconds >= until { return false }
        if let kind, e.kind != kind { return false }
        if let pid, e.pid != pid { return false }
        if let comm, e.comm != comm { return false }
        if let cgroupID, e.cgroupID != cgroupID { return false }
        return true
    }
}
