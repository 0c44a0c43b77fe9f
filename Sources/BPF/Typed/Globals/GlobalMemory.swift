/// The `.data` and `.bss` maps of a loaded object mapped into memory once (they are
/// `BPF_F_MMAPABLE` arrays whenever they hold a non-static variable, as libbpf creates them),
/// shared by every `GlobalVariable` of the object. A variable read or written through it is the
/// memory the BPF programs use: a write changes only that variable's bytes.
public final class GlobalMemory: Sendable {
    /// The object whose globals these are.
    public let object: BPFObject
    /// The writable mappings, by internal map name (e.g. `execsnoop.bss`).
    let regions: [String: MappedRegion]

    /// Maps every writable data map of `object` that is mmapable.
    public init(_ object: BPFObject) throws(BPFError) {
        self.object = object
        var regions: [String: MappedRegion] = [:]
        for spec in object.spec.maps where spec.internalKind == .data || spec.internalKind == .bss {
            guard let map = object.maps[spec.name], map.flags.contains(.mmapable) else { continue }
            regions[spec.name] = try map.mapMemory(writable: true)
        }
        self.regions = regions
    }

    /// The mapping and offset of the writable global `name` of exactly `size` bytes.
    func location(of name: String, size: Int) throws(BPFError) -> (MappedRegion, Int) {
        guard let v = object.spec.variable(named: name) else {
            throw .missing("global variable '\(name)' (the object's globals: \(object.spec.variables.map(\.name).joined(separator: ", ")))")
        }
        guard !v.isConst else {
            throw .invalidArgument("global '\(name)' is in \(v.sectionName), which is frozen at load; set it in the load-time configuration")
        }
        guard Int(v.size) == size else {
            throw .invalidArgument("global '\(name)' is \(v.size) bytes, but its Swift type is \(size) bytes")
        }
        guard let region = regions[v.mapName] else {
            throw .notSupported(feature: "memory-mapped globals", reason: "map '\(v.mapName)' of global '\(name)' was not created with BPF_F_MMAPABLE (it holds only static variables)")
        }
        return (region, Int(v.offset))
    }
}

/// A `.data` or `.bss` global variable of a loaded object, read and written in the mapped map
/// memory the BPF programs use. Only the variable's own bytes are touched, so a write never
/// undoes what a program wrote to a neighbouring variable. Reads and writes are plain memory
/// accesses, not atomic with respect to the programs.
public struct GlobalVariable<Value: BitwiseCopyable>: Sendable {
    /// The mapping that holds the variable (kept alive by this value).
    @usableFromInline let region: MappedRegion
    /// The variable's offset in the mapping.
    @usableFromInline let offset: Int
    /// The variable's name.
    public let name: String

    /// The variable `name` of the object whose data maps `memory` holds.
    /// - Throws: `.missing` (no such global), `.invalidArgument` (a `.rodata` global, or the
    ///   size of `Value` differs from the variable's).
    public init(_ memory: GlobalMemory, name: String) throws(BPFError) {
        (region, offset) = try memory.location(of: name, size: MemoryLayout<Value>.size)
        self.name = name
    }

    /// The variable's current value; setting it writes only its bytes.
    @inlinable
    public var value: Value {
        get { UnsafeRawPointer(region.base).loadUnaligned(fromByteOffset: offset, as: Value.self) }
        nonmutating set { region.base.storeBytes(of: newValue, toByteOffset: offset, as: Value.self) }
    }
}
