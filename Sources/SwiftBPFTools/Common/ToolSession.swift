import BPF

/// One running tool: its object loaded with the filters, the cgroup bound, every program with
/// an automatic attachment attached, and a reader on `tool_events`. Releasing the session
/// detaches everything.
public final class ToolSession: Sendable {
    /// The loaded object, for the tool's own maps (histograms, counters).
    public let object: BPFObject
    let links: [Link]
    let ring: RingBuffer?
    let dropped: Map?

    /// - Parameters:
    ///   - embedded: the tool's compiled BPF object.
    ///   - filter: the common filters.
    ///   - ringBufferSize: `tool_events`' size in bytes (a power of two ≥ a page), nil for the default.
    ///   - configure: sets the tool's own globals (`LoadOptions.set`) before load.
    ///   - attach: attaches the programs; the default attaches every program by its SEC() name.
    public init(
        _ embedded: EmbeddedObject, filter: ToolFilter = ToolFilter(), ringBufferSize: UInt32? = nil,
        configure: (inout LoadOptions) throws(BPFError) -> Void = { _ in },
        attach: ((BPFObject) throws(BPFError) -> [Link])? = nil
    ) throws(BPFError) {
        var options = LoadOptions()
        try filter.apply(to: &options)
        if let ringBufferSize { options.maxEntries["tool_events"] = ringBufferSize }
        try configure(&options)
        let spec = try ObjectSpec(bytes: embedded.bytes, name: embedded.name)
        try ToolMounts.prepare(for: spec)
        let object = try BPFObject(spec, options: options)
        try filter.bind(object)
        self.object = object
        ring = object.maps["tool_events"].flatMap { try? RingBuffer(map: $0) }
        dropped = object.maps["tool_dropped"]
        if let attach { links = try attach(object) } else { links = try object.attachAll() }
    }

    /// A session over a tool loaded through its generated bindings: `events` is its ring buffer
    /// (read through a reader opened here), `dropped` its drop counter; `attach` makes its
    /// attachments, after the pseudo-filesystems they need are mounted (`ToolMounts`).
    init(object: BPFObject, events: Map?, dropped: Map?, attach: () throws(BPFError) -> [Link]) throws(BPFError) {
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
        return (try dropped.lookupPerCPU(key: UInt32(0), as: UInt64.self) ?? []).reduce(0, +)
    }

    /// Reads and zeroes a log2 histogram kept as an array map of `TOOL_MAX_SLOTS` u64 slots
    /// (one value per slot index) — or, for a hash of per-key histograms, use the map directly.
    public func takeSlots(_ mapName: String, slots: Int = 64) throws(BPFError) -> [UInt64] {
        let map = try object.map(mapName)
        var out = [UInt64](repeating: 0, count: slots)
        for i in 0..<slots {
            out[i] = try map.lookup(key: UInt32(i), as: UInt64.self) ?? 0
            if out[i] != 0 { try map.update(key: UInt32(i), value: UInt64(0)) }
        }
        return out
    }

    /// Stops the reader. Links detach when the session is released.
    public func stop() { ring?.close() }
}
