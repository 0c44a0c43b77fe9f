import BPF

/// One histogram of a hash map of histograms: the key (0 for the total, a pid, a cgroup id or a
/// dev_t), the slots and, when the program stored one, a command name.
public struct KeyedHistogram: Sendable, Equatable {
    public var key: UInt64
    public var slots: [UInt64]
    public var comm: String

    public init(key: UInt64, slots: [UInt64], comm: String = "") {
        self.key = key
        self.slots = slots
        self.comm = comm
    }

    /// Samples in all slots.
    public var total: UInt64 { slots.reduce(0, +) }
}

/// Reads the latency tools' hash maps whose values start with `__u64 slots[TOOL_MAX_SLOTS]`,
/// optionally followed by `char comm[16]`.
enum KeyedHistograms {
    /// Every entry, removed from the map as it is read (so each interval starts empty).
    static func take(_ map: Map, commOffset: Int? = nil) throws(BPFError) -> [KeyedHistogram] {
        let entries = try map.allEntries()
        var out: [KeyedHistogram] = []
        for (key, value) in entries {
            _ = try map.delete(key: key)
            guard let h = decode(key: key, value: value, commOffset: commOffset) else {
                throw .invalidArgument("\(map.name): entry of \(key.count)+\(value.count) bytes is too short for a histogram")
            }
            out.append(h)
        }
        return out
    }

    /// One entry; nil if the bytes are too short.
    static func decode(key: [UInt8], value: [UInt8], commOffset: Int?) -> KeyedHistogram? {
        guard key.count == 4 || key.count == 8, value.count >= toolMaxSlots * 8 else { return nil }
        var k: UInt64 = 0
        for (i, b) in key.enumerated() { k |= UInt64(b) << (8 * UInt64(i)) }
        let slots = value.withUnsafeBytes { raw in
            (0..<toolMaxSlots).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
        }
        var comm = ""
        if let commOffset, value.count >= commOffset + 16 {
            comm = value.withUnsafeBytes { RecordText.cString($0, commOffset, 16) }
        }
        return KeyedHistogram(key: k, slots: slots, comm: comm)
    }
}
