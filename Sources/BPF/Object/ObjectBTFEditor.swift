/// The two BTF edits of libbpf's extern handling that change record or string counts, which
/// `BTFPatch` (fixed-size, in-place edits) does not offer: appending a VAR (`add_dummy_ksym_var`)
/// with a new or reused string (`btf__add_str`), and naming FUNC_PROTO parameters.
///
/// Works on the raw blob of a validated `BTF` (own types only, not split BTF) and writes it back
/// in libbpf's layout: header, types, strings.
struct ObjectBTFEditor {
    private var header: [UInt8]
    private var types: [UInt8]
    private var strings: [UInt8]
    /// Offset of each record in `types`, index = id − 1.
    private var offsets: [Int] = []

    init(_ btf: BTF) throws(BPFError) {
        guard btf.base == nil else { throw BPFError.invalidArgument("split BTF cannot be edited here") }
        let b = btf.bytes
        func u32(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24 }
        // BTF(bytes:) validated the header and section bounds.
        let hdrLen = u32(4)
        header = Array(b[0..<hdrLen])
        types = Array(b[(hdrLen + u32(8))..<(hdrLen + u32(8) + u32(12))])
        strings = Array(b[(hdrLen + u32(16))..<(hdrLen + u32(16) + u32(20))])
        var off = 0
        while off + 12 <= types.count {
            offsets.append(off)
            let info = load(off + 4)
            let vlen = Int(info & 0xffff)
            let extra: Int
            switch (info >> 24) & 0x1f {
            case 1, 14, 17: extra = 4  // INT, VAR, DECL_TAG
            case 3: extra = 12  // ARRAY
            case 4, 5, 15, 19: extra = 12 * vlen  // STRUCT, UNION, DATASEC, ENUM64
            case 6, 13: extra = 8 * vlen  // ENUM, FUNC_PROTO
            default: extra = 0
            }
            off += 12 + extra
        }
        guard off == types.count else { throw BPFError.malformedBTF("type section does not end on a record boundary") }
    }

    private func load(_ o: Int) -> UInt32 {
        UInt32(types[o]) | UInt32(types[o + 1]) << 8 | UInt32(types[o + 2]) << 16 | UInt32(types[o + 3]) << 24
    }

    private static func append(_ v: UInt32, to a: inout [UInt8]) {
        for i in 0..<4 { a.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    /// `btf__add_str`: the offset of an existing string (strings are indexed from offset 0, one
    /// after another) or of the string appended at the end.
    mutating func addString(_ s: String) -> UInt32 {
        let wanted = Array(s.utf8)
        var start = 0
        while start < strings.count {
            let end = strings[start...].firstIndex(of: 0) ?? strings.count
            if Array(strings[start..<end]) == wanted { return UInt32(start) }
            start = end + 1
        }
        let off = UInt32(strings.count)
        strings += wanted + [0]
        return off
    }

    /// `btf__add_var`: appends a VAR and returns its id.
    mutating func appendVar(name: String, type: UInt32, linkage: BTFLinkage) -> UInt32 {
        let nameOff = addString(name)
        offsets.append(types.count)
        Self.append(nameOff, to: &types)
        Self.append(14 << 24, to: &types)  // BTF_KIND_VAR, vlen 0, kflag 0
        Self.append(type, to: &types)
        Self.append(linkage.rawValue, to: &types)
        return UInt32(offsets.count)
    }

    /// The `name_off` of parameter `index` of FUNC_PROTO `id`.
    func parameterNameOffset(proto id: UInt32, index: Int) -> UInt32? {
        guard let o = paramOffset(id, index) else { return nil }
        return load(o)
    }

    /// Sets the `name_off` of parameter `index` of FUNC_PROTO `id`.
    mutating func setParameterName(proto id: UInt32, index: Int, nameOffset: UInt32) throws(BPFError) {
        guard let o = paramOffset(id, index) else {
            throw BPFError.malformedBTF("type [\(id)] has no parameter \(index)")
        }
        for i in 0..<4 { types[o + i] = UInt8(truncatingIfNeeded: nameOffset >> (8 * UInt32(i))) }
    }

    private func paramOffset(_ id: UInt32, _ index: Int) -> Int? {
        guard id >= 1, Int(id) <= offsets.count else { return nil }
        let off = offsets[Int(id) - 1]
        let info = load(off + 4)
        guard (info >> 24) & 0x1f == 13, index >= 0, index < Int(info & 0xffff) else { return nil }
        return off + 12 + 8 * index
    }

    /// The edited blob: header (lengths and offsets updated), types, strings.
    func bytes() -> [UInt8] {
        var h = header
        func put(_ v: Int, _ at: Int) { for i in 0..<4 { h[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
        put(0, 8)
        put(types.count, 12)
        put(types.count, 16)
        put(strings.count, 20)
        return h + types + strings
    }
}
