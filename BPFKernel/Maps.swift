import Swift

// Maps as a program sees them. A top-level `let NAME = ArrayMap<V>(maxEntries: N)` line is
// replaced at build time by a computed property that wraps the address of the C definition
// the tool writes (BPFProgramDeclarations), so `NAME` becomes `ArrayMap(_definition: &NAME)`.
// Every method is transparent: it compiles to the helper call clang emits for the C spelling.

/// `BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`: when `update` may write.
public enum UpdateFlags {
    public static let any: UInt64 = 0
    public static let noExist: UInt64 = 1
    public static let exist: UInt64 = 2
}

/// A `BPF_MAP_TYPE_ARRAY`: `maxEntries` values of type `Value`, indexed from 0.
public struct ArrayMap<Value: BitwiseCopyable> {
    public let definition: UnsafeMutableRawPointer
    @_transparent public init(_definition: UnsafeMutableRawPointer) { definition = _definition }
    /// The declaration the build turns into a map; anywhere else it is an error.
    @available(*, unavailable, message: "declare maps at top level, on one line starting in column 1: let NAME = ArrayMap<V>(maxEntries: N)")
    public init(maxEntries: Int) { fatalError() }

    /// The value at `index`, or nil when `index` is out of range.
    @_transparent
    public func lookup(_ index: UInt32) -> UnsafeMutablePointer<Value>? {
        var key = index
        return bpf_map_lookup_elem(definition, &key)?.assumingMemoryBound(to: Value.self)
    }

    /// Writes `value` at `index`; 0 or a negative errno.
    @_transparent @discardableResult
    public func update(_ index: UInt32, _ value: Value, flags: UInt64 = UpdateFlags.any) -> Int64 {
        var key = index
        var v = value
        return bpf_map_update_elem(definition, &key, &v, flags)
    }
}

extension ArrayMap where Value == UInt64 {
    /// Adds `amount` to the counter at `index` atomically; nothing when `index` is out of range.
    @_transparent
    public func increment(_ index: UInt32, by amount: UInt64 = 1) {
        if let p = lookup(index) { atomicAdd(p, amount) }
    }
}

/// A `BPF_MAP_TYPE_PERCPU_ARRAY`: one `Value` per index and CPU; a program sees its CPU's.
/// Also the place for values too large for the 512-byte stack.
public struct PerCPUArray<Value: BitwiseCopyable> {
    public let definition: UnsafeMutableRawPointer
    @_transparent public init(_definition: UnsafeMutableRawPointer) { definition = _definition }
    /// The declaration the build turns into a map; anywhere else it is an error.
    @available(*, unavailable, message: "declare maps at top level, on one line starting in column 1: let NAME = PerCPUArray<V>(maxEntries: N)")
    public init(maxEntries: Int) { fatalError() }

    /// This CPU's value at `index`, or nil when `index` is out of range.
    @_transparent
    public func lookup(_ index: UInt32) -> UnsafeMutablePointer<Value>? {
        var key = index
        return bpf_map_lookup_elem(definition, &key)?.assumingMemoryBound(to: Value.self)
    }
}

extension PerCPUArray where Value == UInt64 {
    /// Adds `amount` to this CPU's counter at `index` (no other CPU writes it: no atomic needed).
    @_transparent
    public func increment(_ index: UInt32, by amount: UInt64 = 1) {
        if let p = lookup(index) { p.pointee &+= amount }
    }
}

/// A `BPF_MAP_TYPE_HASH` (or `PERCPU_HASH`, `LRU_HASH`, `LPM_TRIE` through the same operations).
public struct HashMap<Key: BitwiseCopyable, Value: BitwiseCopyable> {
    public let definition: UnsafeMutableRawPointer
    @_transparent public init(_definition: UnsafeMutableRawPointer) { definition = _definition }
    /// The declaration the build turns into a map; anywhere else it is an error.
    @available(*, unavailable, message: "declare maps at top level, on one line starting in column 1: let NAME = HashMap<K, V>(maxEntries: N)")
    public init(maxEntries: Int) { fatalError() }
    /// `preallocated: false` is `BPF_F_NO_PREALLOC`: entries are allocated as they are inserted
    /// (for large values and sparse maps).
    @available(*, unavailable, message: "declare maps at top level, on one line starting in column 1: let NAME = HashMap<K, V>(maxEntries: N, preallocated: false)")
    public init(maxEntries: Int, preallocated: Bool) { fatalError() }

