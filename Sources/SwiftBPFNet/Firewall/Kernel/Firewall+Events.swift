import BPF

/// One sampled drop, as `firewall watch` prints it.
public struct FirewallEvent: Sendable, Equatable, CustomStringConvertible {
    /// CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns) of the drop.
    public let timestampNanoseconds: UInt64
    public let source: IPPrefix
    public let destination: IPPrefix
    public let proto: IPProtocolNumber
    /// TCP/UDP ports (nil for other protocols).
    public let sourcePort: UInt16?
    public let destinationPort: UInt16?
    /// Frame length in bytes.
    public let bytes: UInt32
    /// What dropped it: a rule id, the blocklist or the default policy.
    public let cause: Cause

    public enum Cause: Sendable, Equatable, CustomStringConvertible {
        case rule(UInt32)
        case limit(UInt32)
        case blocklist
        case defaultPolicy

        public var description: String {
            switch self {
            case let .rule(id): "rule \(id)"
            case let .limit(id): "limit rule \(id)"
            case .blocklist: "blocklist"
            case .defaultPolicy: "default"
            }
        }
    }

    init?(_ e: FirewallObject.FwEvent) {
        let family: IPPrefix.Family = e.family == 4 ? .ipv4 : .ipv6
        func address(_ a: some Sequence<UInt8>) -> IPPrefix? {
            IPPrefix(family: family, address: Array(a.prefix(family.byteCount)), length: family.maxLength)
        }
        guard let s = address((0..<16).map { e.source[$0] }), let d = address((0..<16).map { e.destination[$0] }) else { return nil }
        timestampNanoseconds = e.timestampNs
        source = s
        destination = d
        proto = IPProtocolNumber(e.`protocol`)
        let ports = proto.hasPorts
        sourcePort = ports ? e.sourcePort : nil
        destinationPort = ports ? e.destinationPort : nil
        bytes = e.bytes
        switch e.rule {
        case FirewallABI.defaultSlot: cause = .defaultPolicy
        case FirewallABI.blocklistSlot: cause = .blocklist
        case let id where e.action == FirewallABI.code(.limit): cause = .limit(id)
        case let id: cause = .rule(id)
        }
    }

    /// `udp 10.0.0.9:40000 -> 10.0.0.2:53 74 bytes dropped by rule 3`.
    public var description: String {
        func end(_ a: IPPrefix, _ p: UInt16?) -> String {
            guard let p else { return a.description }
            return a.family == .ipv6 ? "[\(a)]:\(p)" : "\(a):\(p)"
        }
        return "\(proto) \(end(source, sourcePort)) -> \(end(destination, destinationPort)) \(bytes) bytes dropped by \(cause)"
    }
}

/// Events the kernel side did not deliver.
public struct EventLoss: Sendable, Equatable {
    /// Dropped because the ring buffer was full (the reader fell behind).
    public var ringFull: UInt64 = 0
    /// Left out to keep within the event rate.
    public var overRate: UInt64 = 0
    /// Delivered into the ring buffer.
    public var sent: UInt64 = 0

    public init(ringFull: UInt64 = 0, overRate: UInt64 = 0, sent: UInt64 = 0) {
        self.ringFull = ringFull
        self.overRate = overRate
        self.sent = sent
    }
}

/// A reader of a firewall's drop events: while it is open the program samples one drop in
/// `sample` into the pinned ring buffer, at most `rate` a second; `close` turns events off again.
public final class FirewallEventWatcher: Sendable {
    let firewall: Firewall
    let reader: RingBufferReader<FirewallObject.FwEvent>
    let lossAtStart: EventLoss

    init(firewall: Firewall, sample: UInt32, rate: UInt64) throws(FirewallError) {
        guard sample > 0, rate > 0 else { throw FirewallError("the sample (one drop in N) and the event rate must be at least 1") }
        self.firewall = firewall
        do {
            reader = RingBufferReader(try RingBuffer(map: firewall.bpf.events.map))
        } catch {
            throw .kernel("cannot map the firewall's event ring buffer", error)
        }
        lossAtStart = try firewall.eventLoss()
        // A fresh event bucket: full at the first drop, whatever an earlier watcher's rate was.
        do { try firewall.bpf.eventBucket.set(CLayout.zero(), at: 0) } catch { throw .kernel("cannot reset the event rate", error) }
        var c = try firewall.config()
        c.eventSample = sample
        c.eventRate = rate
        try firewall.setConfig(c)
    }

    /// Waits up to `timeoutMilliseconds` and hands each event to `body`; returns how many.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32, _ body: (FirewallEvent) -> Void) throws(FirewallError) -> Int {
        do {
            return try reader.poll(timeoutMilliseconds: timeoutMilliseconds) { if let e = FirewallEvent($0) { body(e) } }
        } catch {
            throw .kernel("cannot read the firewall's events", error)
        }
    }

    /// Events lost since this watcher started.
    public func loss() throws(FirewallError) -> EventLoss {
        let now = try firewall.eventLoss()
        return EventLoss(ringFull: now.ringFull - lossAtStart.ringFull, overRate: now.overRate - lossAtStart.overRate,
                         sent: now.sent - lossAtStart.sent)
    }

    /// Turns events off (the program stops sampling) and unmaps the ring buffer.
    public func close() {
        if var c = try? firewall.config() {
            c.eventSample = 0
            try? firewall.setConfig(c)
        }
        reader.close()
    }
}

extension Firewall {
    /// Starts sampled drop events: one drop in `sample`, at most `rate` events a second.
    public func watchEvents(sample: UInt32 = 1, rate: UInt64 = 1000) throws(FirewallError) -> FirewallEventWatcher {
        try FirewallEventWatcher(firewall: self, sample: sample, rate: rate)
    }

    /// The event counters since the firewall was loaded.
    public func eventLoss() throws(FirewallError) -> EventLoss {
        EventLoss(ringFull: try counter(slot: FirewallABI.eventsLostSlot).packets,
                  overRate: try counter(slot: FirewallABI.eventsSuppressedSlot).packets,
                  sent: try counter(slot: FirewallABI.eventsSentSlot).packets)
    }
}
