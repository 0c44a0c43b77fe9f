extension GuardKernelObject.GuardMask {
    /// The kernel's form of a rule set: `lo` holds rules 0-63, `hi` rules 64-127.
    init(_ rules: UInt128) {
        self.init(lo: UInt64(truncatingIfNeeded: rules), hi: UInt64(truncatingIfNeeded: rules >> 64))
    }

    /// The rule set as a `UInt128` (bit i: rule i).
    var rules: UInt128 { UInt128(lo) | UInt128(hi) << 64 }
}