    /// The value stored under `key`, or nil.
    @_transparent
    public func lookup(_ key: Key) -> UnsafeMutablePointer<Value>? {
        var k = key
        return bpf_map_lookup_elem(definition, &k)?.assumingMemoryBound(to: Value.self)
    }

    /// Stores `value` under `key`; 0 or a negative errno (`-E2BIG` when full).
    @_transparent @discardableResult
    public func update(_ key: Key, _ value: Value, flags: UInt64 = UpdateFlags.any) -> Int64 {
        var k = key
        var v = value
        return bpf_map_update_elem(definition, &k, &v, flags)
    }

    /// Stores the value `value` points to under `key`, without copying it to the stack first
    /// (for values larger than BPF's 512-byte stack, kept in a `PerCPUArray`).
    @_transparent @discardableResult
    public func update(_ key: Key, from value: UnsafeMutablePointer<Value>, flags: UInt64 = UpdateFlags.any) -> Int64 {
        var k = key
        return bpf_map_update_elem(definition, &k, UnsafeMutableRawPointer(value), flags)
    }

    /// Removes `key`; 0 or a negative errno (`-ENOENT`).
    @_transparent @discardableResult
    public func delete(_ key: Key) -> Int64 {
        var k = key
        return bpf_map_delete_elem(definition, &k)
    }
}

extension HashMap where Value == UInt64 {
    /// Adds `amount` to the counter under `key`, creating it when absent.
    @_transparent
    public func increment(_ key: Key, by amount: UInt64 = 1) {
        if let p = lookup(key) {
            atomicAdd(p, amount)
        } else {
            // Another CPU may insert first: then the add goes to its entry.
            if update(key, amount, flags: UpdateFlags.noExist) != 0, let p = lookup(key) { atomicAdd(p, amount) }
        }
    }
}

public typealias PerCPUHash<Key: BitwiseCopyable, Value: BitwiseCopyable> = HashMap<Key, Value>
/// A `BPF_MAP_TYPE_LRU_HASH`: a hash map that, when full, makes room by evicting the entries
/// used least recently (for entries whose deletion may never come, such as start times).
public typealias LRUHash<Key: BitwiseCopyable, Value: BitwiseCopyable> = HashMap<Key, Value>
public typealias LPMTrie<Key: BitwiseCopyable, Value: BitwiseCopyable> = HashMap<Key, Value>

/// A `BPF_MAP_TYPE_RINGBUF` of `bytes` bytes carrying `Record`s to user space, in order,
/// across CPUs. `Record` is a struct declared in the program's file: the build describes it in
/// the object's BTF, so the generated bindings read the ring as `RingBufferMap<Record>`.
public struct RingBuffer<Record: BitwiseCopyable> {
    public let definition: UnsafeMutableRawPointer
    @_transparent public init(_definition: UnsafeMutableRawPointer) { definition = _definition }
    /// The declaration the build turns into a map; anywhere else it is an error.
    @available(*, unavailable, message: "declare maps at top level, on one line starting in column 1: let NAME = RingBuffer<Record>(bytes: N)")
    public init(bytes: Int) { fatalError() }

    /// Copies `record` into the ring (`bpf_ringbuf_output`); 0 or a negative errno when full.
    @_transparent @discardableResult
    public func output(_ record: inout Record, flags: UInt64 = 0) -> Int64 {
        bpf_ringbuf_output(definition, &record, UInt64(MemoryLayout<Record>.size), flags)
    }

