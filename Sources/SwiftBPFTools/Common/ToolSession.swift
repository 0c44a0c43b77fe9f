import BPF

/// One running tool: its object loaded with the filters, the cgroup bound, every program with
/// an automatic attachment attached, and a reader on `tool_events`. Releasing the session
/// detaches everything.
public final class ToolSession: Sendable {
    /// The loaded object, for the tool's own maps (histograms, counters).
    public let object: BPFObject
    let links: [Link]
    let ring: RingBuffer?
    let dropped: PerCPUArrayMap<UInt64>?

    /// A session over a tool loaded through its generated bindings: `events` is its ring buffer
    /// (read through a reader opened here), `dropped` its drop counter; `attach` makes its
    /// attachments, after the pseudo-filesystems they need are mounted (`ToolMounts`).
    init(object: BPFObject, events: Map?, dropped: PerCPUArrayMap<UInt64>?, attach: () throws(BPFError) -> [Link]) throws(BPFError) {
        try ToolMounts.prepare(for: object.spec)
        self.object = object
        ring = try events.map { (m) throws(BPFError) in try RingBuffer(map: m) }
        self.dropped = dropped
        self.links = try attach()
    }

    /// Waits up to `timeoutMilliseconds` for events and hands each record to `body`. A signal
    /// ends the wait early (returns 0).
    public func poll(timeoutMilliseconds: Int32, _ body: (UnsafeRawBufferPointer) -> Void) throws(BPFError) -> Int {
        guard let ring else { return 0 }
        do {
            return try ring.poll(timeoutMilliseconds: timeoutMilliseconds, body)
        } catch {
            if case let .syscall(_, e) = error, e == .EINTR { return 0 }
            throw error
        }
    }

    /// Every record already queued, without waiting.
    public func drain(_ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        ring?.consume(body) ?? 0
    }

    /// Events the BPF side could not queue (ring buffer full), summed over CPUs.
    public func droppedEvents() throws(BPFError) -> UInt64 {
        guard let dropped else { return 0 }
        return try dropped.values(at: 0).reduce(0, +)
    }

    /// Stops the reader. Links detach when the session is released.
    public func stop() { ring?.close() }
}
