import Glibc

extension Syscalls {
    /// The name of the network interface with index `index` (if_indextoname(3), which asks the
    /// kernel through an ioctl), or nil if there is none in this network namespace.
    public static func interfaceName(index: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(index, &buffer) != nil else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
