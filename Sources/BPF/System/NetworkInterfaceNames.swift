import Glibc

extension Syscalls {
    /// The name of the network interface with index `index` (if_indextoname(3), which asks the
    /// kernel through an ioctl), or nil if there is none in this network namespace.
    package static func interfaceName(index: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(index, &buffer) != nil else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The index of the network interface named `name` in this network namespace
    /// (if_nametoindex(3)).
    ///
    /// - Throws: `BPFError.missing` naming the interface when there is none by that name.
    package static func interfaceIndex(name: String) throws(BPFError) -> UInt32 {
        let index = if_nametoindex(name)
        guard index != 0 else { throw .missing("network interface '\(name)'") }
        return index
    }
}
