import Glibc

/// Memory mapped from a kernel object (an mmapable array's values, a ring buffer's pages),
/// unmapped on deinit. The memory is shared with BPF programs: reads may race with their writes.
public final class MappedRegion: @unchecked Sendable {
    /// The first byte.
    public let base: UnsafeMutableRawPointer
    /// The mapped length in bytes (whole pages).
    public let length: Int
    /// Whether the mapping is writable.
    public let isWritable: Bool

    /// Maps `length` bytes of `fd` at `offset`, shared.
    public init(fd: Int32, length: Int, offset: Int = 0, writable: Bool) throws(BPFError) {
        guard length > 0 else { throw .invalidArgument("cannot map 0 bytes") }
        base = try Syscalls.mmap(fd, length: length, protection: writable ? PROT_READ | PROT_WRITE : PROT_READ, offset: offset)
        self.length = length
        isWritable = writable
    }

    /// The whole region as bytes.
    public var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base, count: length) }

    /// Loads a `T` at `offset` (bounds-checked).
    public func load<T: BitwiseCopyable>(fromByteOffset offset: Int, as: T.Type) throws(BPFError) -> T {
        guard offset >= 0, offset + MemoryLayout<T>.size <= length else {
            throw .invalidArgument("offset \(offset) + \(MemoryLayout<T>.size) is outside the \(length)-byte mapping")
        }
        return base.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    /// Stores a `T` at `offset` (bounds-checked; the mapping must be writable).
    public func store<T: BitwiseCopyable>(_ value: T, toByteOffset offset: Int) throws(BPFError) {
        guard isWritable else { throw .invalidArgument("the mapping is read-only") }
        guard offset >= 0, offset + MemoryLayout<T>.size <= length else {
            throw .invalidArgument("offset \(offset) + \(MemoryLayout<T>.size) is outside the \(length)-byte mapping")
        }
        base.storeBytes(of: value, toByteOffset: offset, as: T.self)
    }

    deinit { Syscalls.munmap(base, length: length) }
}

extension Map {
    /// Maps the values of a `BPF_F_MMAPABLE` array into memory. Element `i` starts at
    /// `i × round_up(valueSize, 8)`. Writes through the mapping are seen by programs and lookups.
    /// A frozen or `BPF_F_RDONLY` map can only be mapped read-only (`writable: false`).
    public func mapMemory(writable: Bool = true) throws(BPFError) -> MappedRegion {
        guard type == .array, flags.contains(.mmapable) else {
            throw .invalidArgument("map '\(name)' is not an array created with BPF_F_MMAPABLE")
        }
        let page = Syscalls.pageSize
        let length = (perCPUStride * maxEntries + page - 1) / page * page
        return try MappedRegion(fd: fd, length: length, writable: writable)
    }
}
