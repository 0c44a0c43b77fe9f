/// Maps of maps at run time (`BPF_MAP_TYPE_ARRAY_OF_MAPS`, `BPF_MAP_TYPE_HASH_OF_MAPS`): inner
/// maps created by user space, stored, read through and replaced while programs run.
///
/// An inner map must match the outer map's template (type, key and value size, flags; max
/// entries too, unless the template has `BPF_F_INNER_MAP`): the kernel answers EINVAL
/// otherwise. Storing an inner map makes the outer map hold a reference to it, so the `Map`
/// value may be released afterwards; replacing or deleting the slot drops that reference.
/// A program that looked up the old inner map may finish its run with it (RCU).
extension Map {
    /// Opens the inner map at `key` (`BPF_MAP_GET_FD_BY_ID` on the id a lookup returns), or nil
    /// if the slot is empty.
    public func innerMap<K: BitwiseCopyable>(key: K) throws(BPFError) -> Map? {
        guard let id = try innerMapID(key: key) else { return nil }
        return try Map.open(id: id)
    }

    /// Empties the slot at `key`; returns false if it was already empty.
    @discardableResult
    public func removeInnerMap<K: BitwiseCopyable>(key: K) throws(BPFError) -> Bool {
        guard type.isMapOfMaps else { throw .invalidArgument("map '\(name)' (\(type)) is not a map of maps") }
        return try delete(key: key)
    }
}

extension BPFObject {
    /// Creates a new map shaped like the inner template of the object's map of maps `outerName`
    /// (the `__array(values, ...)` type of its definition), ready to be stored in it with
    /// `update(key:innerMap:)`. The caller owns it.
    public func makeInnerMap(for outerName: String, name: String? = nil, maxEntries: UInt32? = nil) throws(BPFError) -> Map {
        guard let outer = spec.map(named: outerName) else { throw .missing("map '\(outerName)' in the object") }
        guard outer.type.isMapOfMaps, let inner = outer.inner else {
            throw .invalidArgument("map '\(outerName)' (\(outer.type)) is not a map of maps with an inner template")
        }
        return try Map.create(MapCreateAttributes(
            name: name ?? String(outerName.prefix(9)) + "_inner", type: inner.type, keySize: inner.keySize,
            valueSize: inner.valueSize, maxEntries: maxEntries ?? inner.maxEntries, flags: inner.flags,
            numaNode: inner.numaNode, mapExtra: inner.mapExtra))
    }
}
