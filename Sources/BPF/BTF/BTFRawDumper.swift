/// Prints BTF types in bpftool's raw format (`bpftool btf dump file X format raw`), e.g.
/// `[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED`, one type per line with
/// members, enumerators, parameters and DATASEC entries on tab-indented lines below.
public struct BTFRawDumper: Sendable {
    /// The BTF it dumps.
    public let btf: BTF

    /// A dumper of `btf`.
    public init(btf: BTF) {
        self.btf = btf
    }

    /// Every type of the BTF (for split BTF, only its own types, as bpftool does with `-B`),
    /// newline-terminated.
    public func dumpAll() throws(BPFError) -> String {
        var out = ""
        for id in btf.ownTypeIDs {
            out += try line(for: id)
            out += "\n"
        }
        return out
    }

    /// The raw text of one type (several lines for types with members), without a final newline.
    public func line(for id: UInt32) throws(BPFError) -> String {
        let t = try btf.type(id)
        var s = "[\(id)] \(t.kind) '\(t.name.isEmpty ? "(anon)" : t.name)'"
        switch t.kind {
        case .void:
            break
        case .int:
            s += " size=\(t.sizeOrType) bits_offset=\(t.intOffset) nr_bits=\(t.intBits) encoding=\(Self.encodingName(t.intEncoding))"
        case .ptr, .const, .volatile, .restrict, .typedef, .typeTag:
            s += " type_id=\(t.sizeOrType)"
        case .array:
            let a = t.array ?? BTFArray(element: 0, indexType: 0, count: 0)
            s += " type_id=\(a.element) index_type_id=\(a.indexType) nr_elems=\(a.count)"
        case .struct, .union:
            s += " size=\(t.sizeOrType) vlen=\(t.vlen)"
            for m in t.members {
                s += "\n\t'\(m.name.isEmpty ? "(anon)" : m.name)' type_id=\(m.type) bits_offset=\(m.bitOffset)"
                if m.bitfieldSize != 0 { s += " bitfield_size=\(m.bitfieldSize)" }
            }
        case .enum, .enum64:
            s += " encoding=\(t.isSigned ? "SIGNED" : "UNSIGNED") size=\(t.sizeOrType) vlen=\(t.vlen)"
            for e in t.enumerators {
                let value: String
                if t.kind == .enum {
                    value = t.isSigned ? "\(Int32(truncatingIfNeeded: e.value))" : "\(UInt32(truncatingIfNeeded: e.value))"
                } else {
                    value = t.isSigned ? "\(e.value)LL" : "\(e.unsignedValue)ULL"
                }
                s += "\n\t'\(e.name)' val=\(value)"
            }
        case .fwd:
            s += " fwd_kind=\(t.isUnionForward ? "union" : "struct")"
        case .func:
            s += " type_id=\(t.sizeOrType) linkage=\(t.linkage ?? .static)"
        case .funcProto:
            s += " ret_type_id=\(t.sizeOrType) vlen=\(t.vlen)"
            for p in t.params {
                s += "\n\t'\(p.name.isEmpty ? "(anon)" : p.name)' type_id=\(p.type)"
            }
        case .var:
            s += " type_id=\(t.sizeOrType), linkage=\(t.linkage ?? .static)"
        case .dataSec:
            s += " size=\(t.sizeOrType) vlen=\(t.vlen)"
            for e in t.dataSecEntries {
                s += "\n\ttype_id=\(e.type) offset=\(e.offset) size=\(e.size)"
                if let k = btf.kind(of: e.type) {
                    s += " (\(k) '\(btf.name(of: e.type))')"
                }
            }
        case .float:
            s += " size=\(t.sizeOrType)"
        case .declTag:
            s += " type_id=\(t.sizeOrType) component_idx=\(t.componentIndex ?? -1)"
        }
        return s
    }

    /// bpftool's `btf_int_enc_str`.
    static func encodingName(_ e: BTFIntEncoding) -> String {
        switch e.rawValue {
        case 0: "(none)"
        case BTFIntEncoding.signed.rawValue: "SIGNED"
        case BTFIntEncoding.char.rawValue: "CHAR"
        case BTFIntEncoding.bool.rawValue: "BOOL"
        default: "UNKN"
        }
    }
}
