/// The `key:\tvalue` lines of /proc/self/fdinfo/FD for a BPF object descriptor. The kernel
/// reports there what `BPF_OBJ_GET_INFO_BY_FD` does not: `memlock` (bytes charged for the
/// object), a map's `frozen`, and a link's `link_type`/`prog_tag`. bpftool reads the same file.
public struct FDInfo: Sendable, Hashable {
    /// Every `key: value` line.
    public var fields: [String: String]

    /// Parses the text of an fdinfo file. Pure; lines without a colon are ignored.
    public init(text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[line.startIndex..<colon].trimmingSpaces
            let value = line[line.index(after: colon)...].trimmingSpaces
            if !key.isEmpty { fields[key] = value }
        }
        self.fields = fields
    }

    /// Reads /proc/self/fdinfo/`fd`.
    public init(fd: Int32) throws(BPFError) {
        let bytes = try Syscalls.readFile("/proc/self/fdinfo/\(fd)")
        self.init(text: String(decoding: bytes, as: UTF8.self))
    }

    /// The value of `key`, nil if absent.
    public subscript(_ key: String) -> String? { fields[key] }

    /// A decimal field, e.g. `memlock`.
    public func integer(_ key: String) -> UInt64? { fields[key].flatMap { UInt64($0) } }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

extension BPFObjectKind {
    /// The kind of BPF object behind `fd`, from the fields of its fdinfo (`prog_type`,
    /// `map_type`, `link_type`); nil for other descriptors. `BPF_OBJ_GET` opens any pinned
    /// object, and `BPF_OBJ_GET_INFO_BY_FD` answers for whatever it is given, so a caller that
    /// expects one kind checks with this first.
    public static func of(fd: Int32) -> BPFObjectKind? {
        guard let info = try? FDInfo(fd: fd) else { return nil }
        if info["prog_type"] != nil { return .program }
        if info["map_type"] != nil { return .map }
        if info["link_type"] != nil { return .link }
        return nil
    }
}
