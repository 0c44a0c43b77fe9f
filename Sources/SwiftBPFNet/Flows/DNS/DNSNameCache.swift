/// Remote address → the name a DNS answer gave it, until the record's TTL runs out. Bounded:
/// past `capacity` entries the ones expiring first are dropped.
public struct DNSNameCache: Sendable {
    struct Entry: Sendable {
        var name: String
        var expiresNanos: UInt64
    }
    private var entries: [String: Entry] = [:]
    public let capacity: Int
    /// Entries dropped for room.
    public private(set) var dropped = 0

    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Notes that `address` answered for `name` with `ttl` seconds, at `nowNanos` (monotonic).
    public mutating func insert(address: String, name: String, ttl: UInt32, nowNanos: UInt64) {
        entries[address] = Entry(name: name, expiresNanos: nowNanos &+ UInt64(ttl) * 1_000_000_000)
        if entries.count > capacity {
            let victims = entries.sorted { $0.value.expiresNanos < $1.value.expiresNanos }.prefix(entries.count - capacity)
            for v in victims { entries[v.key] = nil }
            dropped += victims.count
        }
    }

    /// The name of `address` at `nowNanos`, nil if none or expired.
    public func name(for address: String, nowNanos: UInt64) -> String? {
        guard let e = entries[address], e.expiresNanos > nowNanos else { return nil }
        return e.name
    }

    public var count: Int { entries.count }

    /// Drops the expired entries.
    public mutating func expire(nowNanos: UInt64) {
        entries = entries.filter { $0.value.expiresNanos > nowNanos }
    }
}
