import Swift

// Atomic adds as the BPF instruction set has them (`BPF_ATOMIC | BPF_ADD`, `lock *(u64 *)(r1 +0) += r2`).
// BPFKernel is compiled with -parse-stdlib for these Builtins; programs see plain functions.

/// Adds `value` to the 64-bit integer at `pointer` atomically (a map value shared between CPUs).
@_transparent
public func atomicAdd(_ pointer: UnsafeMutablePointer<UInt64>, _ value: UInt64) {
    _ = Builtin.atomicrmw_add_monotonic_Int64(pointer._rawValue, value._value)
}

/// Adds `value` to the 32-bit integer at `pointer` atomically.
@_transparent
public func atomicAdd(_ pointer: UnsafeMutablePointer<UInt32>, _ value: UInt32) {
    _ = Builtin.atomicrmw_add_monotonic_Int32(pointer._rawValue, value._value)
}

/// Adds `value` to the 64-bit integer at `pointer` atomically and returns the value it had
/// (`BPF_ATOMIC | BPF_ADD | BPF_FETCH`, C's `__sync_fetch_and_add` whose result is used).
@_transparent
public func atomicFetchAdd(_ pointer: UnsafeMutablePointer<UInt64>, _ value: UInt64) -> UInt64 {
    UInt64(Builtin.atomicrmw_add_monotonic_Int64(pointer._rawValue, value._value))
}
