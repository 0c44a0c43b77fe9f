import Swift

/// The log2 histogram slot of `value`, as BCC's `bpf_log2l` and SwiftBPF's tools number them:
/// slot i holds [2^(i-1), 2^i - 1], with 0 and 1 both in slot 1; at most 64.
@_transparent
public func log2Slot(_ value: UInt64) -> UInt32 {
    let bits = UInt32(truncatingIfNeeded: 64 &- value.leadingZeroBitCount)
    return bits == 0 ? 1 : bits
}
