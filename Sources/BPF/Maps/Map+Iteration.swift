/// Iteration with `BPF_MAP_GET_NEXT_KEY`. The sequences stop at the end of the map or at the first
/// error; use `allKeys()`/`allEntries()` to see errors. Elements deleted while iterating are skipped.
extension Map {
    /// The map's keys, in the kernel's order.
    public var keys: MapKeySequence { MapKeySequence(map: self) }

    /// The map's key/value pairs, in the kernel's order (values as lookups return them).
    public var entries: MapEntrySequence { MapEntrySequence(map: self) }

    /// Every key, throwing on errors.
    public func allKeys() throws(BPFError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8]? = nil
        while let next = try nextKey(after: current) {
            out.append(next)
            current = next
            // A hash map restarts at the first key if the current one vanished; never loop forever.
            if out.count > maxEntries * 2 + 16 { break }
        }
        return out
    }

    /// Every key/value pair, throwing on errors.
    public func allEntries() throws(BPFError) -> [(key: [UInt8], value: [UInt8])] {
        var out: [(key: [UInt8], value: [UInt8])] = []
        for key in try allKeys() {
            if let value = try lookup(key: key) { out.append((key, value)) }
        }
        return out
    }
}

/// The keys of a map (`Map.keys`).
public struct MapKeySequence: Sequence, Sendable {
    let map: Map

    /// Walks the map with `BPF_MAP_GET_NEXT_KEY`; `error` holds what stopped it early.
    public struct Iterator: IteratorProtocol {
        let map: Map
        var current: [UInt8]?
        var finished = false
        var produced = 0
        /// The error that ended the iteration early, if any.
        public private(set) var error: BPFError?

        public mutating func next() -> [UInt8]? {
            guard !finished else { return nil }
            do {
                guard let key = try map.nextKey(after: current), produced <= map.maxEntries * 2 + 16 else {
                    finished = true
                    return nil
                }
                current = key
                produced += 1
                return key
            } catch {
                self.error = error
                finished = true
                return nil
            }
        }
    }

    public func makeIterator() -> Iterator { Iterator(map: map) }
}

/// The key/value pairs of a map (`Map.entries`).
public struct MapEntrySequence: Sequence, Sendable {
    let map: Map

    /// Walks the map with `BPF_MAP_GET_NEXT_KEY`; `error` holds what stopped it early.
    public struct Iterator: IteratorProtocol {
        var keys: MapKeySequence.Iterator
        /// The error that ended the iteration early, if any.
        public private(set) var error: BPFError?

        public mutating func next() -> (key: [UInt8], value: [UInt8])? {
            while error == nil, let key = keys.next() {
                do {
                    if let value = try keys.map.lookup(key: key) { return (key, value) }
                } catch {
                    self.error = error
                }
            }
            if error == nil { error = keys.error }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(keys: MapKeySequence(map: map).makeIterator()) }
}
