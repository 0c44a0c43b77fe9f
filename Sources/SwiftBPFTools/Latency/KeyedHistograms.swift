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

extension InlineArray where Element: BitwiseCopyable {
    /// The elements as an array (a generated binding's `__u64 slots[64]` as histogram slots).
    var array: [Element] { indices.map { self[$0] } }
}
