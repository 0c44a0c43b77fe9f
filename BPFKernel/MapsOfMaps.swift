import Swift

// Maps of maps. A top-level `let NAME = ArrayOfMaps<LPMTrie<K, V>>(maxEntries: N,
// innerMaxEntries: M)` line becomes a C definition whose `values` member names the inner
// template (C's `__array(values, struct NAME_inner)`), as for every other map declaration.

/// A map a program can reach through the address an outer map hands out: `HashMap` (and its
/// aliases `LRUHash`, `LPMTrie`, `PerCPUHash`), `ArrayMap`, `PerCPUArray`.
public protocol InnerMapReference {
    init(_definition: UnsafeMutableRawPointer)
}

extension HashMap: InnerMapReference {}
extension ArrayMap: InnerMapReference {}
extension PerCPUArray: InnerMapReference {}

/// A `BPF_MAP_TYPE_ARRAY_OF_MAPS`: `maxEntries` slots, each holding a map of type `Inner` that
/// user space creates and swaps in whole (for example a blocklist rebuilt and replaced in one
/// update, so a packet sees either the old list or the new one).
public struct ArrayOfMaps<Inner: InnerMapReference> {
    public let definition: UnsafeMutableRawPointer
    @_transparent public init(_definition: UnsafeMutableRawPointer) { definition = _definition }
    /// The declaration the build turns into a map; anywhere else it is an error.
    @available(*, unavailable, message: "declare maps at top level, on one line starting in column 1: let NAME = ArrayOfMaps<LPMTrie<K, V>>(maxEntries: N, innerMaxEntries: M)")
    public init(maxEntries: Int, innerMaxEntries: Int) { fatalError() }

    /// The map in slot `index`, or nil when the slot is empty or out of range.
    @_transparent
    public func lookup(_ index: UInt32) -> Inner? {
        var key = index
        guard let inner = bpf_map_lookup_elem(definition, &key) else { return nil }
        return Inner(_definition: inner)
    }
}
