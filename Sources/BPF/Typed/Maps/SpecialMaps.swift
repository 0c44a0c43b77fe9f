/// A `BPF_MAP_TYPE_PERF_EVENT_ARRAY` map: one perf ring per CPU for `bpf_perf_event_output`.
public struct PerfEventArrayMap: TypedMap {
    /// The untyped map underneath.
    public let map: Map

    /// Checks that `map` is a perf event array.
    public init(_ map: Map) throws(BPFError) {
        _ = try map.requireTyped("PerfEventArrayMap", types: [.perfEventArray], key: Void.self, value: Void.self)
        self.map = map
    }

    /// Opens a perf ring of `pagesPerCPU` data pages on every CPU and returns their reader.
    public func reader(pagesPerCPU: Int = 8) throws(BPFError) -> PerfBuffer {
        try PerfBuffer(map: map, pagesPerCPU: pagesPerCPU)
    }
}

/// A `BPF_MAP_TYPE_PROG_ARRAY` map: the jump table of `bpf_tail_call`. See `Map.setProgram` for
/// the lifetime rules.
public struct ProgArray: TypedMap {
    /// The untyped map underneath.
    public let map: Map

    /// Checks that `map` is a prog array.
    public init(_ map: Map) throws(BPFError) {
        _ = try map.requireTyped("ProgArray", types: [.progArray], key: UInt32.self, value: UInt32.self)
        self.map = map
    }

    /// The number of slots (`max_entries`).
    public var count: Int { map.maxEntries }

    /// Stores `program` in slot `index`.
    public func set(_ program: Program, at index: UInt32) throws(BPFError) {
        try map.setProgram(program, at: index)
    }

    /// Stores a typed program in slot `index`.
    public func set(_ program: some TypedProgram, at index: UInt32) throws(BPFError) {
        try map.setProgram(program.program, at: index)
    }

    /// Empties slot `index`; false if it was empty.
    @discardableResult
    public func remove(at index: UInt32) throws(BPFError) -> Bool {
        try map.removeProgram(at: index)
    }

    /// The id of the program in slot `index`, or nil if the slot is empty.
    public func programID(at index: UInt32) throws(BPFError) -> UInt32? {
        try map.programID(at: index)
    }
}

/// A `BPF_MAP_TYPE_STACK_TRACE` map of instruction addresses, keyed by the id
/// `bpf_get_stackid()` returned.
public struct StackTraceMap: TypedMap {
    /// The untyped map underneath.
    public let map: Map

    /// Checks that `map` is a stack-trace map of u32 ids and u64 addresses.
    public init(_ map: Map) throws(BPFError) {
        _ = try map.requireTyped("StackTraceMap", types: [.stackTrace], key: UInt32.self, value: Void.self)
        try map.checkStackTraceMap()
        self.map = map
    }

    /// The frames of stack `id`, innermost first, or nil if the map has no such stack.
    public func stackTrace(id: UInt32) throws(BPFError) -> [UInt64]? {
        try map.stackTrace(id: id)
    }

    /// The frames of a stack id stored as the helper's signed return value (nil when negative).
    public func stackTrace(signedID id: Int32) throws(BPFError) -> [UInt64]? {
        try map.stackTrace(signedID: id)
    }

    /// Removes stack `id` so the kernel can reuse its bucket; true if it was there.
    @discardableResult
    public func delete(id: UInt32) throws(BPFError) -> Bool {
        try map.deleteStackTrace(id: id)
    }
}

/// A map of a kind the typed layer does not model (sockmap, map-in-map, queue, storage...):
/// the untyped `map` with all its calls. Checked for nothing but existence.
public struct UntypedMap: TypedMap {
    /// The untyped map underneath.
    public let map: Map

    /// Wraps `map`.
    public init(_ map: Map) throws(BPFError) { self.map = map }
}
