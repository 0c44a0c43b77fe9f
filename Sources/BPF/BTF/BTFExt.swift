/// The `.BTF.ext` section of a BPF object: per-ELF-section function info, line info and CO-RE
/// relocation records (`struct btf_ext_header` and the `btf_ext_info_sec` blocks after it).
///
/// Section names are resolved against the object's `.BTF` string section; line-info string
/// offsets are kept raw. Instruction offsets are bytes from the start of each ELF section,
/// exactly as stored. Every length, offset and record is bounds-checked.
public struct BTFExt: Sendable {
    /// `BTF_MAGIC`, shared with `.BTF`.
    public static let magic: UInt16 = 0xEB9F
    /// Header size without the CO-RE fields (`func_info`/`line_info` only).
    static let minimumHeaderSize = 24
    /// Header size with `core_relo_off`/`core_relo_len`.
    static let coreHeaderSize = 32

    /// `flags` of the header (0 today).
    public let flags: UInt8
    /// Record size of func_info as written in the section (8 for clang).
    public let funcInfoRecordSize: Int
    /// Record size of line_info as written in the section (16 for clang).
    public let lineInfoRecordSize: Int
    /// Record size of core_relo as written in the section (16), or 0 if there are none.
    public let coreRelocationRecordSize: Int
    /// func_info records by ELF section name (e.g. "tp/syscalls/sys_enter_getpid", ".text").
    public let funcInfo: [String: [BTFFuncInfo]]
    /// line_info records by ELF section name.
    public let lineInfo: [String: [BTFLineInfo]]
    /// CO-RE relocation records by ELF section name.
    public let coreRelocations: [String: [CORERelocationRecord]]

    /// Parses `.BTF.ext` bytes; `btf` is the object's parsed `.BTF` (for section names and
    /// access strings).
    public init(bytes: [UInt8], btf: BTF) throws(BPFError) {
        let r = ExtReader(bytes: bytes)
        guard bytes.count >= Self.minimumHeaderSize else {
            throw .malformedBTF(".BTF.ext: \(bytes.count) bytes is shorter than the \(Self.minimumHeaderSize)-byte header")
        }
        let magic = r.u16(0)
        guard magic == Self.magic else {
            throw .malformedBTF(".BTF.ext: bad magic 0x\(String(magic, radix: 16)), expected 0xeb9f")
        }
        guard bytes[2] == 1 else { throw .malformedBTF(".BTF.ext: unsupported version \(bytes[2])") }
        flags = bytes[3]
        let hdrLen = Int(r.u32(4))
        guard hdrLen >= Self.minimumHeaderSize, hdrLen <= bytes.count else {
            throw .malformedBTF(".BTF.ext: header length \(hdrLen) is outside [\(Self.minimumHeaderSize), \(bytes.count)]")
        }

        func region(_ name: String, _ offField: Int) throws(BPFError) -> Range<Int>? {
            let off = Int(r.u32(offField)), len = Int(r.u32(offField + 4))
            if len == 0 { return nil }
            let start = hdrLen + off
            guard off % 4 == 0 else { throw .malformedBTF(".BTF.ext: \(name) offset \(off) is not 4-byte aligned") }
            guard start + len <= bytes.count else {
                throw .malformedBTF(".BTF.ext: \(name) [\(off), +\(len)) is out of bounds (\(bytes.count - hdrLen) bytes after the header)")
            }
            return start..<(start + len)
        }

        var funcs: [String: [BTFFuncInfo]] = [:]
        var funcSize = 0
        if let range = try region("func_info", 8) {
            funcSize = try Self.parseInfo(r, range, "func_info", minimumRecord: BTFFuncInfo.recordSize, btf: btf) { name, at in
                funcs[name, default: []].append(BTFFuncInfo(insnOffset: r.u32(at), typeID: r.u32(at + 4)))
            }
        }
        var lines: [String: [BTFLineInfo]] = [:]
        var lineSize = 0
        if let range = try region("line_info", 16) {
            lineSize = try Self.parseInfo(r, range, "line_info", minimumRecord: BTFLineInfo.recordSize, btf: btf) { name, at in
                lines[name, default: []].append(BTFLineInfo(insnOffset: r.u32(at), fileNameOffset: r.u32(at + 4),
                                                            lineOffset: r.u32(at + 8), lineCol: r.u32(at + 12)))
            }
        }
        var relos: [String: [CORERelocationRecord]] = [:]
        var reloSize = 0
        if hdrLen >= Self.coreHeaderSize, let range = try region("core_relo", 24) {
            var failure: BPFError?
            reloSize = try Self.parseInfo(r, range, "core_relo", minimumRecord: 16, btf: btf) { name, at in
                guard failure == nil else { return }
                let accessOff = r.u32(at + 8), rawKind = r.u32(at + 12)
                guard let kind = CORERelocationKind(rawValue: rawKind) else {
                    failure = .malformedBTF(".BTF.ext: core_relo in '\(name)' has unknown kind \(rawKind)")
                    return
                }
                guard btf.isValidStringOffset(accessOff) else {
                    failure = .malformedBTF(".BTF.ext: core_relo in '\(name)' has access string offset \(accessOff) outside the string section")
                    return
                }
                let typeID = r.u32(at + 4)
                guard typeID < btf.count else {
                    failure = .malformedBTF(".BTF.ext: core_relo in '\(name)' refers to type id \(typeID), but the last id is \(btf.count - 1)")
                    return
                }
                relos[name, default: []].append(CORERelocationRecord(insnOffset: r.u32(at), typeID: typeID,
                                                                     accessStringOffset: accessOff,
                                                                     accessString: btf.string(at: accessOff), kind: kind))
            }
            if let failure { throw failure }
        }
        funcInfo = funcs
        lineInfo = lines
        coreRelocations = relos
        funcInfoRecordSize = funcSize
        lineInfoRecordSize = lineSize
        coreRelocationRecordSize = reloSize
    }