    /// Copies the first `bytes` bytes of the record at `record` into the ring (a record whose
    /// tail is unused, as execsnoop's argument buffer); 0 or a negative errno when full.
    @_transparent @discardableResult
    public func output(_ record: UnsafeMutablePointer<Record>, bytes: UInt64, flags: UInt64 = 0) -> Int64 {
        bpf_ringbuf_output(definition, UnsafeMutableRawPointer(record), bytes, flags)
    }

    /// Space for one `Record` in the ring (`bpf_ringbuf_reserve`), or nil when full. The
    /// verifier requires every reservation to be submitted or discarded.
    @_transparent
    public func reserve() -> UnsafeMutablePointer<Record>? {
        bpf_ringbuf_reserve(definition, UInt64(MemoryLayout<Record>.size), 0)?.assumingMemoryBound(to: Record.self)
    }

    /// Publishes a reserved record.
    @_transparent
    public func submit(_ record: UnsafeMutablePointer<Record>, flags: UInt64 = 0) {
        bpf_ringbuf_submit(UnsafeMutableRawPointer(record), flags)
    }

    /// Gives a reserved record back unpublished.
    @_transparent
    public func discard(_ record: UnsafeMutablePointer<Record>, flags: UInt64 = 0) {
        bpf_ringbuf_discard(UnsafeMutableRawPointer(record), flags)
    }
}

/// A `BPF_MAP_TYPE_CGROUP_ARRAY`: cgroup v2 directories stored by user space (as fds), to ask
/// whether the current task runs under one of them.
public struct CgroupArray {
    public let definition: UnsafeMutableRawPointer
    @_transparent public init(_definition: UnsafeMutableRawPointer) { definition = _definition }
    /// The declaration the build turns into a map; anywhere else it is an error.
    @available(*, unavailable, message: "declare maps at top level, on one line starting in column 1: let NAME = CgroupArray(maxEntries: N)")
    public init(maxEntries: Int) { fatalError() }

    /// Whether the current task is in the cgroup at `index` or below it
    /// (`bpf_current_task_under_cgroup` returns 1; 0 for no, a negative errno for an empty slot).
    @_transparent
    public func currentTaskIsUnder(index: UInt32 = 0) -> Bool {
        bpf_current_task_under_cgroup(definition, index) == 1
    }
}

/// The license a program declares with `let license = License("GPL")`; the build replaces
/// the line with a `license` section (GPL-only helpers need a GPL-compatible license).
public struct License {
    @available(*, unavailable, message: "declare the license at top level, on one line starting in column 1: let license = License(\"GPL\")")
    public init(_ name: StaticString) {}
}

/// A value fixed by the loader before verification (C's `const volatile`, in `.rodata`):
/// `let port = LoadTimeConstant<UInt16>(0)` declares `port`, read as a `UInt16`, 0 unless
/// user space sets it (`LoadOptions.set("port", to:)`). The build replaces the line.
public struct LoadTimeConstant<Value> {
    @available(*, unavailable, message: "declare load-time constants at top level, on one line starting in column 1: let NAME = LoadTimeConstant<T>(VALUE)")
    public init(_ defaultValue: Value) {}
}

/// A byte string fixed by the loader before verification (C's `const volatile char name[N]`),
/// zeroed unless user space writes it: `let name = LoadTimeString(bytes: 16)`. The build
/// replaces the line; its bytes are read with volatile loads, so they are the loaded values.
public struct LoadTimeString {
    public let base: UnsafePointer<CChar>
    public let count: Int
    @_transparent public init(_base: UnsafePointer<CChar>, count: Int) { base = _base; self.count = count }
    @available(*, unavailable, message: "declare load-time strings at top level, on one line starting in column 1: let NAME = LoadTimeString(bytes: N)")
    public init(bytes: Int) { fatalError() }

    /// The byte at `index` (callers keep `index < count`: nothing checks it here).
    public subscript(index: Int) -> CChar {
        @_transparent get { base[index] }
    }
}
