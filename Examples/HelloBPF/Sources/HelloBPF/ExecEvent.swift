/// One `struct exec_event` from the ring buffer (see bpf/hello.bpf.c for its layout).
struct ExecEvent {
    var pid: UInt32
    var uid: UInt32
    var command: String
    var filename: String

    /// Offsets and sizes of `struct exec_event`: two `__u32`, then `char[16]` and `char[128]`.
    static let size = 8 + 16 + 128

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.size else { return nil }
        pid = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        uid = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        command = Self.string(bytes[8..<24])
        filename = Self.string(bytes[24..<Self.size])
    }

    /// A NUL-terminated C string in a fixed-size field.
    static func string(_ field: Slice<UnsafeRawBufferPointer>) -> String {
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }
}