    /// Walks one info region: a u32 record size, then `btf_ext_info_sec` blocks
    /// (`sec_name_off`, `num_info`, records). Calls `record` with the section name and the
    /// absolute offset of each record. Returns the record size.
    private static func parseInfo(_ r: ExtReader, _ range: Range<Int>, _ what: String, minimumRecord: Int, btf: BTF,
                                  _ record: (String, Int) -> Void) throws(BPFError) -> Int {
        guard range.count >= 4 else { throw .malformedBTF(".BTF.ext: \(what) has no record size") }
        let recordSize = Int(r.u32(range.lowerBound))
        guard recordSize >= minimumRecord, recordSize % 4 == 0 else {
            throw .malformedBTF(".BTF.ext: \(what) record size \(recordSize) is invalid (minimum \(minimumRecord), multiple of 4)")
        }
        var at = range.lowerBound + 4
        while at < range.upperBound {
            guard range.upperBound - at >= 8 else {
                throw .malformedBTF(".BTF.ext: \(what) section header truncated at offset \(at)")
            }
            let nameOff = r.u32(at), count = Int(r.u32(at + 4))
            guard btf.isValidStringOffset(nameOff) else {
                throw .malformedBTF(".BTF.ext: \(what) section name offset \(nameOff) is outside the string section")
            }
            let name = btf.string(at: nameOff)
            guard count > 0 else { throw .malformedBTF(".BTF.ext: \(what) section '\(name)' has no records") }
            at += 8
            let (total, overflow) = count.multipliedReportingOverflow(by: recordSize)
            guard !overflow, total <= range.upperBound - at else {
                throw .malformedBTF(".BTF.ext: \(what) section '\(name)' claims \(count) records of \(recordSize) bytes, more than remain")
            }
            for i in 0..<count { record(name, at + i * recordSize) }
            at += total
        }
        return recordSize
    }
}

/// Little-endian reads from a byte array; the caller checks bounds.
private struct ExtReader {
    let bytes: [UInt8]
    func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
    func u32(_ o: Int) -> UInt32 {
        UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
    }
}
